"""Place spellings from geographic data: what they cost the index and what they find.

``python -m bench.spellings`` measures, in one run, the index contract with the operator's synonyms only
(``before``: an empty ``place_spellings.txt``) and with the place spellings merged behind them (``after``):

- **the synonym filter's cost**: ``ROUNDS`` article indices of each, created alternately on a node of their own
  (``.ci/es-node`` on a free port, so that nothing else allocates in its heap): the median seconds to create one,
  and the heap each adds, read from the node after a full garbage collection (``jcmd <pid> GC.run``);
- **the held-out place spellings** (``tests/relevance/place_spellings_heldout.tsv``, ``bench.names``) on the
  shared node: a spelling is found when its place's article is the first hit of ``/api/search``;
- **searches** over the first ``ARTICLES`` Reuters-21578 articles, indexed by the rebuild under each contract:
  ``bench.names``'s ordinary queries and the held-out list's places by their English names, through
  ``/api/search``, alternately ``SEARCH_ROUNDS`` times: median milliseconds, and the share of queries whose
  top 10 is the same under both.

It writes ``bench/results/spellings.md`` (or ``--out``) with the load average beside the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from elasticsearch import Elasticsearch

from dateline import config, schema
from dateline.client import connect
from dateline.indexer.rebuild import rebuild

from . import corpora, names
from .machine import port_free

ROOT = Path(__file__).resolve().parent.parent
ES_NODE = ROOT / ".ci" / "es-node"
RESULTS = Path(__file__).resolve().parent / "results" / "spellings.md"
ROUNDS = 5
ARTICLES = 5000
ORDINARY_QUERIES = 150
SEARCH_ROUNDS = 3


@contextmanager
def _without_place_spellings():
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as empty, \
            mock.patch.object(schema, "PLACE_SPELLINGS", Path(empty.name)):
        yield


@contextmanager
def _own_node():
    """A single node of its own on a free port (from 9299 down, as the integration tests pick theirs)."""
    port = next(p for p in range(9299, 9260, -1) if port_free(p) and port_free(p + 100))
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ES_PORT": str(port), "ES_NODE_DIR": folder, "ES_HEAP": "768m",
               "ES_START_TIMEOUT": "240"}
        subprocess.run([str(ES_NODE), "start"], env=env, check=True, capture_output=True)
        try:
            yield Elasticsearch(f"http://127.0.0.1:{port}"), (Path(folder) / "node.pid").read_text().strip()
        finally:
            subprocess.run([str(ES_NODE), "stop"], env=env, capture_output=True)


def _heap(es: Elasticsearch, pid: str) -> int:
    for _ in range(2):
        subprocess.run(["jcmd", pid, "GC.run"], check=True, capture_output=True)
        time.sleep(1)
    node = next(iter(es.nodes.stats(metric="jvm")["nodes"].values()))
    return node["jvm"]["mem"]["heap_used_in_bytes"]


def synonym_cost(rounds: int = ROUNDS) -> dict:
    """Per contract (before, after): rules in the search synonyms, median seconds to create an index, MB of
    heap per index."""
    with _without_place_spellings():
        before = schema.index_body()
    bodies = {"before": before, "after": schema.index_body()}
    figures: dict = {name: {"rules": len(body["settings"]["analysis"]["filter"]["place_synonyms"]["synonyms"]),
                            "seconds": [], "heap_bytes": []} for name, body in bodies.items()}
    with _own_node() as (es, pid):
        for i in range(rounds):
            for name, body in bodies.items():
                empty = _heap(es, pid)
                started = time.monotonic()
                es.indices.create(index=f"cost-{name}-{i}", settings=body["settings"], mappings=body["mappings"],
                                  request_timeout=120)
                figures[name]["seconds"].append(time.monotonic() - started)
                figures[name]["heap_bytes"].append(_heap(es, pid) - empty)
                es.indices.delete(index=f"cost-{name}-{i}")
    return {name: {"rules": f["rules"], "create_seconds": round(statistics.median(f["seconds"]), 2),
                   "heap_mb": round(statistics.median(f["heap_bytes"]) / 1e6, 2)} for name, f in figures.items()}


def place_recall(es: Elasticsearch) -> dict:
    with _without_place_spellings():
        before = names.place_recall(es, "bench-spellings-before")
    return {"before": before, "after": names.place_recall(es, "bench-spellings-after")}


def searches(es: Elasticsearch, data_dir: Path = corpora.DATA) -> dict:
    """Median /api/search milliseconds per kind of query and contract, and the share of each kind whose top
    10 is the same under both contracts."""
    records = list(itertools.islice(corpora.reuters(data_dir / corpora.REUTERS), ARTICLES))
    queries = {"ordinary": names.ordinary_queries(records, ORDINARY_QUERIES),
               "place": list(dict.fromkeys(place.lower() for _, place, _ in names.read_place_spellings()))}
    aliases = {"before": "bench-spellings-search-before", "after": "bench-spellings-search-after"}
    try:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "reuters.jsonl"
            source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
            with _without_place_spellings():
                rebuild(es, aliases["before"], [str(source)], keep=0)
            rebuild(es, aliases["after"], [str(source)], keep=0)
        times: dict = {(kind, name): [] for kind in queries for name in aliases}
        tops: dict = {}
        clients = {name: names.api(es, alias) for name, alias in aliases.items()}
        for _ in range(SEARCH_ROUNDS):
            for kind, batch in queries.items():
                for q in batch:
                    for name, client in clients.items():
                        started = time.perf_counter()
                        tops[kind, name, q] = names.api_top(client, q)
                        times[kind, name].append(time.perf_counter() - started)
    finally:
        for alias in aliases.values():
            names.delete_alias(es, alias)
    return {kind: {"queries": len(batch),
                   **{f"{name}_ms": round(statistics.median(times[kind, name]) * 1000, 1) for name in aliases},
                   "same_top10": round(sum(tops[kind, "before", q] == tops[kind, "after", q] for q in batch)
                                       / len(batch), 3)}
            for kind, batch in queries.items()}


def markdown(cost: dict, recall: dict, search: dict, load: str) -> str:
    spellings = sum(len(rule.split(", ")) for rule in schema.read_synonyms(schema.PLACE_SPELLINGS))
    lines = ["# Place spellings from geographic data", "",
             f"`python -m bench.spellings`: the index contract with the operator's synonyms only (before) and "
             f"with `core/analysis/place_spellings.txt` ({spellings:,} spellings) merged behind them (after). "
             f"Load average during the run: {load}.", "",
             "| | before | after |", "|---|---:|---:|",
             f"| rules of the search synonym filter | {cost['before']['rules']} | {cost['after']['rules']} |",
             f"| index creation, median of {ROUNDS} (s) | {cost['before']['create_seconds']} | "
             f"{cost['after']['create_seconds']} |",
             f"| heap per index after full GC, median (MB) | {cost['before']['heap_mb']} | "
             f"{cost['after']['heap_mb']} |",
             f"| held-out place spellings found first | {recall['before']['found']} / {recall['before']['queries']} | "
             f"{recall['after']['found']} / {recall['after']['queries']} |"]
    for kind, figures in search.items():
        lines.append(f"| /api/search, {figures['queries']} {kind} queries over {ARTICLES:,} Reuters articles, median "
                     f"(ms) | {figures['before_ms']} | {figures['after_ms']} |")
    lines += ["", "Share of queries whose top 10 is the same before and after: "
              + ", ".join(f"{kind} {f['same_top10']:.1%}" for kind, f in search.items()) + ".", ""]
    for name in ("before", "after"):
        lines.append(f"Missed {name}: " + ("; ".join(recall[name]["misses"]) or "none") + ".")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spellings", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"the Markdown file to write ({RESULTS})")
    args = parser.parse_args(argv)
    es = connect(config.from_env())
    recall = place_recall(es)
    search = searches(es)
    cost = synonym_cost()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    args.out.write_text(markdown(cost, recall, search, load), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
