"""Relevance benchmark: what users get from ``/api/search`` against what a bare Elasticsearch gives.

Each judged test collection (BEIR layout: ``corpus.jsonl[.gz]``, ``queries.jsonl``, ``qrels/test.tsv``) is
searched three ways:

- ``standard`` and ``english``: plain indices with Elasticsearch's built-in analyzer on ``title`` and
  ``text``, queried with BEIR's BM25 query (``multi_match``, ``best_fields`` over title and text,
  ``tie_breaker`` 0.5). No dateline code is in this path: these are the baselines that are not ours.
- ``dateline``: the product end to end. The collection is written as JSON Lines, indexed by the indexer's
  rebuild (``dateline index rebuild``: derivation, enrichment, story keys, the index contract), and every query
  is asked of ``/api/search`` through the Flask app (query building, story collapse and all).

Every run keeps the top ``DEPTH`` hits of each query (one page of ``/api/search``) and is scored with
ir-measures (nDCG@10, MAP and recall over those hits). A query that finds nothing scores 0; it is never dropped
from the average.

A document becomes an article as ``headline`` = title and ``body`` = text, with a fixed ``published`` date
(the collections have none, and the indexer refuses an article without one); everything else (lede, a
headline for an untitled document, places, stories) the indexer derives as it would for any article.

Run ``.venv/bin/python -m bench.relevance`` (see ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import ir_measures
from elasticsearch import Elasticsearch, helpers
from ir_measures import AP, R, nDCG

from dateline import config
from dateline.client import connect
from dateline.embedding import Encoder
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app

from . import names

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"
DEFAULT_OUT_DIR = ROOT / "bench" / "results"

BASELINES = ("standard", "english")  # Elasticsearch's own analyzers with BEIR's query
PRODUCT = "dateline"
SYSTEMS = (*BASELINES, PRODUCT)
DEPTH = 100  # hits per query: the largest page /api/search serves
NDCG10, MAP, RECALL100 = nDCG @ 10, AP @ DEPTH, R @ DEPTH
MEASURES = {"nDCG@10": NDCG10, f"MAP@{DEPTH}": MAP, f"R@{DEPTH}": RECALL100}
SEARCH_BATCH = 50  # queries per _msearch request
REQUEST_TIMEOUT = 300  # seconds: bulk loads, refreshes and batches of searches on a busy node take a while
PUBLISHED = "2020-01-01"  # the date every document of a collection is given


@dataclass(frozen=True)
class Collection:
    """A judged test collection in BEIR layout under the data directory."""

    name: str
    folder: str  # relative to the data directory
    published_bm25: float | None = None  # BEIR's BM25 nDCG@10 (Thakur et al., 2021, table 2)
    published_comparable: bool = True  # False when our text differs from the one BEIR scored

    def path(self, data_dir: Path) -> Path:
        return Path(data_dir) / self.folder


COLLECTIONS = (
    Collection("scifact", "beir/scifact", published_bm25=0.665),
    # The authors' preprocessed text, not BEIR's raw text (see the data README): the figure is context only.
    Collection("nfcorpus", "beir/nfcorpus", published_bm25=0.325, published_comparable=False),
)


# Reading BEIR files ---------------------------------------------------------------------------------------


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.name.endswith(".gz") else path.open(encoding="utf-8")


def _jsonl(path: Path) -> Iterator[dict]:
    with _open_text(path) as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def corpus_file(folder: Path) -> Path:
    for name in ("corpus.jsonl", "corpus.jsonl.gz"):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"no corpus.jsonl or corpus.jsonl.gz in {folder}")


def read_corpus(folder: Path) -> Iterator[dict]:
    """The collection's documents as ``{"_id", "title", "text"}``."""
    return _jsonl(corpus_file(folder))


def read_qrels(folder: Path) -> list[ir_measures.Qrel]:
    """The test judgements (``qrels/test.tsv``, a header line, then query-id, corpus-id, score)."""
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8", newline="") as stream:
        rows = csv.DictReader(stream, delimiter="\t")
        return [ir_measures.Qrel(r["query-id"], r["corpus-id"], int(r["score"])) for r in rows]


def read_queries(folder: Path, judged: set[str]) -> dict[str, str]:
    """The text of the judged queries; ``queries.jsonl`` may also hold training queries, which are skipped."""
    queries = {q["_id"]: q["text"] for q in _jsonl(folder / "queries.jsonl") if q["_id"] in judged}
    missing = judged - queries.keys()
    if missing:
        raise ValueError(f"{len(missing)} judged queries have no text in {folder / 'queries.jsonl'}")
    return queries


def to_record(doc: dict) -> dict:
    """A collection document as a JSON Lines article for the indexer (see the module docstring)."""
    record = {"id": doc["_id"], "published": PUBLISHED, "body": doc["text"]}
    if doc.get("title"):
        record["headline"] = doc["title"]
    return record


# The baselines: plain indices and BEIR's query ------------------------------------------------------------


def plain_index_body(analyzer: str) -> dict:
    """An index of ``title`` and ``text`` analyzed by one of Elasticsearch's built-in analyzers."""
    if analyzer not in BASELINES:
        raise ValueError(f"unknown analyzer {analyzer!r}; expected one of {', '.join(BASELINES)}")
    text = {"type": "text", "analyzer": analyzer}
    return {"settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
            "mappings": {"properties": {"title": text, "text": text}}}


def beir_query(text: str) -> dict:
    """BEIR's BM25 query (``beir.retrieval.search.lexical``): best_fields over title and text, tie 0.5."""
    return {"multi_match": {"query": text, "type": "best_fields", "fields": ["title", "text"],
                            "tie_breaker": 0.5}}


def build_plain_index(es: Elasticsearch, name: str, analyzer: str, docs: Iterable[dict]) -> int:
    """Create ``name`` with ``analyzer``, load ``docs`` (collection documents) and refresh; returns the count."""
    body = plain_index_body(analyzer)
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                      request_timeout=REQUEST_TIMEOUT)
    actions = ({"_index": name, "_id": d["_id"], "_source": {"title": d.get("title") or "", "text": d["text"]}}
               for d in docs)
    loaded, _ = helpers.bulk(es, actions, chunk_size=500, request_timeout=REQUEST_TIMEOUT)
    es.indices.refresh(index=name, request_timeout=REQUEST_TIMEOUT)
    return loaded


# Searching and scoring -----------------------------------------------------------------------------------


@dataclass
class Run:
    """The ranked hits of each query, and the queries that were refused."""

    hits: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notices: dict[str, str] = field(default_factory=dict)  # what the product said above its results

    def scored_docs(self) -> Iterator[ir_measures.ScoredDoc]:
        # Scores from ranks, so ir-measures keeps the order given even where BM25 scores tie.
        for qid, ids in self.hits.items():
            for rank, doc_id in enumerate(ids):
                yield ir_measures.ScoredDoc(qid, doc_id, float(len(ids) - rank))


def search_plain(es: Elasticsearch, index: str, queries: dict[str, str], depth: int = DEPTH) -> Run:
    """Every query as BEIR's query on a plain index; ``depth`` hits each."""
    run = Run()
    items = list(queries.items())
    for start in range(0, len(items), SEARCH_BATCH):
        batch = items[start : start + SEARCH_BATCH]
        lines: list[dict] = []
        for _, text in batch:
            lines += [{}, {"query": beir_query(text), "size": depth, "_source": False}]
        responses = es.msearch(body=lines, index=index, request_timeout=REQUEST_TIMEOUT)["responses"]
        for (qid, _), response in zip(batch, responses, strict=True):
            if "error" in response:
                run.errors[qid] = str(response["error"].get("reason", response["error"]))
            run.hits[qid] = [h["_id"] for h in response.get("hits", {}).get("hits", [])]
    return run


def index_product(es: Elasticsearch, alias: str, docs: Iterable[dict], encoder: Encoder | None = None) -> int:
    """The collection indexed by the product's rebuild from JSON Lines behind ``alias`` (with vectors when
    ``encoder`` is given); returns the count."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "collection.jsonl"
        with source.open("w", encoding="utf-8") as stream:
            stream.writelines(json.dumps(to_record(doc), ensure_ascii=False) + "\n" for doc in docs)
        report = rebuild(es, alias, [str(source)], keep=0, encoder=encoder)
    if report.skipped:
        raise RuntimeError(f"the indexer skipped {len(report.skipped)} documents, e.g. {report.skipped[0]}")
    return report.indexed


def search_product(es: Elasticsearch, alias: str, queries: dict[str, str], depth: int = DEPTH, **extra) -> Run:
    """Every query asked of ``/api/search`` (the Flask app, in process); the first ``depth`` results each;
    ``extra`` parameters (``ranking``) go with every query."""
    app = create_app(config.Settings(alias=alias), client=es)
    if extra.get("ranking") == "hybrid":  # measured once the service holds the vectors (it loads them at start)
        app.extensions["dateline.vector_matrices"].ready(es, alias)
    run = Run()
    with app.test_client() as client:
        for qid, text in queries.items():
            answer = client.get("/api/search", query_string={"q": text, "size": depth, **extra})
            if answer.status_code != 200:
                run.errors[qid] = f"{answer.status_code}: {answer.get_data(as_text=True)[:200]}"
                run.hits[qid] = []
                continue
            view = answer.get_json()
            run.hits[qid] = [hit["id"] for hit in view["hits"]]
            if view.get("notice"):
                run.notices[qid] = view["notice"]["kind"]
    return run


def per_query(qrels: list[ir_measures.Qrel], run: Run) -> dict[str, dict[str, float]]:
    """Each measure for each judged query; a query with no hits scores 0 (ir-measures would skip it)."""
    judged = sorted({q.query_id for q in qrels})
    values = {name: dict.fromkeys(judged, 0.0) for name in MEASURES}
    labels = {measure: name for name, measure in MEASURES.items()}
    for metric in ir_measures.iter_calc(list(MEASURES.values()), qrels, list(run.scored_docs())):
        values[labels[metric.measure]][metric.query_id] = metric.value
    return values


def mean(values: dict[str, float]) -> float:
    return statistics.fmean(values.values()) if values else 0.0


# The benchmark -------------------------------------------------------------------------------------------


def _run(es: Elasticsearch, system: str, name: str, folder: Path, queries: dict[str, str],
         keep: bool) -> tuple[int, Run]:
    """Index the collection for ``system`` under ``name`` and run the queries; the index goes unless ``keep``."""
    try:
        if system == PRODUCT:
            documents = index_product(es, name, read_corpus(folder))
            return documents, search_product(es, name, queries)
        documents = build_plain_index(es, name, system, read_corpus(folder))
        return documents, search_plain(es, name, queries)
    finally:
        if not keep:
            indices = list(es.indices.get_alias(name=name, ignore=404).keys() - {"error", "status"}) or [name]
            es.indices.delete(index=",".join(indices), ignore_unavailable=True, request_timeout=REQUEST_TIMEOUT)


def evaluate(es: Elasticsearch, collection: Collection, data_dir: Path, prefix: str,
             systems: Iterable[str] = SYSTEMS, keep: bool = False) -> dict:
    """Index ``collection`` once per system, run its test queries, and score them."""
    folder = collection.path(data_dir)
    qrels = read_qrels(folder)
    queries = read_queries(folder, {q.query_id for q in qrels})
    result: dict = {"queries": len(queries), "documents": {}, "systems": {}, "per_query": {},
                    "query_text": queries}
    for system in systems:
        started = time.monotonic()
        documents, run = _run(es, system, f"{prefix}-{collection.name}-{system}", folder, queries, keep)
        scores = per_query(qrels, run)
        result["documents"][system] = documents
        result["per_query"][system] = scores
        result["systems"][system] = {
            **{measure: round(mean(scores[measure]), 4) for measure in MEASURES},
            "queries_without_hits": sum(1 for ids in run.hits.values() if not ids),
            "refused_queries": len(run.errors),
            "seconds": round(time.monotonic() - started, 1),
        }
        if run.notices:
            result["systems"][system]["notices"] = {kind: list(run.notices.values()).count(kind)
                                                    for kind in sorted(set(run.notices.values()))}
    result["published_bm25_ndcg10"] = collection.published_bm25
    result["published_comparable"] = collection.published_comparable
    return result


def checks(collection: Collection, result: dict) -> list[dict]:
    """The targets for the product on one collection, each with whether it is met."""
    figures = result["systems"]
    if PRODUCT not in figures:
        return []
    ours = figures[PRODUCT]
    found = []
    if "english" in figures:
        found.append({"target": "nDCG@10 ≥ english", "bar": figures["english"]["nDCG@10"],
                      "value": ours["nDCG@10"], "met": ours["nDCG@10"] >= figures["english"]["nDCG@10"]})
        bar = figures["english"]["queries_without_hits"]
        found.append({"target": "queries without hits ≤ english", "bar": bar,
                      "value": ours["queries_without_hits"], "met": ours["queries_without_hits"] <= bar})
    if collection.published_bm25 is not None and collection.published_comparable:
        found.append({"target": "nDCG@10 ≥ published BEIR BM25", "bar": collection.published_bm25,
                      "value": ours["nDCG@10"], "met": ours["nDCG@10"] >= collection.published_bm25})
    return found


def query_diffs(result: dict, against: str, limit: int = 10) -> list[dict]:
    """The queries where the product's nDCG@10 differs most from ``against``'s, worst loss first."""
    ours = result["per_query"][PRODUCT]["nDCG@10"]
    theirs = result["per_query"][against]["nDCG@10"]
    diffs = [{"query": q, "text": result["query_text"][q], PRODUCT: round(ours[q], 4),
              against: round(theirs[q], 4), "diff": round(ours[q] - theirs[q], 4)}
             for q in ours if ours[q] != theirs[q]]
    return sorted(diffs, key=lambda d: d["diff"])[:limit]


def wins_losses(result: dict, against: str) -> dict:
    ours = result["per_query"][PRODUCT]["nDCG@10"]
    theirs = result["per_query"][against]["nDCG@10"]
    return {"better": sum(ours[q] > theirs[q] for q in ours), "worse": sum(ours[q] < theirs[q] for q in ours),
            "same": sum(ours[q] == theirs[q] for q in ours)}


def run_benchmark(es: Elasticsearch, collections: Iterable[Collection], data_dir: Path,
                  systems: Iterable[str] = SYSTEMS, keep: bool = False, with_names: bool = False) -> dict:
    """Evaluate every collection (and with ``with_names``, names in any spelling: ``bench.names``); the report
    as written to ``relevance.json`` (per-query figures aside)."""
    prefix = f"bench-relevance-{uuid.uuid4().hex[:8]}"
    systems = tuple(systems)
    report: dict = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "elasticsearch": es.info()["version"]["number"],
        "systems": {
            "standard": "built-in standard analyzer, BEIR's multi_match (best_fields, title and text, tie 0.5)",
            "english": "built-in english analyzer, BEIR's multi_match (best_fields, title and text, tie 0.5)",
            PRODUCT: "dateline index rebuild from JSON Lines, then GET /api/search?q=…&size=100",
        },
        "measures": {name: str(measure) for name, measure in MEASURES.items()},
        "collections": {},
    }
    for collection in collections:
        result = evaluate(es, collection, data_dir, prefix, systems, keep)
        entry = {key: value for key, value in result.items() if key not in ("per_query", "query_text")}
        entry["targets"] = checks(collection, result)
        if PRODUCT in systems:
            for other in (s for s in systems if s != PRODUCT):
                entry[f"per_query_vs_{other}"] = wins_losses(result, other)
                entry[f"largest_losses_vs_{other}"] = [d for d in query_diffs(result, other) if d["diff"] < 0]
        report["collections"][collection.name] = entry
    if with_names:
        report["names"] = names.measure(es, f"{prefix}-names", data_dir)
    targets = [t for c in report["collections"].values() for t in c["targets"]]
    report["all_targets_met"] = all(t["met"] for t in targets + report.get("names", {}).get("targets", []))
    return report


def markdown(report: dict) -> str:
    """The results table of ``report`` as Markdown."""
    measures = list(MEASURES)
    lines = [
        "# Relevance: /api/search against a bare Elasticsearch",
        "",
        f"Generated {report['generated']} by `bench/relevance.py` on Elasticsearch {report['elasticsearch']}, "
        f"every system in one run on the same node. Top {DEPTH} hits per query.",
        "",
        *(f"- `{system}`: {what}" for system, what in report["systems"].items()),
        "",
        f"| collection | queries | system | docs | {' | '.join(measures)} | no hits | published BEIR BM25 nDCG@10 |",
        "|---|---:|---|---:|" + "---:|" * len(measures) + "---:|---:|",
    ]
    for name, c in report["collections"].items():
        published = "–"
        if c["published_bm25_ndcg10"] is not None:
            published = f"{c['published_bm25_ndcg10']:.3f}" + ("" if c["published_comparable"] else " (other text)")
        for system, f in c["systems"].items():
            figures = " | ".join(f"{f[measure]:.4f}" for measure in measures)
            lines.append(f"| {name} | {c['queries']} | {system} | {c['documents'][system]} | {figures} | "
                         f"{f['queries_without_hits']} | {published} |")
    lines += ["", f"## Targets for `{PRODUCT}`", "", "| collection | target | bar | value | met |",
              "|---|---|---:|---:|---|"]
    for name, c in report["collections"].items():
        for t in c["targets"]:
            lines.append(f"| {name} | {t['target']} | {t['bar']:g} | {t['value']:g} | "
                         f"{'yes' if t['met'] else '**no**'} |")
    lines += ["", f"Per query (nDCG@10), `{PRODUCT}` against each baseline: better / worse / same.", ""]
    for name, c in report["collections"].items():
        for key, counts in sorted(c.items()):
            if key.startswith("per_query_vs_"):
                lines.append(f"- {name} vs {key.removeprefix('per_query_vs_')}: "
                             f"{counts['better']} / {counts['worse']} / {counts['same']}")
        notices = c["systems"].get(PRODUCT, {}).get("notices")
        if notices:
            said = ", ".join(f"{kind} {count}" for kind, count in notices.items())
            lines.append(f"- {name}: queries whose results page carried a notice: {said}")
    if "names" in report:
        lines += ["", names.markdown(report["names"])]
    lines.append("")
    return "\n".join(lines)


def write_results(report: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    as_json, as_md = out_dir / "relevance.json", out_dir / "relevance.md"
    as_json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    as_md.write_text(markdown(report), encoding="utf-8")
    return as_json, as_md


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"folder holding beir/<collection>/ (default: {DEFAULT_DATA_DIR})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="where relevance.json/.md are written")
    parser.add_argument("--collection", action="append", choices=[c.name for c in COLLECTIONS],
                        help="evaluate only this collection (repeatable; default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indices for inspection")
    args = parser.parse_args(argv)

    chosen = [c for c in COLLECTIONS if not args.collection or c.name in args.collection]
    for c in chosen:
        if not c.path(args.data_dir).is_dir():
            parser.error(f"{c.path(args.data_dir)} does not exist: point --data-dir at the shared data folder")
    es = connect(config.from_env())
    report = run_benchmark(es, chosen, args.data_dir, keep=args.keep, with_names=not args.collection)
    paths = write_results(report, args.out)
    print(markdown(report))
    for name, c in report["collections"].items():
        for loss in c.get("largest_losses_vs_english", []):
            print(f"{name} {loss['query']}: {PRODUCT} {loss[PRODUCT]:.3f} vs english {loss['english']:.3f}: "
                  f"{loss['text']}")
    print("written:", *paths, file=sys.stderr)
    return 0 if report["all_targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
