"""Hybrid ranking: relevance, latency and rebuild cost against lexical ranking: ``python -m bench.hybrid``.

Relevance. Each judged collection (``bench.relevance``: SciFact, NFCorpus) is indexed by the product's rebuild
with vectors and asked through ``/api/search`` twice, ``ranking=lexical`` and ``ranking=hybrid`` (the top 100 of
each query), beside the plain ``english`` baseline (Elasticsearch's english analyzer with BEIR's query). The
fusion was tuned on the first half of each collection's test queries (in file order) and is reported on the
second half, held out, as well as on all. For the tuning, every query's lexical candidates (with their vectors)
and the articles nearest in meaning that the words did not find (none, or of the 50, 100 or 200 nearest) are
fused offline at several meaning weights and by reciprocal rank fusion: the ``fusion`` table.

Latency. ``dateline serve`` (granian, 2 workers of 4 threads) with ``ranking=lexical`` and ``ranking=hybrid``
taking turns in short slices, at 1 and 16 clients (closed loop, ``bench.load``), over ``--latency-size`` articles
of the benchmark corpus (``bench.convert``; the latency benchmark's searches with words, ranked by relevance) with
stand-in vectors (``index_at_scale``: embedding 100k articles would take hours on two cores), or over SciFact
built with vectors (``--reuse``, its test queries).

Rebuild. ``dateline index rebuild`` of the first ``--rebuild-size`` SciFact articles with vectors and without:
articles a second and the indexer's peak RSS.

``--reuse PREFIX`` searches aliases ``PREFIX-<collection>`` already built with vectors instead of rebuilding
them (the relevance figures do not depend on the build). ``--parts`` runs some of the three and keeps the others
from the last report. Results: ``bench/results/hybrid.{json,md}``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
import uuid
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk, scan

from dateline import config, embedding, schema
from dateline.client import connect
from dateline.indexer.enrich import vectors
from dateline.indexer.rebuild import live_index, versions
from dateline.service import nearest, ranking
from dateline.service.params import SearchParams
from dateline.service.query import build_search

from . import convert, load, queries, relevance
from .latency import serving
from .throughput import run_rebuild

OUT = relevance.DEFAULT_OUT_DIR
WEIGHTS = [round(0.1 * i, 1) for i in range(11)]
NEAREST_TRIED = (0, 50, 100, 200)  # articles found by meaning a query (0: re-ranking the lexical candidates)
LATENCY = {"clients": (1, 16), "seconds": 20.0, "rounds": 4, "warmup": 1.0}
LATENCY_SEARCHES = 300
PARTS = ("relevance", "latency", "rebuild")


def halves(queries: dict[str, str]) -> tuple[set[str], set[str]]:
    """(tuning, held-out): the first and second half of the queries in file order."""
    ids = list(queries)
    return set(ids[: len(ids) // 2]), set(ids[len(ids) // 2:])


def _ndcg(qrels, hits: dict[str, list[str]], among: set[str] | None = None) -> float:
    run = relevance.Run(hits={q: ids for q, ids in hits.items() if among is None or q in among})
    chosen = [q for q in qrels if among is None or q.query_id in among]
    return round(relevance.mean(relevance.per_query(chosen, run)["nDCG@10"]), 4)


def lexical_candidates(es: Elasticsearch, alias: str, queries: dict[str, str]) -> dict[str, tuple]:
    """Each query's lexical candidates as the service fetches them: (ids, scores, stored vectors or None, the
    results' keys: ``ranking.result_key``)."""
    found = {}
    for qid, text in queries.items():
        request = build_search(SearchParams(q=text, size=relevance.DEPTH))
        hits = es.search(index=alias, **ranking.candidates_request(request))["hits"]["hits"]
        found[qid] = ([ranking.article_id(h) for h in hits], [h["_score"] or 0.0 for h in hits],
                      [(h.get("fields", {}).get(schema.VECTOR) or [None])[0] for h in hits],
                      {ranking.result_key(h, "collapse" in request) for h in hits})
    return found


def candidates(es: Elasticsearch, alias: str, queries: dict[str, str]) -> dict[str, tuple[list, list, list, list]]:
    """Each query's candidates as the service fetches them: the lexical ones (ids, scores, cosines with the
    query) and those of the ``max(NEAREST_TRIED)`` nearest in meaning that the words did not find (id, cosine,
    rank among the nearest)."""
    encoder = embedding.query_encoder()
    matrix = nearest.load(es, nearest.index_state(es, alias))
    found = {}
    for qid, (ids, scores, stored, keys) in lexical_candidates(es, alias, queries).items():
        vector = encoder.encode([queries[qid]])[0]
        close = matrix.nearest(vector, max(NEAREST_TRIED))
        request = build_search(SearchParams(q=queries[qid], size=relevance.DEPTH))
        near = es.search(index=alias, **ranking.nearest_request(request, [article for article, _ in close]))
        only = [(article, cosine, rank) for article, _, cosine, rank
                in ranking.found_by_meaning(close, ranking.stories_of(near["hits"]["hits"]), keys,
                                            "collapse" in request)]
        found[qid] = (ids, scores, [float(c) for c in embedding.cosines(vector, stored)], only)
    return found


def fusion_table(qrels, found: dict, tuning: set[str], held_out: set[str], nearest_tried=(0,)) -> list[dict]:
    """nDCG@10 of each fusion, over the lexical candidates (ids, scores, cosines) and the first ``k`` of
    ``nearest_tried`` nearest in meaning (the entries' fourth column, if any: ``candidates``), on the tuning and
    held-out queries."""
    rows = []
    methods = [(f"blend w={w}", lambda s, c, w=w: ranking.fuse(s, c, w)) for w in WEIGHTS]
    methods.append(("RRF k=60", ranking.reciprocal_rank_fusion))
    for k in nearest_tried:
        for name, fusion in methods:
            hits = {}
            for q, (ids, scores, cosines, *only) in found.items():
                near = [(article, cosine) for article, cosine, rank in (only or [[]])[0] if rank < k]
                union = ids + [article for article, _ in near]
                hits[q] = [union[i] for i in ranking.fuse_union(scores, cosines, [c for _, c in near], fusion)]
            rows.append({"fusion": name, "nearest": k, "tuning": _ndcg(qrels, hits, tuning),
                         "held_out": _ndcg(qrels, hits, held_out)})
    return rows


def relevance_of(es: Elasticsearch, collection: relevance.Collection, data_dir: Path, alias: str | None,
                 prefix: str) -> dict:
    folder = collection.path(data_dir)
    qrels = relevance.read_qrels(folder)
    queries = relevance.read_queries(folder, {q.query_id for q in qrels})
    tuning, held_out = halves(queries)
    result: dict = {"queries": len(queries), "tuning_queries": len(tuning), "held_out_queries": len(held_out)}
    plain = f"{prefix}-{collection.name}-english"
    try:
        relevance.build_plain_index(es, plain, "english", relevance.read_corpus(folder))
        english = relevance.search_plain(es, plain, queries).hits
    finally:
        es.indices.delete(index=plain, ignore_unavailable=True)
    built = None
    if alias is None:
        alias = built = f"{prefix}-{collection.name}"
        started = time.monotonic()
        result["documents"] = relevance.index_product(es, alias, relevance.read_corpus(folder),
                                                      encoder=embedding.shared_encoder())
        result["build_seconds"] = round(time.monotonic() - started, 1)
    try:
        runs = {"english": english}
        for name in ranking.RANKINGS:
            runs[f"dateline {name}"] = relevance.search_product(es, alias, queries, ranking=name).hits
        result["systems"] = {name: {"nDCG@10": _ndcg(qrels, hits), "tuning": _ndcg(qrels, hits, tuning),
                                    "held_out": _ndcg(qrels, hits, held_out)} for name, hits in runs.items()}
        result["fusion"] = fusion_table(qrels, candidates(es, alias, queries), tuning, held_out, NEAREST_TRIED)
    finally:
        if built:
            for index in es.indices.get_alias(name=built):
                es.indices.delete(index=index)
    hybrid, bar = result["systems"]["dateline hybrid"]["nDCG@10"], result["systems"]["english"]["nDCG@10"]
    result["vs_english"] = round(hybrid / bar - 1, 4) if bar else None
    return result


def latency_of(alias: str, searches: list[list[tuple[str, str]]], plan: dict) -> list[dict]:
    """p50/p99 of ``/api/search`` with each ranking at each number of clients, rankings taking turns."""
    requests = {name: [load.Request("GET", "/api/search?" + urlencode([*pairs, ("ranking", name)]))
                       for pairs in searches] for name in ranking.RANKINGS}
    cells = []
    with serving(alias, workers=2) as port:
        # Each worker loads the model and, in the background, the article vectors on its first hybrid search: not
        # counted.
        load.run("127.0.0.1", port, requests[ranking.HYBRID], 4, seconds=0.0, warmup=10.0)
        for clients in plan["clients"]:
            seen: dict[str, list] = {name: [] for name in ranking.RANKINGS}
            for _ in range(plan["rounds"]):
                for name in ranking.RANKINGS:
                    _, outcomes = load.run("127.0.0.1", port, requests[name], clients,
                                           seconds=plan["seconds"] / plan["rounds"], warmup=plan["warmup"])
                    seen[name] += outcomes
            for name in ranking.RANKINGS:
                cell = {"ranking": name, "clients": clients, "load": os.getloadavg()[0],
                        **load.summary(seen[name], plan["seconds"])}
                cells.append(cell)
                print(f"  {clients:>2} clients {name:>8}: p50 {cell['p50_ms']} ms, p99 {cell['p99_ms']} ms, "
                      f"{cell['errors']} errors", file=sys.stderr)
    return cells


def index_at_scale(es: Elasticsearch, size: int, alias: str) -> str:
    """``alias`` over the benchmark corpus of ``size`` articles (``bench.convert``), built by the rebuild without
    vectors, then given stand-in vectors: random unit vectors, quantised and stored as the model's would be,
    with the installed model recorded. Embedding 100k articles takes hours on two cores, and a search's work
    does not depend on the vectors' values (every candidate's cosine is computed either way). Reused when the
    alias already serves that file."""
    convert.ensure([size])
    source = convert.paths(size)[0]
    index = live_index(es, alias)
    meta = next((v.meta for v in versions(es, alias) if v.index == index), {})
    if meta.get("sources") != [str(source)]:
        index = run_rebuild(source, alias, env={"DATELINE_EMBED": "0"})["index"]
    elif vectors.indexed_model(vectors.meta_of(es, index)):
        return index
    vectors.ensure_mapping(es, index)
    rng = np.random.default_rng(convert.SEED)

    def updates():
        for hit in scan(es, index=index, _source=False, size=2000):
            vector = rng.standard_normal(embedding.DIMENSIONS).astype(np.float32)
            yield {"_op_type": "update", "_index": index, "_id": hit["_id"],
                   "doc": {schema.VECTOR: embedding.to_field(vector / np.linalg.norm(vector))}}

    bulk(es, updates(), chunk_size=2000, request_timeout=120)
    vectors.record_model(es, index, embedding.model_info())
    es.indices.refresh(index=index)
    return index


def scale_searches(size: int, count: int) -> list[list[tuple[str, str]]]:
    """The latency benchmark's searches (``bench.queries``) that rank by relevance with words: the ones hybrid
    ranking answers."""
    searches = queries.make_queries(convert.paths(size)[0], count)
    return [pairs for pairs in searches if dict(pairs).get("q") and "sort" not in dict(pairs)]


def rebuild_cost(data_dir: Path, size: int, alias: str) -> dict:
    """``dateline index rebuild`` of the first ``size`` SciFact articles without vectors and with them."""
    folder = relevance.COLLECTIONS[0].path(data_dir)
    runs = {}
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "articles.jsonl.gz"
        with gzip.open(source, "wt", encoding="utf-8") as stream:
            for doc, _ in zip(relevance.read_corpus(folder), range(size), strict=False):
                stream.write(json.dumps(relevance.to_record(doc)) + "\n")
        for name, embed in (("without vectors", "0"), ("with vectors", "1")):
            run = run_rebuild(source, alias, env={"DATELINE_EMBED": embed})
            runs[name] = {**run, "articles_per_second": round(run["indexed"] / run["seconds"], 1),
                          "load": os.getloadavg()[0]}
    client = connect(config.from_env())
    for index in client.indices.get_alias(name=alias):
        client.indices.delete(index=index)
    return runs


def markdown(report: dict) -> str:
    lines = ["# Hybrid ranking against lexical ranking", "",
             f"Generated {report['generated']} by `bench/hybrid.py` on Elasticsearch {report['elasticsearch']}; "
             f"load average at the start {report['load_at_start']}. Model: {report['model']}. Fused: the lexical "
             f"top {report['candidates']} and the {report['nearest']} articles nearest in meaning; meaning weight "
             f"{report['meaning_weight']} (tuned on the first half of the queries, held out: the second half).", "",
             "## nDCG@10 through /api/search", "",
             "| collection | system | all | tuning half | held-out half |", "|---|---|---:|---:|---:|"]
    for name, c in report.get("relevance", {}).items():
        for system, f in c["systems"].items():
            lines.append(f"| {name} | {system} | {f['nDCG@10']:.4f} | {f['tuning']:.4f} | {f['held_out']:.4f} |")
    lines += ["", "Hybrid against english: " + ", ".join(f"{name} {c['vs_english']:+.1%}"
                                                        for name, c in report.get("relevance", {}).items()), ""]
    lines += ["## Fusions (offline, over the same candidates)", "",
              "Nearest: the articles found by meaning a query besides the lexical candidates (0: re-ranking only).",
              "", "| collection | fusion | nearest | tuning | held-out |", "|---|---|---:|---:|---:|"]
    for name, c in report.get("relevance", {}).items():
        lines += [f"| {name} | {row['fusion']} | {row['nearest']} | {row['tuning']:.4f} | {row['held_out']:.4f} |"
                  for row in c["fusion"]]
    if report.get("latency"):
        lines += ["", f"## Latency of /api/search ({report['latency_index']})", "",
                  "| clients | ranking | p50 ms | p99 ms | req/s | errors | load |",
                  "|---:|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {c['clients']} | {c['ranking']} | {c['p50_ms']} | {c['p99_ms']} | {c['per_second']} | "
                  f"{c['errors']} | {c['load']:.1f} |" for c in report["latency"]]
        lines.append("")
        for ratio in report["latency_ratios"]:
            lines.append(f"- {ratio['clients']} clients: hybrid/lexical p50 ×{ratio['p50']}, p99 ×{ratio['p99']}")
    if report.get("rebuild"):
        lines += ["", "## Rebuild (`dateline index rebuild`)", "",
                  "| run | articles | s | articles/s | peak RSS MB | load |", "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {name} | {r['indexed']} | {r['seconds']} | {r['articles_per_second']} | {r['peak_rss_mb']} | "
                  f"{r['load']:.1f} |" for name, r in report["rebuild"].items()]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hybrid", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=relevance.DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=OUT, help="where hybrid.json/.md are written")
    parser.add_argument("--reuse", metavar="PREFIX", help="search aliases PREFIX-<collection> built with vectors")
    parser.add_argument("--rebuild-size", type=int, default=500, help="articles of the rebuild comparison")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="what to measure, comma-separated (the others are kept from the last report) "
                             "[default: %(default)s]")
    parser.add_argument("--latency-size", type=int, metavar="N",
                        help="measure latency on N articles of the benchmark corpus with stand-in vectors "
                             "(e.g. 100000) instead of on SciFact")
    parser.add_argument("--seconds", type=float, default=LATENCY["seconds"], help="measured seconds per cell")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    if not parts <= set(PARTS):
        parser.error(f"--parts: choose among {', '.join(PARTS)}")
    es = connect(config.from_env())
    prefix = f"bench-hybrid-{uuid.uuid4().hex[:8]}"
    earlier = args.out / "hybrid.json"
    # The parts not run this time are kept from the last report.
    report: dict = json.loads(earlier.read_text(encoding="utf-8")) if earlier.exists() and parts != set(PARTS) \
        else {}
    report.update({"generated": datetime.now(UTC).isoformat(timespec="seconds"),
                   "elasticsearch": es.info()["version"]["number"], "load_at_start": os.getloadavg(),
                   "model": str(embedding.model_info()), "candidates": ranking.CANDIDATES,
                   "nearest": nearest.NEAREST, "meaning_weight": ranking.MEANING_WEIGHT})
    if "relevance" in parts:
        report["relevance"] = {}
        for collection in relevance.COLLECTIONS:
            alias = f"{args.reuse}-{collection.name}" if args.reuse else None
            report["relevance"][collection.name] = relevance_of(es, collection, args.data_dir, alias, prefix)
            print(json.dumps(report["relevance"][collection.name]["systems"]), file=sys.stderr)
    plan = {**LATENCY, "seconds": args.seconds}
    if "latency" in parts and args.latency_size:
        alias = f"bench-hybrid-{convert.label(args.latency_size)}"
        index_at_scale(es, args.latency_size, alias)
        report["latency_index"] = f"the benchmark corpus, {es.count(index=alias)['count']:,} articles, " \
                                  "stand-in vectors"
        report["latency"] = latency_of(alias, scale_searches(args.latency_size, LATENCY_SEARCHES), plan)
    elif "latency" in parts and args.reuse:
        folder = relevance.COLLECTIONS[0].path(args.data_dir)
        qrels = relevance.read_qrels(folder)
        found = relevance.read_queries(folder, {q.query_id for q in qrels}).values()
        report["latency_index"] = f"SciFact, {es.count(index=f'{args.reuse}-scifact')['count']} articles"
        report["latency"] = latency_of(f"{args.reuse}-scifact", [[("q", q)] for q in found], plan)
    if "latency" in parts and report.get("latency"):
        by = {(c["clients"], c["ranking"]): c for c in report["latency"]}
        report["latency_ratios"] = [
            {"clients": n, **{p: round(by[(n, "hybrid")][f"{p}_ms"] / by[(n, "lexical")][f"{p}_ms"], 2)
                              for p in ("p50", "p99")}} for n in LATENCY["clients"]]
    if "rebuild" in parts:
        with suppress(KeyboardInterrupt):
            report["rebuild"] = rebuild_cost(args.data_dir, args.rebuild_size, f"{prefix}-rebuild")
    write_results(args.out, "hybrid", report, markdown(report))
    return 0


def write_results(out: Path, name: str, report: dict, text: str) -> None:
    """``out/name.json`` and ``out/name.md``; the Markdown printed too."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
