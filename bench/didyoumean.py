"""Did-you-mean accuracy: misspelt queries through ``/api/search``, and the correction its page offers.

The typo lists (``tests/relevance/typos.tsv``, tuned on, and ``typos_heldout.tsv``, scored only) hold
queries as people type them, lowercased, with one typing error in one word of five letters or more: a letter
left out, two letters swapped, a neighbouring key struck instead, a letter doubled, or a neighbouring key
struck as well. The first letter is kept (people rarely miss it, and a spell checker that tried every first
letter would be slow), and a misspelling that is itself a word of the corpus is not a typo. The queries are
one to three consecutive words (stop words aside) of Reuters-21578 headlines (a third), of Reuters bodies
anywhere in the text (a third) and of the seeds (a third). ``--write-lists`` makes both lists again, each
from its own random seed, with no query in both.

Measured end to end: Reuters-21578 (through the SGML reader) and the seeds indexed together by the product's
rebuild, every typo asked of ``GET /api/search?q=…`` through the Flask app. A typo counts as corrected when
the first spelling suggestion of the answer is the query as it was before the error, and as corrected to the
same search when the suggestion's words are the same terms to the index's search analyzer (``deposit`` for
``deposits``: the link finds the same articles). The page offers
suggestions only when the words find nothing, or no article with every word, so a typo that still finds
articles gets none: it counts as not corrected, as it is for the user.

``.venv/bin/python -m bench.didyoumean`` → ``bench/results/didyoumean.{json,md}``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from elasticsearch import Elasticsearch

from dateline import config
from dateline.client import connect
from dateline.indexer.rebuild import rebuild

from . import names
from .corpora import DATA, REUTERS, reuters

ROOT = Path(__file__).resolve().parent.parent
TYPO_LISTS = {"tuning": ROOT / "tests" / "relevance" / "typos.tsv",
              "held-out": ROOT / "tests" / "relevance" / "typos_heldout.tsv"}
LIST_SEEDS = {"tuning": 1987, "held-out": 2023}
PER_SOURCE = 60  # queries per source (Reuters headlines, Reuters bodies, seeds) in each list
RESULTS = Path(__file__).resolve().parent / "results"
MIN_TYPO_LENGTH = 5

_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z\s]+")
_ALPHA = re.compile(r"[A-Za-z]+")
_STOP = names._STOP | {
    "a", "an", "are", "as", "at", "be", "but", "by", "if", "in", "into", "is", "it", "no", "of", "on", "or",
    "such", "that", "their", "then", "there", "these", "they", "this", "was", "will", "would", "which", "who",
    "have", "had", "been", "were", "also", "than", "our", "we", "he", "she", "his", "her", "said", "mln", "billion",
}
_KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbours(letter: str) -> str:
    """The keys beside ``letter`` on a QWERTY keyboard (same row)."""
    for row in _KEYBOARD:
        i = row.find(letter)
        if i >= 0:
            return row[max(i - 1, 0):i] + row[i + 1:i + 2]
    return ""


def misspell(word: str, rng: random.Random) -> str:
    """``word`` with one typing error, its first letter kept."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(("delete", "swap", "neighbour", "double", "insert"))
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    keys = _neighbours(word[i]) or word[i]
    if kind == "insert":
        return word[:i] + rng.choice(keys) + word[i:]
    return word[:i] + rng.choice(keys) + word[i + 1:]


def _runs(text: str) -> list[list[str]]:
    """Runs of consecutive content words of ``text`` (punctuation and stop words end a run), lowercased."""
    runs, run = [], []
    for token in _TOKEN.findall(text):
        word = token.lower()
        if _ALPHA.fullmatch(token) and len(word) >= 3 and word not in _STOP:
            run.append(word)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _typo_query(text: str, rng: random.Random, vocabulary: set[str]) -> tuple[str, str] | None:
    """(misspelt query, intended query) from one to three consecutive content words of ``text``."""
    runs = [run for run in _runs(text) if any(len(w) >= MIN_TYPO_LENGTH for w in run)]
    if not runs:
        return None
    run = rng.choice(runs)
    length = min(rng.choice((1, 2, 2, 3)), len(run))
    start = rng.randrange(len(run) - length + 1)
    words = run[start:start + length]
    long = [i for i, w in enumerate(words) if len(w) >= MIN_TYPO_LENGTH]
    if not long:
        return None
    i = rng.choice(long)
    wrong = misspell(words[i], rng)
    if wrong in vocabulary:
        return None
    return " ".join(words[:i] + [wrong] + words[i + 1:]), " ".join(words)


def _texts(data_dir: Path) -> dict[str, list[str]]:
    records = list(reuters(data_dir / REUTERS))
    seeds = [path.read_text(encoding="utf-8") for path in sorted(names.SEEDS.iterdir()) if path.is_file()]
    return {"reuters headline": [r["headline"] or "" for r in records],
            "reuters body": [r["body"] for r in records],
            "seeds": ["\n".join(seeds)]}


def make_lists(data_dir: Path = DATA) -> dict[str, list[tuple[str, str, str]]]:
    """Both typo lists: (typo, intended, source) rows, no intended query in both."""
    texts = _texts(data_dir)
    vocabulary = {w.lower() for parts in texts.values() for text in parts for w in _ALPHA.findall(text)}
    lists: dict[str, list[tuple[str, str, str]]] = {}
    taken: set[str] = set()
    for name, seed in LIST_SEEDS.items():
        rng = random.Random(seed)
        rows = []
        for source, parts in texts.items():
            count = 0
            while count < PER_SOURCE:
                found = _typo_query(rng.choice(parts), rng, vocabulary)
                if found and found[1] not in taken:
                    taken.add(found[1])
                    rows.append((found[0], found[1], source))
                    count += 1
        lists[name] = rows
    return lists


def write_lists(lists: dict[str, list[tuple[str, str, str]]]) -> None:
    for name, rows in lists.items():
        with TYPO_LISTS[name].open("w", encoding="utf-8", newline="") as stream:
            stream.write(f"# Misspelt queries ({name} list), made by `python -m bench.didyoumean --write-lists`; "
                         "see bench/didyoumean.py.\n# Columns (tab-separated): the query as typed, the correction "
                         "a user expects, where the words come from.\n")
            writer = csv.writer(stream, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
            writer.writerow(["typo", "expected", "source"])
            writer.writerows(rows)


def read_list(path: Path) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        lines = (line for line in stream if not line.startswith("#"))
        rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["typo"], row["expected"], row["source"]) for row in rows]


def correction(client, q: str) -> str | None:
    """The first spelling suggestion ``/api/search?q=`` offers, if any."""
    answer = client.get("/api/search", query_string={"q": q})
    if answer.status_code != 200:
        raise RuntimeError(f"/api/search?q={q} answered {answer.status_code}")
    offers = [offer["text"] for offer in answer.get_json()["suggestions"] if offer["kind"] == "spelling"]
    return offers[0] if offers else None


def _terms(es: Elasticsearch, alias: str, text: str) -> list[str]:
    # (analyze takes its request only as a body in elasticsearch-py 7)
    tokens = es.indices.analyze(index=alias, body={"analyzer": "dateline_search", "text": text})["tokens"]
    return [token["token"] for token in tokens]


def score(client, rows: list[tuple[str, str, str]], same_search: Callable[[str, str], bool]) -> dict:
    """Share of ``rows`` corrected (exactly, and to the same search), overall and per source, and the misses."""
    by_source: dict[str, list[bool]] = {}
    exact = 0
    misses = []
    for typo, expected, source in rows:
        offered = correction(client, typo)
        exact += offered == expected
        hit = offered == expected or (offered is not None and same_search(offered, expected))
        by_source.setdefault(source, []).append(hit)
        if offered != expected:
            misses.append(f"{typo} → {offered or '(none)'} (expected {expected}{', same search' if hit else ''})")
    same = sum(sum(v) for v in by_source.values())
    return {"queries": len(rows), "corrected": exact, "accuracy": round(exact / len(rows), 4),
            "same_search": same, "same_search_accuracy": round(same / len(rows), 4),
            "by_source": {s: round(sum(v) / len(v), 4) for s, v in by_source.items()}, "misses": misses}


def measure(es: Elasticsearch, alias: str, data_dir: Path = DATA) -> dict:
    """Accuracy of each typo list over Reuters and the seeds indexed behind ``alias`` (deleted afterwards)."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "reuters.jsonl"
            with source.open("w", encoding="utf-8") as stream:
                stream.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in reuters(data_dir / REUTERS))
            report = rebuild(es, alias, [str(source), str(names.SEEDS)], keep=0)
        def same_search(one: str, other: str) -> bool:
            return _terms(es, alias, one) == _terms(es, alias, other)

        with names.api(es, alias) as client:
            figures = {name: score(client, read_list(path), same_search) for name, path in TYPO_LISTS.items()}
        return {"documents": report.indexed, **figures}
    finally:
        names.delete_alias(es, alias)


def markdown(results: dict) -> str:
    lines = ["# Did you mean: typo corrections through /api/search", "",
             f"Generated {results['generated']} by `bench/didyoumean.py`: {results['documents']} articles "
             "(Reuters-21578 and the seeds) indexed by the rebuild; a typo is corrected when the first spelling "
             f"suggestion of `/api/search` is the intended query. Load average {results['load_average']}.", "",
             "| list | queries | corrected | accuracy | to the same search | Reuters headlines | Reuters bodies "
             "| seeds |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in TYPO_LISTS:
        row = results[name]
        parts = [f"{row['by_source'].get(s, 0):.1%}" for s in ("reuters headline", "reuters body", "seeds")]
        lines.append(f"| {name} | {row['queries']} | {row['corrected']} | {row['accuracy']:.1%} | "
                     f"{row['same_search_accuracy']:.1%} | " + " | ".join(parts) + " |")
    lines += ["", "Per source: corrected to the same search."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.didyoumean", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DATA, help=f"the shared data folder (default: {DATA})")
    parser.add_argument("--write-lists", action="store_true", help="make the typo lists again, then stop")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder [default: bench/results]")
    args = parser.parse_args(argv)
    if args.write_lists:
        write_lists(make_lists(args.data_dir))
        return
    es = connect(config.from_env())
    results = measure(es, f"bench-didyoumean-{uuid.uuid4().hex[:8]}", args.data_dir)
    results["generated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results["load_average"] = round(os.getloadavg()[0], 2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "didyoumean.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (args.out / "didyoumean.md").write_text(markdown(results))
    print(markdown(results), file=sys.stderr)


if __name__ == "__main__":
    main()
