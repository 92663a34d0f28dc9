"""Turn the public corpora into the indexer's JSON Lines input, once, at the sizes the benchmarks load.

``python -m bench.convert`` writes ``bench/work/articles-<size>.jsonl.gz`` (1k, 10k and 100k articles) and a
``.json`` manifest beside each that says what the file holds. The three corpora (see ``bench/corpora.py``)
give about 41,600 usable articles; a size up to that is a seeded random sample of them. A larger size holds
every real article plus *derived* ones: a copy of a real article with a new id (``<id>-v<n>``), its date
shifted forward by 1 to 1,000 days and its paragraphs shuffled (a one-paragraph article keeps its text).
The manifest counts them, so results can say how much of a corpus is derived. Output is deterministic: the
same seed gives the same bytes (the gzip header carries no time stamp).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from . import corpora

WORK = Path(__file__).resolve().parent / "work"
SIZES = (1_000, 10_000, 100_000)
SEED = 1987


def label(size: int) -> str:
    """``1k``, ``10k``, ``100k``; other sizes as plain numbers."""
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def paths(size: int, folder: Path = WORK) -> tuple[Path, Path]:
    """(articles file, manifest) of one size."""
    stem = folder / f"articles-{label(size)}"
    return stem.with_suffix(".jsonl.gz"), stem.with_suffix(".json")


def load_pool(data: Path = corpora.DATA) -> list[dict]:
    """Every usable article of the three corpora, in a fixed order."""
    pool = []
    for name, read in corpora.READERS.items():
        pool.extend(read(data / name))
    return pool


def derive(article: dict, generation: int, rng: random.Random) -> dict:
    """Another article made from ``article``: new id, later date, paragraphs in another order."""
    paragraphs = article["body"].split("\n\n")
    rng.shuffle(paragraphs)
    published = date.fromisoformat(article["published"]) + timedelta(days=rng.randint(1, 1000))
    return {**article, "id": f"{article['id']}-v{generation}", "published": published.isoformat(),
            "body": "\n\n".join(paragraphs)}


def select(pool: list[dict], size: int, seed: int = SEED) -> tuple[list[dict], int]:
    """``size`` articles from ``pool`` (deriving the ones it lacks) and how many were derived."""
    rng = random.Random(seed)
    if size <= len(pool):
        return rng.sample(pool, size), 0
    chosen = list(pool)
    rng.shuffle(chosen)
    derived = [derive(chosen[i % len(pool)], i // len(pool) + 1, rng) for i in range(size - len(pool))]
    return chosen + derived, len(derived)


def write(size: int, pool: list[dict], folder: Path = WORK, seed: int = SEED) -> dict:
    """Write one size and its manifest; returns the manifest."""
    articles, derived = select(pool, size, seed)
    target, manifest_path = paths(size, folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as out:
        for article in articles:
            line = (json.dumps(article, ensure_ascii=False) + "\n").encode()
            digest.update(line)
            out.write(line)
    corpus_of = {"reuters": corpora.REUTERS, "newsarticles": corpora.NEWSARTICLES, "20ng": corpora.NEWSGROUPS}
    manifest = {
        "file": target.name,
        "articles": len(articles),
        "real": len(articles) - derived,
        "derived": derived,
        "derivation": "copies of real articles with a new id, the date shifted 1-1000 days later and the "
                      "paragraphs shuffled" if derived else None,
        "by_corpus": dict(Counter(corpus_of[a["id"].split("-", 1)[0]] for a in articles)),
        "seed": seed,
        "sha256": digest.hexdigest(),
        "notes": "20 Newsgroups posts have no dates: each gets a deterministic date in 1993 (train: Jan-Jun, "
                 "test: Jul-Dec). Reuters articles are what the product's SGML reader gives.",
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def ensure(sizes: list[int], folder: Path = WORK, seed: int = SEED, force: bool = False) -> dict[int, dict]:
    """The manifests of ``sizes``, converting only the sizes not already written with this seed."""
    manifests, missing = {}, []
    for size in sizes:
        target, manifest_path = paths(size, folder)
        if not force and target.exists() and manifest_path.exists():
            manifest = json.loads(manifest_path.read_text())
            if manifest.get("seed") == seed:
                manifests[size] = manifest
                continue
        missing.append(size)
    if missing:
        pool = load_pool()
        for size in missing:
            manifests[size] = write(size, pool, folder, seed)
    return manifests


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="comma-separated article counts [default: %(default)s]")
    parser.add_argument("--out", type=Path, default=WORK, help="folder for the files [default: bench/work]")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="convert again even if the files exist")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    for size, manifest in ensure(sizes, args.out, args.seed, args.force).items():
        print(f"{paths(size, args.out)[0]}: {manifest['articles']} articles ({manifest['derived']} derived) "
              f"{manifest['by_corpus']}")


if __name__ == "__main__":
    main()
