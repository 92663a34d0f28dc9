"""Relevance benchmark: does dateline's analysis chain rank better than Elasticsearch's defaults?

Each judged test collection (BEIR layout: ``corpus.jsonl[.gz]``, ``queries.jsonl``, ``qrels/test.tsv``) is
indexed three times from the index contract (``dateline.schema.index_body``), differing only in the analyzer of
the full-text fields:

- ``standard``: Elasticsearch's ``standard`` analyzer (tokenize, lowercase);
- ``english``: its built-in ``english`` analyzer (possessives, stop words, Porter stemming), BEIR's BM25 setup;
- ``dateline``: the contract exactly as the indexer builds it (``dateline_text`` / ``dateline_search``).

Every test query goes through ``dateline.service.query.full_text_query``, the query the search box sends, and the runs
are scored with ir-measures (nDCG@10, MAP over the top 1000, recall@100). A query that finds nothing scores 0;
it is never dropped from the average.

A document maps onto an article as ``headline`` = title and ``body`` = text. ``lede`` stays empty: an abstract
has no paragraphs, and a lede holding the whole abstract again would count every word twice.

Run ``.venv/bin/python bench/relevance.py`` (see ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import copy
import csv
import gzip
import json
import statistics
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import ir_measures
from elasticsearch import Elasticsearch, helpers
from ir_measures import AP, R, nDCG

from dateline import config, schema
from dateline.client import connect
from dateline.service.query import full_text_query

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"
DEFAULT_OUT_DIR = ROOT / "bench" / "results"

ANALYZERS = ("standard", "english", "dateline")
NDCG10, MAP, RECALL100 = nDCG @ 10, AP @ 1000, R @ 100
MEASURES = {"nDCG@10": NDCG10, "MAP": MAP, "R@100": RECALL100}
DEPTH = 1000  # hits fetched per query: MAP is computed over this many
SEARCH_BATCH = 50  # queries per _msearch request
REQUEST_TIMEOUT = 300  # seconds: bulk loads, refreshes and batches of searches on a busy node take a while
MIN_GAIN_OVER_STANDARD = 0.03  # dateline's nDCG@10 must be at least 3% (relative) above `standard`


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


def to_document(doc: dict) -> dict:
    """A collection document as an article of the index contract (see the module docstring)."""
    return {schema.ID: doc["_id"], schema.HEADLINE: doc.get("title") or "", schema.BODY: doc["text"]}


# Index variants ------------------------------------------------------------------------------------------


def index_body(analyzer: str, synonyms: list[str] | None = None) -> dict:
    """The contract's index body with the full-text fields analyzed by ``analyzer``.

    ``dateline`` is the contract unchanged; ``standard`` and ``english`` rewrite a deep copy so that only the
    analyzer of the full-text fields differs between the variants.
    """
    if analyzer not in ANALYZERS:
        raise ValueError(f"unknown analyzer {analyzer!r}; expected one of {', '.join(ANALYZERS)}")
    body = copy.deepcopy(schema.index_body(synonyms))
    if analyzer != "dateline":
        for name in schema.TEXT_FIELDS:
            mapping = body["mappings"]["properties"][name]
            mapping["analyzer"] = mapping["search_analyzer"] = analyzer
    return body


def build_index(es: Elasticsearch, name: str, body: dict, docs: Iterable[dict]) -> int:
    """Create ``name`` from ``body``, load ``docs`` (collection documents) and refresh; returns the count."""
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                      request_timeout=REQUEST_TIMEOUT)
    actions = ({"_index": name, "_id": d["_id"], "_source": to_document(d)} for d in docs)
    loaded, _ = helpers.bulk(es, actions, chunk_size=500, request_timeout=REQUEST_TIMEOUT)
    es.indices.refresh(index=name, request_timeout=REQUEST_TIMEOUT)
    return loaded


# Searching and scoring -----------------------------------------------------------------------------------


@dataclass
class Run:
    """The ranked hits of each query, and the queries Elasticsearch refused."""

    hits: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def scored_docs(self) -> Iterator[ir_measures.ScoredDoc]:
        # Scores from ranks, so ir-measures keeps Elasticsearch's order even where BM25 scores tie.
        for qid, ids in self.hits.items():
            for rank, doc_id in enumerate(ids):
                yield ir_measures.ScoredDoc(qid, doc_id, float(len(ids) - rank))


def search(es: Elasticsearch, index: str, queries: dict[str, str], depth: int = DEPTH) -> Run:
    """Run every query through the service's query builder; ``depth`` hits each."""
    run = Run()
    items = list(queries.items())
    for start in range(0, len(items), SEARCH_BATCH):
        batch = items[start : start + SEARCH_BATCH]
        lines: list[dict] = []
        for _, text in batch:
            lines += [{}, {"query": full_text_query(text), "size": depth, "_source": False}]
        responses = es.msearch(body=lines, index=index, request_timeout=REQUEST_TIMEOUT)["responses"]
        for (qid, _), response in zip(batch, responses, strict=True):
            if "error" in response:
                run.errors[qid] = str(response["error"].get("reason", response["error"]))
            run.hits[qid] = [h["_id"] for h in response.get("hits", {}).get("hits", [])]
    return run


def per_query(qrels: list[ir_measures.Qrel], run: Run) -> dict[str, dict[str, float]]:
    """Each measure for each judged query; a query with no hits scores 0 (ir-measures would skip it)."""
    judged = sorted({q.query_id for q in qrels})
    values = {name: dict.fromkeys(judged, 0.0) for name in MEASURES}
    names = {measure: name for name, measure in MEASURES.items()}
    for metric in ir_measures.iter_calc(list(MEASURES.values()), qrels, list(run.scored_docs())):
        values[names[metric.measure]][metric.query_id] = metric.value
    return values


def mean(values: dict[str, float]) -> float:
    return statistics.fmean(values.values()) if values else 0.0


# The benchmark -------------------------------------------------------------------------------------------


def evaluate(es: Elasticsearch, collection: Collection, data_dir: Path, prefix: str,
             analyzers: Iterable[str] = ANALYZERS, keep: bool = False) -> dict:
    """Index ``collection`` once per analyzer, run its test queries, and score them."""
    folder = collection.path(data_dir)
    qrels = read_qrels(folder)
    queries = read_queries(folder, {q.query_id for q in qrels})
    result: dict = {"queries": len(queries), "analyzers": {}, "per_query": {}, "query_text": queries}
    for analyzer in analyzers:
        name = f"{prefix}-{collection.name}-{analyzer}"
        started = time.monotonic()
        try:
            result["documents"] = build_index(es, name, index_body(analyzer), read_corpus(folder))
            run = search(es, name, queries)
        finally:
            if not keep:
                es.indices.delete(index=name, ignore_unavailable=True, request_timeout=REQUEST_TIMEOUT)
        scores = per_query(qrels, run)
        result["per_query"][analyzer] = scores
        result["analyzers"][analyzer] = {
            **{measure: round(mean(scores[measure]), 4) for measure in MEASURES},
            "queries_without_hits": sum(1 for ids in run.hits.values() if not ids),
            "refused_queries": len(run.errors),
            "seconds": round(time.monotonic() - started, 1),
        }
    result["published_bm25_ndcg10"] = collection.published_bm25
    result["published_comparable"] = collection.published_comparable
    return result


def checks(collection: Collection, result: dict) -> list[dict]:
    """The targets for dateline's nDCG@10 on one collection, each with whether it is met."""
    ndcg = {a: figures["nDCG@10"] for a, figures in result["analyzers"].items()}
    if "dateline" not in ndcg:
        return []
    found = []
    if "standard" in ndcg:
        bar = ndcg["standard"] * (1 + MIN_GAIN_OVER_STANDARD)
        found.append({"target": f"≥ standard + {MIN_GAIN_OVER_STANDARD:.0%}", "bar": round(bar, 4),
                      "met": ndcg["dateline"] >= bar})
    if "english" in ndcg:
        found.append({"target": "≥ english", "bar": ndcg["english"], "met": ndcg["dateline"] >= ndcg["english"]})
    if collection.published_bm25 is not None and collection.published_comparable:
        found.append({"target": "≥ published BEIR BM25", "bar": collection.published_bm25,
                      "met": ndcg["dateline"] >= collection.published_bm25})
    return found


def query_diffs(result: dict, against: str, limit: int = 10) -> list[dict]:
    """The queries where dateline's nDCG@10 differs most from ``against``'s, worst loss first."""
    ours = result["per_query"]["dateline"]["nDCG@10"]
    theirs = result["per_query"][against]["nDCG@10"]
    diffs = [{"query": q, "text": result["query_text"][q], "dateline": round(ours[q], 4),
              against: round(theirs[q], 4), "diff": round(ours[q] - theirs[q], 4)}
             for q in ours if ours[q] != theirs[q]]
    return sorted(diffs, key=lambda d: d["diff"])[:limit]


def wins_losses(result: dict, against: str) -> dict:
    ours = result["per_query"]["dateline"]["nDCG@10"]
    theirs = result["per_query"][against]["nDCG@10"]
    return {"better": sum(ours[q] > theirs[q] for q in ours), "worse": sum(ours[q] < theirs[q] for q in ours),
            "same": sum(ours[q] == theirs[q] for q in ours)}


def run_benchmark(es: Elasticsearch, collections: Iterable[Collection], data_dir: Path,
                  analyzers: Iterable[str] = ANALYZERS, keep: bool = False) -> dict:
    """Evaluate every collection; the report as written to ``relevance.json`` (per-query figures aside)."""
    prefix = f"bench-relevance-{uuid.uuid4().hex[:8]}"
    analyzers = tuple(analyzers)
    report: dict = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "elasticsearch": es.info()["version"]["number"],
        "query": "service.query.full_text_query over schema.TEXT_FIELDS "
                 + ", ".join(f"{f}^{w:g}" for f, w in schema.TEXT_FIELDS.items()),
        "measures": {"nDCG@10": str(NDCG10), "MAP": str(MAP), "R@100": str(RECALL100)},
        "collections": {},
    }
    for collection in collections:
        result = evaluate(es, collection, data_dir, prefix, analyzers, keep)
        entry = {key: value for key, value in result.items() if key not in ("per_query", "query_text")}
        entry["targets"] = checks(collection, result)
        if "dateline" in analyzers:
            for other in (a for a in analyzers if a != "dateline"):
                entry[f"per_query_vs_{other}"] = wins_losses(result, other)
                entry[f"largest_losses_vs_{other}"] = [d for d in query_diffs(result, other) if d["diff"] < 0]
        report["collections"][collection.name] = entry
    report["all_targets_met"] = all(t["met"] for c in report["collections"].values() for t in c["targets"])
    return report


def markdown(report: dict) -> str:
    """The results table of ``report`` as Markdown."""
    lines = [
        "# Relevance: dateline's analysis chain against Elasticsearch's analyzers",
        "",
        f"Generated {report['generated']} by `bench/relevance.py` on Elasticsearch {report['elasticsearch']}. "
        f"Query: {report['query']}. MAP is average precision over the top {DEPTH} hits.",
        "",
        "| collection | docs | queries | analyzer | nDCG@10 | MAP | R@100 | no hits | published BEIR BM25 nDCG@10 |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for name, c in report["collections"].items():
        published = "–"
        if c["published_bm25_ndcg10"] is not None:
            published = f"{c['published_bm25_ndcg10']:.3f}" + ("" if c["published_comparable"] else " (other text)")
        for analyzer, f in c["analyzers"].items():
            lines.append(f"| {name} | {c['documents']} | {c['queries']} | {analyzer} | {f['nDCG@10']:.4f} | "
                         f"{f['MAP']:.4f} | {f['R@100']:.4f} | {f['queries_without_hits']} | {published} |")
    lines += ["", "## Targets for dateline's nDCG@10", "", "| collection | target | bar | met |", "|---|---|---:|---|"]
    for name, c in report["collections"].items():
        for t in c["targets"]:
            lines.append(f"| {name} | {t['target']} | {t['bar']:.4f} | {'yes' if t['met'] else '**no**'} |")
    lines += ["", "Per query (nDCG@10), dateline against each baseline: better / worse / same.", ""]
    for name, c in report["collections"].items():
        for key, counts in sorted(c.items()):
            if key.startswith("per_query_vs_"):
                lines.append(f"- {name} vs {key.removeprefix('per_query_vs_')}: "
                             f"{counts['better']} / {counts['worse']} / {counts['same']}")
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
    report = run_benchmark(es, chosen, args.data_dir, keep=args.keep)
    paths = write_results(report, args.out)
    print(markdown(report))
    for name, c in report["collections"].items():
        for loss in c.get("largest_losses_vs_english", []):
            print(f"{name} {loss['query']}: dateline {loss['dateline']:.3f} vs english {loss['english']:.3f}: "
                  f"{loss['text']}")
    print("written:", *paths, file=sys.stderr)
    return 0 if report["all_targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
