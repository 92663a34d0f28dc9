"""``--workers``: parsing and enrichment in worker processes give the same documents as one process."""

import json
import random
import shutil

from dateline.indexer.article import Skip
from dateline.indexer.pipeline import BATCH, documents
from dateline.indexer.workers import CHUNK

WORDS = ("tanker harbour grain tariff minister strike refinery export quota bank rate court pipeline vote "
         "Baku Tbilisi Reuters said officials on Monday the a of in and to").split()


def _archive(folder, seeds_dir, count: int) -> None:
    """Seeds, a broken file, and JSON Lines of wire stories with versions (near-duplicates) and copies (the
    same text under another id), spread over several batches, with a broken line and a record without a body
    among them (parsed, and skipped, in the workers)."""
    shutil.copytree(seeds_dir, folder / "seeds")
    (folder / "broken.jsonl").write_text('{"id": "x", "body": \n')
    rng = random.Random(18)
    stories = [" ".join(rng.choices(WORDS, k=60)) for _ in range(count // 4)]
    lines = []
    for n in range(count):
        body = rng.choice(stories).split()
        if rng.random() < 0.5:  # another version: a word changed
            body[rng.randrange(len(body))] = rng.choice(WORDS)
        lines.append({"id": f"w{n}", "headline": f"Wire {n}", "published": f"2023-02-{1 + n % 9:02d}",
                      "body": "BAKU, Feb 3 (Reuters) - " + " ".join(body).capitalize() + "."})
        if n % 97 == 0:
            lines.append({**lines[-1], "id": f"copy{n}"})
        if n == count // 2:
            lines += ['{"id": "cut", "body": "BAKU', {"id": "empty", "headline": "No text"}]
    (folder / "wire.jsonl").write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                                               for line in lines))


def _as_data(items) -> list:
    return [item if isinstance(item, Skip) else (item.id, item.source, item.duplicate_of) for item in items]


def test_two_workers_give_the_same_ids_story_keys_and_documents_as_one(tmp_path, seeds_dir):
    _archive(tmp_path, seeds_dir, BATCH + 3 * CHUNK)
    one = _as_data(documents([str(tmp_path)], workers=1))
    two = _as_data(documents([str(tmp_path)], workers=2))
    assert two == one
    reasons = {item.reason.split(":")[0] for item in one if isinstance(item, Skip) and "wire" in item.path}
    assert reasons == {"broken JSON", 'no "body"'}
    stories = [item[1]["story"] for item in one if not isinstance(item, Skip) and item[1]]
    assert len(set(stories)) < len(stories)  # versions joined stories, across chunks and batches
    assert sum(1 for item in one if not isinstance(item, Skip) and item[2]) >= 5  # the copies
