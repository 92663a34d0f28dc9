"""Hybrid ranking's pure parts: fusing two rankings, choosing the ranking, the stored vector form."""

from __future__ import annotations

import math

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
