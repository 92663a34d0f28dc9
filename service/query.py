"""Search parameters → one Elasticsearch search request (pure: no client, no Flask).

The request answers a whole results page in one round trip: the hits of the page with highlights, every facet
and the date histogram. Its structure:

- ``query``: the user's words (``full_text_query``) and the date range. Everything shown is within both.
- ``post_filter``: the facet selections, which narrow the hits only.
- ``aggs``: each facet within the selections of the other facets (see ``dateline.service.facets``) and the histogram
  within all selections.
- ``collapse``: one hit per story, standing for the versions of the story that match (see ``build_search``).
"""

from __future__ import annotations

import re

from dateline import schema

from .cursor import Cursor
from .facets import FACETS, TermsFacet
from .params import SearchParams

# simple_query_string operators users may type: + | - "phrase" (precedence). No wildcards, fuzziness, slop
# or regular expressions, whose cost a single query could blow up.
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE"

# What a result row shows. The body is left out: it is long, and the highlighter reads it on the node anyway.
RESULT_FIELDS = [schema.ID, schema.HEADLINE, schema.LEDE, schema.PUBLISHED, schema.CITY, schema.COUNTRY,
                 schema.SOURCE, schema.STORY]

VERSIONS = "versions"  # the inner hits of a collapsed hit: the versions of its story that match
STORIES = "stories"  # the aggregation that counts the stories of the results

# The parts of the answer the view reads. The rest (shards, timings, index names, dates as strings) is not
# sent, and Elasticsearch then leaves out empty bucket lists too: readers of the answer expect gaps.
FILTER_PATH = ",".join([
    "hits.total", "hits.hits._id", "hits.hits._index", "hits.hits._score", "hits.hits._source",
    "hits.hits.highlight", "hits.hits.sort", f"hits.hits.inner_hits.{VERSIONS}.hits.total.value",
    "aggregations.*.*.buckets.key", "aggregations.*.*.buckets.doc_count", "aggregations.*.selected.buckets",
    "aggregations.*.found.values.buckets.key", "aggregations.*.found.values.buckets.doc_count",
    "aggregations.*.found.values.buckets.match.hits.hits.highlight",
    "aggregations.*.range.count", "aggregations.*.range.min", "aggregations.*.range.max",
    f"aggregations.{STORIES}.count.value",
])

SNIPPET_FRAGMENT_SIZE = 180
SNIPPET_FRAGMENTS = 2

_SORTS = {
    "relevance": ["_score", {schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
    "newest": [{schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
    "oldest": [{schema.PUBLISHED: "asc"}, {schema.ID: "asc"}],
}


# How many of a plain query's words an article must hold: up to three words, all of them; beyond that, a
# quarter. Requiring every word of a pasted sentence finds almost nothing (SciFact claims: 284 of 300 found
# nothing), while a quarter still keeps articles that share one stray word out (bench/relevance.py).
PARTIAL_MATCH = "3<25%"

# The operators a share of the words would undo: | anywhere (as simple_query_string reads it) and a - that
# starts a word, phrase or group ("Lachin-Khankendi" and "G - quadruplex" exclude nothing). A + needs no
# care: the word after it is required either way.
_EXPLICIT_OPERATOR = re.compile(r'\||(?<![^\s(])-(?=[^\s)])')
_PHRASE = re.compile(r'"[^"]*("|$)')


def full_text_query(q: str) -> dict:
    """The query clause for a user's words over the full-text fields.

    ``simple_query_string`` never fails on syntax. A query of plain words (and ``"quoted phrases"``) needs
    all its words when it has up to three, and a quarter of them when longer (``PARTIAL_MATCH``); articles
    holding every word score higher, so they come first. ``+word`` (or ``AND word``) requires a word. A
    query with an exclusion or alternatives is taken literally, every word required: ``-word`` excludes,
    ``a | b`` or ``a OR b`` offers alternatives, parentheses group (with a share of the words, an article
    could get in by its other words past an exclusion, or would need both alternatives). Each field is
    searched with its own analyzers from the index contract (stop words, synonyms, accent and quote folding,
    stemming). A blank ``q`` matches every article.
    """
    if not q.strip():
        return {"match_all": {}}
    query = _operators(q)

    def words(operator: str, **extra) -> dict:
        return {
            "simple_query_string": {
                "query": query,
                "fields": [f"{field}^{weight:g}" for field, weight in schema.TEXT_FIELDS.items()],
                "default_operator": operator,
                "flags": QUERY_FLAGS,
                "lenient": True,
                **extra,
            }
        }

    every_word = words("and")
    if _EXPLICIT_OPERATOR.search(_PHRASE.sub('""', query)):
        return every_word
    return {"bool": {"must": [words("or", minimum_should_match=PARTIAL_MATCH)], "should": [every_word]}}


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


def sort_for(params: SearchParams) -> list:
    """The sort of a search: its ``sort`` parameter, then the article id."""
    return _SORTS[params.sort]


def selections(params: SearchParams) -> dict[str, dict]:
    """Facet name → the filter of its selection, for each disjunctive facet with a selection."""
    chosen = {facet.name: facet.selection_filter(params) for facet in FACETS if facet.disjunctive}
    return {name: clause for name, clause in chosen.items() if clause}


def search_query(params: SearchParams) -> dict:
    """The words, the other facets' selections (the date range) and the story: what everything on a results
    page is within."""
    query: dict = {"bool": {"must": [full_text_query(params.q)]}}
    filters = [facet.selection_filter(params) for facet in FACETS if not facet.disjunctive]
    if params.story:
        filters.append({"term": {schema.STORY: params.story}})
    if any(filters):
        query["bool"]["filter"] = [clause for clause in filters if clause]
    return query


def filter_clauses(params: SearchParams) -> list[dict]:
    """Every restriction of a search besides its words, as filter clauses."""
    query = search_query(params)["bool"]
    return query.get("filter", []) + list(selections(params).values())


def match_query(params: SearchParams) -> dict:
    """Everything a search asks for as one query: its words and all its filters, facet selections included."""
    return {"bool": {"must": [full_text_query(params.q)], "filter": filter_clauses(params)}}


def collapses(params: SearchParams, after: Cursor | None = None) -> bool:
    """Whether results come one per story: not when they are one story's versions, nor after a cursor
    (Elasticsearch cannot collapse with ``search_after``: past 10,000 results every version is listed)."""
    return not params.story and after is None


def build_search(params: SearchParams, after: Cursor | None = None) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` (besides ``index``) that answer ``params``, on the page
    after the cursor ``after`` if given.

    Sorting ends on the article id, so equal scores or dates still come in one fixed order and pages never
    overlap. With no words every score is equal, so "relevance" lists the newest articles first.

    Results are collapsed on the story: each hit is the best version of its story and says how many versions
    match (inner hits, fetched in the same request), and a cardinality aggregation counts the stories for
    paging. The total, the facets and the histogram count articles. Totals are exact: the aggregations visit
    every match anyway.
    """
    chosen = selections(params)
    aggs = {}
    for facet in FACETS:
        others = [selection for name, selection in chosen.items() if name != facet.name]
        aggs[facet.name] = facet.search_aggregation(params, others)

    request = {
        "query": search_query(params),
        "aggs": aggs,
        "sort": sort_for(params),
        "size": params.size,
        "_source": RESULT_FIELDS,
        "track_total_hits": True,
    }
    if after is None:
        request["from_"] = params.offset
    else:
        request["search_after"] = list(after.after)
    if chosen:
        request["post_filter"] = {"bool": {"filter": list(chosen.values())}}
    if collapses(params, after):
        request["collapse"] = {"field": schema.STORY,
                               "inner_hits": {"name": VERSIONS, "size": 0, "_source": False}}
        # Near exact up to 40,000 stories (the highest precision threshold), an estimate above.
        count = {"cardinality": {"field": schema.STORY, "precision_threshold": 40_000}}
        aggs[STORIES] = {"filter": {"bool": {"filter": list(chosen.values())}}, "aggs": {"count": count}}
    if params.q:
        request["highlight"] = _highlight()
    return request


def build_facet_search(params: SearchParams, facet: TermsFacet, prefix: str) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` that list the values of ``facet`` starting with
    ``prefix`` (its top values if empty) with their counts, as the facet counts them on the results page of
    ``params``."""
    others = [selection for name, selection in selections(params).items() if name != facet.name]
    return {
        "query": search_query(params),
        "size": 0,
        "track_total_hits": False,
        "aggs": {facet.name: facet.aggregation(params.selected(facet.name), others, prefix)},
    }
