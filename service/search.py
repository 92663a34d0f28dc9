"""Search parameters → one Elasticsearch search request (pure: no client, no Flask).

The request answers a whole results page in one round trip: the hits of the page with highlights, every facet
and the date histogram. Its structure:

- ``query``: the user's words (``full_text_query``) and the date range. Everything shown is within both.
- ``post_filter``: the facet selections, which narrow the hits only.
- ``aggs``: each facet within the selections of the other facets (see ``service.facets``) and the histogram
  within all selections.
"""

from __future__ import annotations

import re

from indexer import schema

from .facets import HISTOGRAM, TERMS_FACETS
from .params import SearchParams

# simple_query_string operators users may type: + | - "phrase" (precedence). No wildcards, fuzziness, slop
# or regular expressions, whose cost a single query could blow up.
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE"

# What a result row shows. The body is left out: it is long, and the highlighter reads it on the node anyway.
RESULT_FIELDS = [schema.ID, schema.HEADLINE, schema.LEDE, schema.PUBLISHED, schema.CITY, schema.COUNTRY,
                 schema.SOURCE]

# The parts of the answer the view reads. The rest (shards, timings, index names, dates as strings) is not
# sent, and Elasticsearch then leaves out empty bucket lists too: readers of the answer expect gaps.
FILTER_PATH = ",".join([
    "hits.total", "hits.hits._id", "hits.hits._score", "hits.hits._source", "hits.hits.highlight",
    "aggregations.*.*.buckets.key", "aggregations.*.*.buckets.doc_count", "aggregations.*.selected.buckets",
    "aggregations.*.range.count", "aggregations.*.range.min", "aggregations.*.range.max",
])

SNIPPET_FRAGMENT_SIZE = 180
SNIPPET_FRAGMENTS = 2

_SORTS = {
    "relevance": ["_score", {schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
    "newest": [{schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
    "oldest": [{schema.PUBLISHED: "asc"}, {schema.ID: "asc"}],
}


def full_text_query(q: str) -> dict:
    """The query clause for a user's words over the full-text fields, headline weighted highest.

    ``simple_query_string`` never fails on syntax. All words must match (``default_operator: and``);
    ``"quoted phrases"`` match as phrases, ``-word`` excludes, ``a | b`` or ``a OR b`` offers alternatives,
    parentheses group. Each field is searched with its own analyzers from the index contract (synonyms,
    accent and quote folding, stemming). A blank ``q`` matches every article.
    """
    if not q.strip():
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": _operators(q),
            "fields": [f"{field}^{weight:g}" for field, weight in schema.TEXT_FIELDS.items()],
            "default_operator": "and",
            "flags": QUERY_FLAGS,
            "lenient": True,
        }
    }


_WORD_OPERATORS = [
    (re.compile(r"(?<!\S)OR(?!\S)"), "|"),
    (re.compile(r"(?<!\S)AND(?!\S)"), "+"),
    (re.compile(r"(?<!\S)NOT\s+"), "-"),
]


def _operators(q: str) -> str:
    """``q`` with the words OR, AND and NOT (in capitals, outside quotes) as the operators | + - they mean."""
    parts = q.split('"')
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        for pattern, operator in _WORD_OPERATORS:
            parts[i] = pattern.sub(operator, parts[i])
    return '"'.join(parts)


def _highlight() -> dict:
    # The html encoder escapes the article text around the <mark> tags, so the result is safe HTML.
    return {
        "type": "unified",
        "encoder": "html",
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "fields": {
            schema.HEADLINE: {"number_of_fragments": 0},
            schema.BODY: {"fragment_size": SNIPPET_FRAGMENT_SIZE, "number_of_fragments": SNIPPET_FRAGMENTS},
        },
    }


def build_search(params: SearchParams) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` (besides ``index``) that answer ``params``.

    Sorting ends on the article id, so equal scores or dates still come in one fixed order and pages never
    overlap. With no words every score is equal, so "relevance" lists the newest articles first.
    """
    selections = {facet.name: facet.filter(params.selected(facet.name))
                  for facet in TERMS_FACETS if params.selected(facet.name)}
    aggs = {}
    for facet in TERMS_FACETS:
        others = [selection for name, selection in selections.items() if name != facet.name]
        aggs[facet.name] = facet.aggregation(params.selected(facet.name), others)
    aggs[HISTOGRAM.name] = HISTOGRAM.aggregation(list(selections.values()))

    query: dict = {"bool": {"must": [full_text_query(params.q)]}}
    date_range = HISTOGRAM.filter(params.date_from, params.date_to)
    if date_range:
        query["bool"]["filter"] = [date_range]

    request = {
        "query": query,
        "aggs": aggs,
        "sort": _SORTS[params.sort],
        "from_": params.offset,
        "size": params.size,
        "_source": RESULT_FIELDS,
    }
    if selections:
        request["post_filter"] = {"bool": {"filter": list(selections.values())}}
    if params.q:
        request["highlight"] = _highlight()
    return request
