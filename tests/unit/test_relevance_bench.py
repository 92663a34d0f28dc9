"""The relevance benchmark's own code, so it cannot silently break: reading a collection, building the index
variants from the contract, scoring with ir-measures, and a whole run on a tiny generated collection.

The whole run needs the Elasticsearch node at ES_URL (like the integration tests); it takes a few seconds.
"""

from __future__ import annotations

import gzip
import json
import uuid

import ir_measures
import pytest

from bench import relevance
from dateline import config
from dateline.client import connect

DOCS = [
    {"_id": "d1", "title": "Farmers protested", "text": "Farmers protested against the new water tariffs."},
    {"_id": "d2", "title": "Ceasefire in Karabakh", "text": "Observers reported a calm night in Karabakh."},
    {"_id": "d3", "title": "Harvest", "text": "The grain harvest was early this year."},
    {"_id": "d4", "title": "", "text": "Tariffs on steel rose again."},
]
QUERIES = {"q1": "protesting farmers", "q2": "Карабах", "train": "grain harvest"}
QRELS = [("q1", "d1", 1), ("q2", "d2", 2)]


@pytest.fixture
def collection(tmp_path) -> relevance.Collection:
    """A BEIR-layout collection (gzipped corpus, an unjudged training query) under a data directory."""
    found = relevance.Collection(f"tiny{uuid.uuid4().hex[:6]}", "beir/tiny", published_bm25=0.5)
    folder = found.path(tmp_path)
    (folder / "qrels").mkdir(parents=True)
    with gzip.open(folder / "corpus.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.writelines(json.dumps({**doc, "metadata": {}}) + "\n" for doc in DOCS)
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": text, "metadata": {}}) + "\n" for q, text in QUERIES.items()),
        encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in QRELS), encoding="utf-8")
    return found


def test_only_judged_queries_are_read_and_a_judged_query_without_text_is_an_error(collection, tmp_path):
    folder = collection.path(tmp_path)
    qrels = relevance.read_qrels(folder)
    assert [(q.query_id, q.doc_id, q.relevance) for q in qrels] == QRELS
    assert relevance.read_queries(folder, {"q1", "q2"}) == {"q1": "protesting farmers", "q2": "Карабах"}
    with pytest.raises(ValueError, match="1 judged queries have no text"):
        relevance.read_queries(folder, {"q1", "q9"})
    assert [d["_id"] for d in relevance.read_corpus(folder)] == ["d1", "d2", "d3", "d4"]


def test_baselines_are_plain_indices_queried_as_beir_does():
    for analyzer in ("standard", "english"):
        body = relevance.plain_index_body(analyzer)
        assert body["mappings"]["properties"] == {"title": {"type": "text", "analyzer": analyzer},
                                                  "text": {"type": "text", "analyzer": analyzer}}
    assert relevance.beir_query("statins") == {"multi_match": {
        "query": "statins", "type": "best_fields", "fields": ["title", "text"], "tie_breaker": 0.5}}
    with pytest.raises(ValueError, match="unknown analyzer"):
        relevance.plain_index_body("dateline")


def test_a_document_becomes_an_article_the_indexer_reads():
    assert relevance.to_record({"_id": "d1", "title": "Harvest", "text": "Grain."}) == {
        "id": "d1", "published": relevance.PUBLISHED, "body": "Grain.", "headline": "Harvest"}
    assert "headline" not in relevance.to_record({"_id": "d4", "title": "", "text": "Tariffs rose."})


def test_a_query_that_finds_nothing_counts_as_zero_instead_of_being_dropped():
    qrels = [ir_measures.Qrel("a", "d1", 1), ir_measures.Qrel("b", "d2", 1)]
    run = relevance.Run(hits={"a": ["d1", "d9"], "b": []})
    scores = relevance.per_query(qrels, run)
    assert scores["nDCG@10"] == {"a": 1.0, "b": 0.0}
    assert relevance.mean(scores["R@100"]) == 0.5


def test_targets_are_the_english_baseline_its_zero_hit_count_and_the_published_figure():
    result = {"systems": {"standard": {"nDCG@10": 0.60, "queries_without_hits": 9},
                          "english": {"nDCG@10": 0.62, "queries_without_hits": 4},
                          "dateline": {"nDCG@10": 0.62, "queries_without_hits": 5}}}
    collection = relevance.Collection("c", "c", published_bm25=0.63)
    assert [(t["target"], t["met"]) for t in relevance.checks(collection, result)] == [
        ("nDCG@10 ≥ english", True), ("queries without hits ≤ english", False),
        ("nDCG@10 ≥ published BEIR BM25", False)]
    incomparable = relevance.Collection("c", "c", published_bm25=0.63, published_comparable=False)
    assert len(relevance.checks(incomparable, result)) == 2


@pytest.fixture
def es():
    client = connect(config.from_env())
    if not client.ping():
        pytest.fail("no Elasticsearch answers at ES_URL: start one with `make es-start`")
    return client


def test_a_whole_run_on_a_tiny_collection_scores_the_product_end_to_end_and_cleans_up(
        es, collection, tmp_path):
    report = relevance.run_benchmark(es, [collection], tmp_path)
    json_path, md_path = relevance.write_results(report, tmp_path / "results")

    figures = report["collections"][collection.name]
    ndcg = {system: f["nDCG@10"] for system, f in figures["systems"].items()}
    # "protesting farmers" needs stemming to find d1 first; "Карабах" needs the Cyrillic spelling in
    # synonyms.txt, which only the product has.
    assert ndcg == {"standard": 0.5, "english": 0.5, "dateline": 1.0}
    assert figures["documents"] == {"standard": 4, "english": 4, "dateline": 4}
    assert figures["queries"] == 2
    assert figures["per_query_vs_english"] == {"better": 1, "worse": 0, "same": 1}
    assert report["all_targets_met"]
    assert json.loads(json_path.read_text(encoding="utf-8"))["collections"][collection.name]["queries"] == 2
    assert f"| {collection.name} | 2 | dateline | 4 | 1.0000 |" in md_path.read_text(encoding="utf-8")
    assert not es.indices.get(index=f"bench-relevance-*-{collection.name}-*", ignore_unavailable=True)
