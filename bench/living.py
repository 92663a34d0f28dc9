"""The living archive: how soon one added article is searchable, ``add`` against ``rebuild`` of the same
articles, and searches during ``add``, ``delete`` and ``watch``.

On a base index of ``--base`` articles (the benchmark corpus, ``bench/convert.py``):

1. ``rebuild`` of ``--size`` other articles behind a scratch alias, then ``add`` of the same articles into the
   base index (both as the real command, in a subprocess): the throughput ratio add / rebuild.
2. twenty times: ``dateline index add`` of one new article, timed from the start of the command until a
   search finds it; the median.
3. ``delete`` of a few hundred of the added articles, and ``watch`` of a folder that receives twenty files.

Throughout, a client searches the alias without pause and counts failed searches per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from elasticsearch import Elasticsearch

from dateline import config, schema
from dateline.client import connect

from . import convert, report
from .throughput import DATELINE, REBUILD_ENV, RESULTS, run_rebuild, settle

SPARE = 400  # articles beyond base and size, from which forty with new texts are taken
QUERIES = ["oil prices", "wheat exports", "central bank", "election", "trade deficit", "earthquake"]


class Searcher:
    """Searches the alias in a loop on a thread; counts answers and failures per phase."""

    def __init__(self, client: Elasticsearch, alias: str):
        self._client, self._alias = client, alias
        self.phase = "idle"
        self.counts: dict[str, dict[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = random.Random(7)
        while not self._stop.is_set():
            counts = self.counts.setdefault(self.phase, {"searches": 0, "failed": 0})
            try:
                self._client.search(index=self._alias, query={"match": {schema.BODY: rng.choice(QUERIES)}},
                                    size=10)
                counts["searches"] += 1
            except Exception:  # any failure is what we count
                counts["failed"] += 1

    def __enter__(self) -> Searcher:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def _dateline(*args: str, alias: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **REBUILD_ENV, "DATELINE_ALIAS": alias}  # no vectors, as in the rebuilds compared
    result = subprocess.run([str(DATELINE), "index", *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"dateline index {args[0]} failed: {result.stderr[-2000:]}")
    return result


def _write(records: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def run(base: int, size: int, alias: str, out: Path) -> dict:
    client = connect(config.from_env())
    # Beyond the ~41,600 real articles the pool holds derived ones (``convert.select``), as the 100k size does.
    pool, _ = convert.select(convert.load_pool(), base + size + SPARE)
    work = Path(tempfile.mkdtemp(prefix="bench-living-"))
    base_file = _write(pool[:base], work / "base" / "base.jsonl")
    added_file = _write(pool[base:base + size], work / "added" / "added.jsonl")
    # One-article adds and watched files need texts the index does not hold yet (a derived copy of a
    # one-paragraph article repeats its text, and ``add`` would rightly call it a duplicate).
    held, fresh = {r["body"] for r in pool[:base + size]}, []
    for record in pool[base + size:]:
        if record["body"] not in held and len(fresh) < 40:
            held.add(record["body"])
            fresh.append(record)
    singles = [_write([r], work / "singles" / f"{n:02d}.jsonl") for n, r in enumerate(fresh[:20])]
    watched = fresh[20:]
    result: dict = {"base": base, "size": size, "load_average": os.getloadavg()[0]}
    run_rebuild(base_file.parent, alias)
    settle(client)
    with Searcher(client, alias) as searcher:
        searcher.phase = "rebuild (other alias)"
        rebuilt = run_rebuild(added_file.parent, f"{alias}-scratch")
        client.indices.delete(index=rebuilt["index"])
        settle(client)
        searcher.phase = "add"
        started = time.perf_counter()
        _dateline("add", "--source", str(added_file.parent), "--no-progress", alias=alias)
        added_seconds = time.perf_counter() - started
        result["add_vs_rebuild"] = {"rebuild_seconds": rebuilt["seconds"], "add_seconds": round(added_seconds, 3),
                                    "throughput_ratio": round(rebuilt["seconds"] / added_seconds, 3)}
        settle(client)

        searcher.phase = "add one"
        seconds = []
        for path in singles:
            doc_id = json.loads(path.read_text())["id"]
            started = time.perf_counter()
            _dateline("add", "--source", str(path), "--no-progress", alias=alias)
            while not client.search(index=alias, query={"ids": {"values": [doc_id]}}, size=0)["hits"]["total"]["value"]:
                time.sleep(0.01)
            seconds.append(time.perf_counter() - started)
        result["one_article_searchable_seconds"] = {"median": round(statistics.median(seconds), 3),
                                                   "max": round(max(seconds), 3), "runs": len(seconds)}

        searcher.phase = "delete"
        doomed = [r["id"] for r in pool[base:base + size][:300]]
        started = time.perf_counter()
        _dateline("delete", *doomed, alias=alias)
        result["delete_seconds"] = {"ids": len(doomed), "seconds": round(time.perf_counter() - started, 3)}

        searcher.phase = "watch"
        inbox = work / "inbox"
        inbox.mkdir()
        env = {**os.environ, **REBUILD_ENV, "DATELINE_ALIAS": alias}
        watcher = subprocess.Popen([str(DATELINE), "index", "watch", "--source", str(inbox), "--interval", "1"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, record in enumerate(watched):
            _write([record], inbox / f"{n:02d}.jsonl")
            time.sleep(0.5)
        ids = [r["id"] for r in watched]
        while client.search(index=alias, query={"ids": {"values": ids}}, size=0)["hits"]["total"]["value"] < len(ids):
            time.sleep(0.2)
        watcher.send_signal(signal.SIGTERM)
        log, _ = watcher.communicate(timeout=120)
        result["watch"] = {"files": len(watched), "log_lines": len(log.splitlines()), "exit": watcher.returncode}
        searcher.phase = "done"
    result["searches"] = {phase: counts for phase, counts in searcher.counts.items() if phase != "done"}
    out.mkdir(parents=True, exist_ok=True)
    (out / "living.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.living", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=20_000, help="articles in the index before [default: %(default)s]")
    parser.add_argument("--size", type=int, default=5_000, help="articles added at once [default: %(default)s]")
    parser.add_argument("--alias", default="bench-living", help="alias to use [default: %(default)s]")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for living.json [default: bench/results]")
    args = parser.parse_args(argv)
    json.dump(run(args.base, args.size, args.alias, args.out), sys.stdout, indent=2)
    print()
    report.write(args.out)


if __name__ == "__main__":
    main()
