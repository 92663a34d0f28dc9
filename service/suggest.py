"""Autocomplete: the headlines, places, organisations and people that start with what someone is typing.

One request answers it all. Its query finds the prefix in the headline or in any of the three entity fields;
a post filter keeps only the headline matches as hits (one per story), while the aggregation of each entity
kind lists that kind's values that start with the prefix, most frequent first (``TermsFacet.aggregation``
with a prefix). Matching is that of the ``autocomplete`` sub-fields: case, accents, quotes and spelling
variants aside, so "Gizil", "gizil", "‘Gizil" and "Qızıl" all find 'Gizilbulagh'.
"""

from __future__ import annotations

from collections.abc import Callable

from dateline import schema

from .facets import FACETS_BY_NAME
from .stored import StoredArticle

HEADLINES = 5
VALUES = 5
# The JSON keys of the entity kinds, in the order the list shows them, and the facet of each.
KINDS = {"places": "place", "organizations": "org", "people": "person"}

FILTER_PATH = ",".join([
    "hits.hits._source",
    "aggregations.*.found.values.buckets.key", "aggregations.*.found.values.buckets.doc_count",
    "aggregations.*.found.values.buckets.match.hits.hits.highlight",
])


def headline_query(prefix: str) -> dict:
    """Headlines with every word of ``prefix`` starting one of their words, in any order."""
    return {"match": {f"{schema.HEADLINE}.{schema.AUTOCOMPLETE}": {"query": prefix, "operator": "and"}}}


def build_suggest(prefix: str) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` (besides ``index``) that complete ``prefix``."""
    facets = [FACETS_BY_NAME[name] for name in KINDS.values()]
    headlines = headline_query(prefix)
    return {
        "query": {"bool": {"should": [headlines, *(facet.prefix_query(prefix) for facet in facets)]}},
        "post_filter": headlines,
        "collapse": {"field": schema.STORY},
        "sort": ["_score", {schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
        "size": 2 * HEADLINES,  # stories with the same headline show it once
        "_source": [schema.ID, schema.HEADLINE, schema.PUBLISHED],
        "aggs": {facet.name: facet.aggregation((), [], prefix) for facet in facets},
        "track_total_hits": False,
    }


def suggest_view(prefix: str, answer: dict, article_url: Callable[[str], str],
                 value_url: Callable[[str, str], str]) -> dict:
    """``{"q", "headlines": [{"id", "headline", "published", "url"}], "places" | "organizations" | "people":
    [{"value", "count", "url"}]}``; ``value_url(facet, value)`` is the search for one facet value."""
    headlines: dict[str, dict] = {}
    for hit in answer.get("hits", {}).get("hits", []):
        article = StoredArticle.from_source(hit["_source"])
        headline = article.headline
        if headline and headline not in headlines and len(headlines) < HEADLINES:
            headlines[headline] = {"id": article.id, "headline": headline, "published": article.published,
                                   "url": article_url(article.id)}
    view: dict = {"q": prefix, "headlines": list(headlines.values())}
    aggs = answer.get("aggregations", {})
    for key, name in KINDS.items():
        rows = FACETS_BY_NAME[name].rows(aggs.get(name, {}), ())[:VALUES]
        view[key] = [{"value": row["value"], "count": row["count"], "url": value_url(name, row["value"])}
                     for row in rows]
    return view
