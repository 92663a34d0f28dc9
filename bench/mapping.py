"""What the index contract costs the node: ingest rate and size on disk per sub-field, against a plain mapping.

``python -m bench.mapping`` prepares the product's own documents once (Reuters-21578 through the SGML reader,
then the indexer's parse and enrich chain, serialised as a rebuild's bulk actions; ``--quick``: the smallest
quick corpus of ``bench.convert``, and only ``plain`` and ``dateline``), outside any timing. Then it loads them
as ``_bulk`` requests on ``CONNECTIONS`` keep-alive connections into one index per mapping:

- ``plain``: headline and body with Elasticsearch's ``english`` analyzer, every keyword, date and binary field
  as a plain field of its type, nothing else indexed (the other fields stay in ``_source``);
- ``dateline``: the contract, ``dateline.schema.index_body()``;
- ``without <x>``: the contract less one costly part: each kind of sub-field (every ``*.<name>`` of the
  mapping), each field filled by ``copy_to`` (phrase suggestions), offsets in the postings
  (``index_options``), and the indexing of each text field the service never searches. Every variant is
  derived from ``dateline.schema`` here, so the contract stays the one source.

Each timed load follows an untimed load of the same mapping, so that the node's JIT has compiled the code of
that mapping's analysis chains (the first loads on a fresh node ran at a third to half the speed of later ones).
Each load is timed from the first bulk request into the new index (bulk-load settings, as a rebuild) to the
refresh that makes it searchable. Beside that rate, which a busy machine slows down, two figures of the work
itself: the node's CPU seconds meanwhile, and the index's own indexing, refresh and flush time from its stats
(which another index's load does not add to, though CPU starvation stretches it). Then the index is
force-merged to one segment and its store size read (7.10 has no ``_disk_usage`` API). Variants take turns
within each repetition; the figures of a variant are its fastest repetition, least work and smallest size
(noise only ever adds). Ratios are against ``plain`` in the same run. Results: ``mapping.json`` and ``mapping.md``.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import urllib3
from elasticsearch import Elasticsearch

from dateline import config, schema
from dateline.client import connect

from . import bulkload, convert, corpora, machine, throughput
from .bulkload import NDJSON, WAIT

RESULTS = throughput.RESULTS
# The time the node spent on the index itself (its own stats, so a neighbour's indices do not count): indexing
# the documents (analysis included), and the refreshes and flushes that write their segments.
_INDEX_TIME = (("indexing", "index_time_in_millis"), ("refresh", "total_time_in_millis"),
               ("flush", "total_time_in_millis"))
CONNECTIONS = 2
FULL_REPS, QUICK_REPS = 4, 1
# The targets of the index contract against the plain mapping of the same documents.
INGEST_RATIO, SIZE_RATIO = 0.35, 2.0
PLAIN, DATELINE = "plain", "dateline"
OFFSETS = "offsets"


def _fields(properties: dict, prefix: str = ""):
    """(dotted name, mapping) of every field and sub-field under ``properties``."""
    for name, mapping in properties.items():
        path = f"{prefix}{name}"
        yield path, mapping
        yield from _fields(mapping.get("properties", {}), f"{path}.")
        yield from _fields(mapping.get("fields", {}), f"{path}.")


def _edit(mappings: dict, change) -> dict:
    """A deep copy of ``mappings`` with ``change(mapping)`` applied to each field and sub-field."""
    edited = copy.deepcopy(mappings)
    for _, mapping in _fields(edited["properties"]):
        change(mapping)
    return edited


def plain_mappings(mappings: dict = schema.MAPPINGS) -> dict:
    """The plain mapping of the contract's documents: headline and body with the ``english`` analyzer, every
    keyword, date and binary field as is without sub-fields or normalizers; other fields only in ``_source``."""

    def plain(properties: dict, prefix: str = "") -> dict:
        kept = {}
        for name, mapping in properties.items():
            path = f"{prefix}{name}"
            if "properties" in mapping:
                inner = plain(mapping["properties"], f"{path}.")
                if inner:
                    kept[name] = {"properties": inner}
            elif path in (schema.HEADLINE, schema.BODY):
                kept[name] = {"type": "text", "analyzer": "english"}
            elif mapping["type"] in ("keyword", "date", "binary"):
                kept[name] = {key: mapping[key] for key in ("type", "format", "index") if key in mapping}
        return kept

    return {"dynamic": False, "_source": mappings["_source"], "properties": plain(mappings["properties"])}


def _without_subfield(mappings: dict, name: str) -> dict:
    return _edit(mappings, lambda mapping: mapping.get("fields", {}).pop(name, None))


def _with_offsets(mapping: dict) -> bool:
    return mapping.get("index_options") == OFFSETS


def _without_offsets(mappings: dict) -> dict:
    return _edit(mappings, lambda mapping: mapping.pop("index_options") if _with_offsets(mapping) else None)


def _unsearched_text_fields(mappings: dict) -> list[str]:
    """Indexed top-level text fields the service never searches (``lede``, ``byline``)."""
    searched = {*schema.TEXT_FIELDS, *schema.LANGUAGE_FIELDS, *_copy_targets(mappings)}
    return [path for path, mapping in _fields(mappings["properties"])
            if mapping.get("type") == "text" and "." not in path and path not in searched]


def _not_indexed(mappings: dict, field: str) -> dict:
    edited = copy.deepcopy(mappings)
    copied = {key: value for key, value in edited["properties"][field].items() if key == "copy_to"}
    edited["properties"][field] = {"type": "text", "index": False, **copied}
    return edited


def _copy_targets(mappings: dict) -> list[str]:
    """Fields filled only by ``copy_to`` from others."""
    return sorted({mapping["copy_to"] for _, mapping in _fields(mappings["properties"]) if "copy_to" in mapping})


def _without_copy_target(mappings: dict, target: str) -> dict:
    edited = _edit(mappings, lambda mapping: mapping.pop("copy_to", None) if mapping.get("copy_to") == target else None)
    del edited["properties"][target]
    return edited


def variants(mappings: dict = schema.MAPPINGS) -> dict[str, dict]:
    """Name → mappings: plain, the contract, and the contract without each costly part."""
    subfields = sorted({sub for _, mapping in _fields(mappings["properties"]) for sub in mapping.get("fields", {})})
    found = {PLAIN: plain_mappings(mappings), DATELINE: mappings}
    for name in subfields:
        found[f"without *.{name}"] = _without_subfield(mappings, name)
    for target in _copy_targets(mappings):
        found[f"without {target}"] = _without_copy_target(mappings, target)
    if any(_with_offsets(mapping) for _, mapping in _fields(mappings["properties"])):
        found[f"without {OFFSETS}"] = _without_offsets(mappings)
    for field in _unsearched_text_fields(mappings):
        found[f"{field} not indexed"] = _not_indexed(mappings, field)
    return found


def prepare(source: Path, index: str) -> bulkload.Prepared:
    """The rebuild's bulk bodies of ``source`` (a file or folder the indexer reads), addressed to ``index``."""
    return bulkload.prepare([source], index)


def _send(es_url: str, bodies: list[bytes], connections: int) -> None:
    """POST every body to ``/_bulk``, ``connections`` requests at a time."""
    pool = urllib3.connection_from_url(es_url, maxsize=connections, block=True)
    queue = iter(bodies)
    lock = threading.Lock()
    failures: list[str] = []

    def worker() -> None:
        while not failures:
            with lock:
                chunk = next(queue, None)
            if chunk is None:
                return
            response = pool.urlopen("POST", "/_bulk", body=chunk, headers=NDJSON, timeout=WAIT)
            if response.status != 200 or json.loads(response.data)["errors"]:
                failures.append(f"bulk request refused ({response.status}): {response.data[:300]!r}")

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pool.close()
    if failures:
        raise RuntimeError(failures[0])


def load(client: Elasticsearch, es_url: str, prepared: bulkload.Prepared, mappings: dict,
         connections: int = CONNECTIONS) -> dict:
    """Load ``prepared`` into a new index with ``mappings`` (the contract's settings); its rate, the node's
    CPU seconds and its size once force-merged. The index is deleted afterwards."""
    index = prepared.index
    client.indices.delete(index=index, ignore_unavailable=True)
    throughput.settle(client)
    settings = schema.index_body()["settings"]
    client.indices.create(index=index, settings=settings, mappings=mappings)
    client.cluster.health(index=index, wait_for_status="yellow", timeout="60s", request_timeout=WAIT)
    cpu = throughput.node_cpu_seconds(client)
    started = time.perf_counter()
    _send(es_url, prepared.bodies, connections)
    client.indices.refresh(index=index, request_timeout=WAIT)
    seconds = time.perf_counter() - started
    node_cpu = throughput.node_cpu_seconds(client) - cpu
    try:
        work = client.indices.stats(index=index, metric="indexing,refresh,flush")["indices"][index]["primaries"]
        index_ms = sum(work[kind][key] for kind, key in _INDEX_TIME)
        count = client.count(index=index, request_timeout=WAIT)["count"]
        if count != prepared.documents:
            raise RuntimeError(f"{index} holds {count} documents, expected {prepared.documents}")
        client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=WAIT)
        client.indices.refresh(index=index, request_timeout=WAIT)  # until then readers hold the merged segments
        stats = client.indices.stats(index=index, metric="store")
        size = stats["indices"][index]["primaries"]["store"]["size_in_bytes"]
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)
    return {"seconds": round(seconds, 3), "docs_per_s": round(count / seconds, 1), "node_cpu_s": round(node_cpu, 2),
            "index_ms": index_ms, "bytes": size, "load_average": round(os.getloadavg()[0], 2)}


def summarise(name: str, runs: list[dict], documents: int) -> dict:
    fastest = max(runs, key=lambda run: run["docs_per_s"])
    size = min(run["bytes"] for run in runs)
    return {"variant": name, "docs_per_s": fastest["docs_per_s"], "load_average": fastest["load_average"],
            "node_cpu_ms_per_article": round(1000 * min(run["node_cpu_s"] for run in runs) / documents, 3),
            "index_ms_per_article": round(min(run["index_ms"] for run in runs) / documents, 3),
            "mb_per_1000": round(size / 2**20 / documents * 1000, 3), "bytes": size, "runs": runs}


def measure(client: Elasticsearch, es_url: str, prepared: bulkload.Prepared, reps: int,
            chosen: dict[str, dict] | None = None) -> list[dict]:
    """Every variant loaded ``reps`` times, the variants taking turns; one summary row each, with ratios to
    ``plain``."""
    chosen = chosen or variants()
    runs: dict[str, list[dict]] = {name: [] for name in chosen}
    for rep in range(reps):
        for name, mappings in chosen.items():
            load(client, es_url, prepared, mappings)  # untimed: see the module's docstring
            runs[name].append(load(client, es_url, prepared, mappings))
            print(f"mapping {rep + 1}/{reps} {name}: {runs[name][-1]}", file=sys.stderr)
    return with_ratios([summarise(name, found, prepared.documents) for name, found in runs.items()])


def with_ratios(rows: list[dict]) -> list[dict]:
    """``rows`` (of ``summarise``, ``plain`` first) with their ratios to ``plain``."""
    base = rows[0]
    for row in rows:
        row["ingest_ratio"] = round(row["docs_per_s"] / base["docs_per_s"], 3)
        row["size_ratio"] = round(row["bytes"] / base["bytes"], 3)
        row["index_time_ratio"] = round(base["index_ms_per_article"] / row["index_ms_per_article"], 3)
        # Beside the fastest runs, how the ratios spread: each repetition's against plain's of the same one.
        pairs = list(zip(base["runs"], row["runs"], strict=True))
        row["ingest_ratio_median"] = round(statistics.median(r["docs_per_s"] / b["docs_per_s"] for b, r in pairs), 3)
        row["index_time_ratio_median"] = round(statistics.median(b["index_ms"] / r["index_ms"] for b, r in pairs), 3)
    return rows


def markdown(results: dict) -> str:
    rows = {row["variant"]: row for row in results["variants"]}
    contract = rows[DATELINE]
    version = results["machine"]["elasticsearch"]
    lines = [
        "# Index mapping: ingest rate and size on disk", "",
        f"Generated {results['generated']} by `bench/mapping.py` on Elasticsearch {version}: "
        f"{results['documents']} articles ({results['corpus']}), `_bulk` on {results['connections']} connections, "
        f"best of {results['reps']} loads per mapping, size after a force-merge to one segment. Load average at "
        f"the start {results['load_average_start']}, at the end {results['load_average_end']}.", "",
        "| mapping | docs/s | × plain | index time ms/article | plain's ÷ this | node CPU ms/article "
        "| MB per 1,000 articles | × plain | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['variant']} | {r['docs_per_s']:,.0f} | {r['ingest_ratio']:.2f} | "
              f"{r['index_ms_per_article']:.2f} | {r['index_time_ratio']:.2f} | "
              f"{r['node_cpu_ms_per_article']:.2f} | {r['mb_per_1000']:.2f} | {r['size_ratio']:.2f} | "
              f"{r['load_average']} |" for r in rows.values()]
    lines += ["", "## Targets", "",
              f"Value: the fastest runs' ratio; beside it, the median of the {results['reps']} repetitions' ratios "
              "(each against plain's run of the same repetition), which shows how far the machine's noise moves "
              "it.", "",
              "| target | value | median of repetitions | met |", "|---|---:|---:|---|",
              f"| ingest rate ≥ {INGEST_RATIO} × plain | {contract['ingest_ratio']:.2f} | "
              f"{contract['ingest_ratio_median']:.2f} | "
              f"{'yes' if contract['ingest_ratio'] >= INGEST_RATIO else '**no**'} |",
              f"| index time: plain's ≥ {INGEST_RATIO} × this | {contract['index_time_ratio']:.2f} | "
              f"{contract['index_time_ratio_median']:.2f} | "
              f"{'yes' if contract['index_time_ratio'] >= INGEST_RATIO else '**no**'} |",
              f"| size ≤ {SIZE_RATIO} × plain | {contract['size_ratio']:.2f} | | "
              f"{'yes' if contract['size_ratio'] <= SIZE_RATIO else '**no**'} |"]
    return "\n".join(lines) + "\n"


def _reuters_source(folder: Path, articles: int | None) -> Path:
    """Reuters-21578 as the indexer's JSON Lines (``bench.corpora.reuters``; its first ``articles`` if given),
    written into ``folder``."""
    source = folder / "reuters.jsonl"
    with source.open("w", encoding="utf-8") as stream:
        stream.writelines(json.dumps(record, ensure_ascii=False) + "\n"
                          for record in itertools.islice(corpora.reuters(), articles))
    return source


def run(alias: str, out: Path, folder: Path = convert.WORK, quick: bool = False, reps: int | None = None,
        articles: int | None = None) -> list[Path]:
    """Measure every variant and write ``mapping.json`` and ``mapping.md`` into ``out``."""
    settings = config.from_env()
    client = connect(settings)
    index = f"{alias}-mapping-{uuid.uuid4().hex[:8]}"
    load_start = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as scratch:
        if quick:
            size = min(throughput.QUICK_SIZES)
            convert.ensure([size], folder)
            source, corpus = convert.paths(size, folder)[0], f"bench.convert {convert.label(size)}"
        else:
            source = _reuters_source(Path(scratch), articles)
            corpus = f"Reuters-21578 through the SGML reader{f', the first {articles}' if articles else ''}"
        prepared = prepare(source, index)
    reps = reps or (QUICK_REPS if quick else FULL_REPS)
    chosen = variants()
    if quick:  # the code path, not the figures: the contract against plain
        chosen = {name: chosen[name] for name in (PLAIN, DATELINE)}
    rows = measure(client, settings.es_urls[0], prepared, reps, chosen)
    results = {
        "benchmark": "mapping", "quick": quick, "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine.describe(client), "corpus": corpus, "documents": prepared.documents,
        "connections": CONNECTIONS, "reps": reps, "load_average_start": load_start,
        "load_average_end": round(os.getloadavg()[0], 2), "method": __doc__.split("\n\n", 1)[1].strip(),
        "variants": rows,
    }
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "mapping.json", out / "mapping.md"]
    written[0].write_text(json.dumps(results, indent=2) + "\n")
    written[1].write_text(markdown(results))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mapping", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny corpus, one load of plain and of the contract")
    parser.add_argument("--reps", type=int, help=f"loads per mapping (default: {FULL_REPS})")
    parser.add_argument("--articles", type=int, help="only the first N Reuters articles (default: all)")
    parser.add_argument("--alias", help="name prefix of the scratch index [default: bench, or bench-quick]")
    parser.add_argument("--out", type=Path, help="results folder [default: bench/results]")
    args = parser.parse_args(argv)
    alias = args.alias or ("bench-quick" if args.quick else "bench")
    out = args.out or (throughput.QUICK_RESULTS if args.quick else RESULTS)
    for path in run(alias, out, quick=args.quick, reps=args.reps, articles=args.articles):
        print(path)


if __name__ == "__main__":
    main()
