"""The indexer's own rate with the node replaced by a null sink: ``python -m bench.pipeline [--size N]``.

What a rebuild does in Python for each article (read, parse, enrich, cluster into stories, serialise the
bulk action lines as the product's client does), with the bodies thrown away instead of sent. Run in this
process with ``--workers`` 1 and 2 in turn, ``ROUNDS`` times (after one untimed warm-up that loads the
gazetteer and language models), so that a slower spell of the machine falls on both; each keeps its median
run. Wall seconds give the rate, and the CPU seconds of this process and its worker processes give the rate
per core. The node's own rate per core, from the raw loader of the throughput benchmark, is the yardstick.

Beside it, the pipeline's floor (``library_floor``): per article only the calls into compiled libraries that
its features rest on (the record's JSON, the entity tokenizer's regular expression, CLD2, the CRC-32 of the
story shingles, the body hash, the bulk line's JSON), with no Python logic of dateline's between them. A
pipeline in Python cannot be cheaper than that.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import resource
import sys
import time
import zlib
from pathlib import Path

import orjson
import pycld2
from elasticsearch import helpers

from dateline.client import FastJSONSerializer
from dateline.indexer.article import Skip
from dateline.indexer.enrich.gazetteer import TOKEN, load_gazetteer
from dateline.indexer.language import CLD2_SAMPLE_CHARS
from dateline.indexer.pipeline import documents

from . import convert

WORKERS = (1, 2)
ROUNDS = 3


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (the workers end with each run)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def null_sink(source: Path, workers: int, gazetteer=None) -> dict:
    """One pass of the pipeline over ``source`` into a null sink; articles, seconds, CPU seconds and rates."""
    serializer = FastJSONSerializer()  # the client's, as a rebuild's bulk requests are serialised
    articles = written = 0
    cpu, started = _cpu_seconds(), time.perf_counter()
    for item in documents([str(source)], gazetteer, workers=workers):
        if isinstance(item, Skip):
            continue
        articles += 1
        if not item.duplicate_of:
            action = {"_op_type": "index", "_index": "null", "_id": item.id, "_source": item.source}
            written += sum(len(serializer.dumps(part)) for part in helpers.expand_action(action))
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {"workers": workers, "articles": articles, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "per_s": round(articles / seconds, 1), "per_cpu_s": round(articles / cpu, 1),
            "megabytes": round(written / 2**20, 1), "load_average": round(os.getloadavg()[0], 2)}


def _floor_article(line: bytes) -> bytes:
    record = orjson.loads(line)
    headline, body = record.get("headline") or "", record.get("body") or ""
    TOKEN.findall(headline)
    TOKEN.findall(body)
    try:
        pycld2.detect(body[:CLD2_SAMPLE_CHARS])
    except pycld2.error:
        pass
    words = body.lower().encode().split()
    sorted(map(zlib.crc32, map(b" ".join, zip(words, words[1:], words[2:], strict=False))))
    hashlib.blake2b(body.encode(), digest_size=10).hexdigest()
    return orjson.dumps(record)


def library_floor(source: Path, rounds: int = ROUNDS) -> dict:
    """The library calls of the per-article work alone, over the records of ``source``, in this process: the
    fastest of ``rounds`` passes, in articles per CPU second."""
    with gzip.open(source, "rb") as lines:
        records = lines.read().splitlines()
    best = float("inf")
    for _ in range(rounds):
        cpu = time.process_time()
        for line in records:
            _floor_article(line)
        best = min(best, time.process_time() - cpu)
    return {"articles": len(records), "cpu_seconds": round(best, 2), "per_cpu_s": round(len(records) / best, 1)}


def _median_run(runs: list[dict]) -> dict:
    """The run of median rate (the slower of the middle two of an even number)."""
    return sorted(runs, key=lambda run: run["per_s"])[(len(runs) - 1) // 2]


def measure(source: Path, workers: tuple[int, ...] = WORKERS, rounds: int = ROUNDS) -> dict:
    gazetteer = load_gazetteer()
    null_sink(source, 1, gazetteer)  # warm-up: models loaded, files in the page cache
    turns = [null_sink(source, n, gazetteer) for _ in range(rounds) for n in workers]
    runs = [_median_run([t for t in turns if t["workers"] == n]) for n in workers]
    by = {run["workers"]: run for run in runs}
    return {"source": source.name, "rounds": rounds, "runs": runs,
            "speedup_2_over_1": round(by[2]["per_s"] / by[1]["per_s"], 2) if {1, 2} <= set(by) else None,
            "library_floor": library_floor(source, rounds)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="corpus size [default: 10000]")
    args = parser.parse_args(argv)
    source = convert.paths(args.size, convert.WORK)[0]
    convert.ensure([args.size], convert.WORK)
    json.dump(measure(source), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
