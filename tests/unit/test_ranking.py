"""Hybrid ranking's pure parts: fusing two rankings, choosing the ranking, the stored vector form."""

from __future__ import annotations

import base64
import math
from datetime import date

import pytest

from dateline import embedding
from dateline.service import ranking
from dateline.service.params import ParamError, SearchParams

NAN = math.nan


def test_the_blend_lifts_what_both_rank_well():
    # Lexical order 0, 1, 2; the meaning puts 2 far ahead.
    assert ranking.fuse([10.0, 9.0, 8.0], [0.1, 0.2, 0.9], weight=0.6) == [2, 0, 1]
    assert ranking.fuse([10.0, 9.0, 8.0], [0.1, 0.2, 0.9], weight=0.0) == [0, 1, 2]


def test_a_result_without_a_vector_counts_the_lowest_cosine_and_ties_keep_the_lexical_order():
    assert ranking.fuse([5.0, 5.0, 5.0], [NAN, 0.3, 0.3], weight=0.5) == [1, 2, 0]
    assert ranking.fuse([2.0, 1.0], [NAN, NAN]) == [0, 1]


def test_reciprocal_rank_fusion_adds_both_ranks():
    assert ranking.reciprocal_rank_fusion([3.0, 2.0, 1.0], [0.1, 0.9, 0.5]) == [1, 0, 2]


def _params(**values) -> SearchParams:
    return SearchParams(**{"q": "gold mining", **values})


MODEL = embedding.ModelInfo("all-MiniLM-L6-v2-onnx-int8", "1.0.0")


def test_hybrid_is_the_default_only_where_it_can_rank(monkeypatch):
    monkeypatch.setattr(embedding, "available", lambda: True)
    monkeypatch.setattr(embedding, "model_info", lambda: MODEL)
    assert ranking.choose(_params(), MODEL) == ranking.HYBRID
    assert ranking.choose(_params(ranking="lexical"), MODEL) == ranking.LEXICAL
    assert ranking.choose(_params(q=""), MODEL) == ranking.LEXICAL
    assert ranking.choose(_params(sort="newest"), MODEL) == ranking.LEXICAL
    assert ranking.choose(_params(), None) == ranking.LEXICAL
    with pytest.raises(ParamError, match="no sentence vectors"):
        ranking.choose(_params(ranking="hybrid"), None)
    other = embedding.ModelInfo("bge-small-en-v1.5", "1.0")
    with pytest.raises(ParamError, match="bge-small-en-v1.5"):
        ranking.choose(_params(), other)
    assert ranking.choose(_params(ranking="lexical"), other) == ranking.LEXICAL


def test_ranking_is_a_parameter_of_the_url():
    from werkzeug.datastructures import MultiDict

    params = SearchParams.from_args(MultiDict({"q": "baku", "ranking": "lexical"}))
    assert ("ranking", "lexical") in params.to_args()
    with pytest.raises(ParamError, match="ranking"):
        SearchParams.from_args(MultiDict({"q": "baku", "ranking": "dense"}))


def test_the_model_in_the_index_meta_reads_back():
    assert embedding.ModelInfo.from_meta(MODEL.to_meta()) == MODEL


def test_stored_vectors_keep_their_cosines():
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(5, embedding.DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stored = [embedding.to_field(v) for v in vectors] + [None]
    found = embedding.cosines(vectors[0], stored)
    assert np.allclose(found[:5], vectors @ vectors[0], atol=0.01)
    assert math.isnan(found[5])


def test_what_of_an_article_is_embedded():
    assert embedding.article_text("Headline", "Lede.", "Body.") == "Headline\nLede."
    assert embedding.article_text("Headline", None, "Body.") == "Headline\nBody."


def test_texts_of_like_length_are_embedded_together_and_every_text_once():
    texts = ["a" * n for n in (50, 3, 40, 1, 30)]
    runs = embedding.length_batches(texts, 2)
    assert runs == [[3, 1], [4, 2], [0]]
    assert embedding.length_batches([], 4) == []


def test_results_found_by_meaning_alone_join_the_fusion_with_the_lowest_lexical_score():
    # Two lexical candidates, then two found by meaning alone (cosines 0.9 and 0.1).
    order = ranking.fuse_union([10.0, 5.0], [0.2, 0.1], [0.9, 0.1], fusion=lambda w, m: ranking.fuse(w, m, 0.6))
    assert order[0] == 2  # the nearest in meaning comes first when the meaning weighs more than the words
    assert order.index(0) < order.index(3) and order.index(1) < order.index(3)
    assert ranking.fuse_union([10.0, 5.0], [0.2, 0.1], [0.9, 0.1], fusion=lambda w, m: ranking.fuse(w, m, 0.0)) \
        == [0, 1, 2, 3]  # by words alone, those found by meaning alone come last, nearest first
    assert ranking.fuse_union([], [], [0.1, 0.9]) == [1, 0]


def test_reciprocal_rank_fusion_gives_results_found_by_meaning_alone_no_lexical_rank():
    order = ranking.fuse_union([3.0, 2.0], [0.1, 0.2], [0.9], fusion=ranking.reciprocal_rank_fusion)
    assert order == [0, 1, 2]  # 2 is first by meaning, but without a lexical rank it scores half


def test_the_nearest_request_keeps_the_filters_and_reads_doc_values_alone():
    params = SearchParams(q="gold mining", date_from=date(2020, 1, 1))
    request = ranking.build_search(params.toggled("source", "Trend"))
    found = ranking.nearest_request(request, ["b", "a"])
    assert found["query"]["bool"]["filter"] == [{"ids": {"values": ["b", "a"]}},
                                                *request["query"]["bool"]["filter"],  # the date range
                                                request["post_filter"]]  # the facet selection
    assert found["size"] == 2 and found["stored_fields"] == "_none_"
    assert found["docvalue_fields"] == ["id", "story"] and "aggs" not in found and "collapse" not in found


def test_results_found_by_meaning_alone_are_the_nearest_allowed_ones_not_found_by_the_words():
    nearest = [("a1", 0.9), ("b1", 0.8), ("c1", 0.7), ("a2", 0.6), ("d1", 0.5)]
    allowed = {"d1": "d", "a2": "a", "a1": "a", "c1": "c"}  # b1 lies outside the filters
    assert ranking.found_by_meaning(nearest, allowed, {"c1"}, collapsed=False) == [
        ("a1", "a1", 0.9, 0), ("a2", "a2", 0.6, 3), ("d1", "d1", 0.5, 4)]
    # Collapsed: one a story, its nearest version; story c was found by the words.
    assert ranking.found_by_meaning(nearest, allowed, {"c"}, collapsed=True) == [
        ("a1", "a", 0.9, 0), ("d1", "d", 0.5, 4)]


def test_only_a_search_with_filters_or_selections_checks_the_nearest_on_the_node():
    assert not ranking.filtered(ranking.build_search(SearchParams(q="gold mining")))
    assert ranking.filtered(ranking.build_search(SearchParams(q="gold mining", date_from=date(2020, 1, 1))))
    assert ranking.filtered(ranking.build_search(SearchParams(q="gold mining").toggled("source", "Trend")))


def test_the_page_request_finds_results_by_meaning_without_their_words():
    request = ranking.build_search(SearchParams(q="gold mining", story="s1"))
    page = ranking.page_request(request, ["a", "b"], ["b"], collapsed=False)
    query = page["query"]["bool"]
    assert {"ids": {"values": ["a", "b"]}} in query["filter"]
    assert query["should"] == [request["query"], {"ids": {"values": ["b"]}}] and query["minimum_should_match"] == 1
    assert "highlight" in page and "aggs" not in page


def test_the_k_highest_scores_highest_first():
    np = pytest.importorskip("numpy")
    from dateline.service import nearest

    scores = np.array([0.1, 0.5, 0.3, 0.5, -0.2], dtype=np.float32)
    assert nearest.top_k(scores, 3) == [1, 3, 2]
    assert nearest.top_k(scores, 10) == [1, 3, 2, 0, 4]
    assert nearest.top_k(scores, 0) == [] and nearest.top_k(scores[:0], 5) == []


def test_the_matrix_finds_the_nearest_vectors_as_stored():
    np = pytest.importorskip("numpy")
    from dateline.service import nearest

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, embedding.DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stored = np.stack([np.frombuffer(base64.b64decode(embedding.to_field(v)), np.int8) for v in vectors])
    matrix = nearest.Matrix.of((), [f"a{i}" for i in range(50)], stored)
    found = matrix.nearest(vectors[7], k=5)
    assert matrix.story("a7") == "a7"
    assert nearest.Matrix.of((), ["a7", "a8"], stored[7:9], {"a8": "a7"}).story("a8") == "a7"
    assert found[0][0] == "a7" and found[0][1] == pytest.approx(1.0, abs=0.01)
    exact = vectors @ vectors[7]
    assert [score for _, score in found] == pytest.approx(sorted(exact, reverse=True)[:5], abs=0.02)
    assert nearest.Matrix.of((), [], np.zeros((0, 0), np.int8)).nearest(vectors[0]) == []


def test_the_sign_shortlist_keeps_the_vectors_close_to_the_query():
    np = pytest.importorskip("numpy")
    from dateline.service import nearest

    rng = np.random.default_rng(5)
    query = rng.normal(size=embedding.DIMENSIONS).astype(np.float32)
    query /= np.linalg.norm(query)
    # 20 articles about as close to the query as a paraphrase is (cosine ~0.6) among 20,000 unrelated ones.
    close = query + rng.normal(size=(20, embedding.DIMENSIONS)).astype(np.float32) * 1.3 / np.sqrt(
        embedding.DIMENSIONS)
    vectors = np.concatenate([close, rng.normal(size=(20_000, embedding.DIMENSIONS)).astype(np.float32)])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert 0.5 < float((vectors[:20] @ query).mean()) < 0.7
    stored = np.stack([np.frombuffer(base64.b64decode(embedding.to_field(v)), np.int8) for v in vectors])
    matrix = nearest.Matrix.of((), [f"a{i}" for i in range(len(vectors))], stored)
    rows = nearest.shortlist(matrix.signs, nearest.sign_bits(query[None, :])[:, 0], 500)
    assert 500 <= len(rows) < 1500 and set(range(20)) <= set(rows.tolist())
    assert {article for article, _ in matrix.nearest(query, k=20)} == {f"a{i}" for i in range(20)}
