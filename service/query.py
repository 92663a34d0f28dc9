"""Search parameters → one Elasticsearch search request (pure: no client, no Flask).

The request answers a whole results page in one round trip: the hits of the page with highlights, every facet
and the date histogram. Its structure:

- ``query``: the user's words (``full_text_query``) and the date range. Everything shown is within both.
- ``post_filter``: the facet selections, which narrow the hits only.
- ``aggs``: each facet within the selections of the other facets (see ``dateline.service.facets``) and the histogram
  within all selections; with a date range, also the undated articles it leaves out (``UNDATED_OUTSIDE``).
- ``collapse``: one hit per story, standing for the versions of the story that match (see ``build_search``).
"""

from __future__ import annotations

import functools
import re

from dateline import schema

from .cursor import Cursor
from .facets import FACETS, HISTOGRAM, TermsFacet
from .params import SearchParams

# simple_query_string operators users may type: + | - "phrase" (precedence). No wildcards, fuzziness, slop
# or regular expressions, whose cost a single query could blow up.
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE"

# What a result row shows. The body is left out: it is long, and the highlighter reads it on the node anyway.
RESULT_FIELDS = [schema.ID, schema.HEADLINE, schema.LEDE, schema.PUBLISHED, schema.CITY, schema.COUNTRY,
                 schema.SOURCE, schema.STORY]

VERSIONS = "versions"  # the inner hits of a collapsed hit: the versions of its story that match
STORIES = "stories"  # the aggregation that counts the stories of the results
EVERY_WORD = "every_word"  # the aggregation that counts the results holding every word of a short query
UNDATED_OUTSIDE = "undated_outside"  # the undated articles a date range leaves out, all else matching
BY_MEANING = "by_meaning"  # in a hybrid ranking's answer: the results it lists found by meaning alone (a count)

# The parts of the answer the view reads. The rest (shards, timings, index names, dates as strings) is not
# sent, and Elasticsearch then leaves out empty bucket lists too: readers of the answer expect gaps.
FILTER_PATH = ",".join([
    "hits.total", "hits.hits._id", "hits.hits._index", "hits.hits._score", "hits.hits._source",
    "hits.hits.highlight", "hits.hits.sort", f"hits.hits.inner_hits.{VERSIONS}.hits.total.value",
    "aggregations.*.*.buckets.key", "aggregations.*.*.buckets.doc_count", "aggregations.*.selected.buckets",
    "aggregations.*.found.values.buckets.key", "aggregations.*.found.values.buckets.doc_count",
    "aggregations.*.found.values.buckets.match.hits.hits.highlight",
    "aggregations.*.range.count", "aggregations.*.range.min", "aggregations.*.range.max",
    f"aggregations.{STORIES}.count.value", f"aggregations.{EVERY_WORD}.doc_count",
    "aggregations.*.undated.doc_count",
])

SNIPPET_FRAGMENT_SIZE = 180
SNIPPET_FRAGMENTS = 2

_SORTS = {
    "relevance": ["_score", {schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
    "newest": [{schema.PUBLISHED: "desc"}, {schema.ID: "asc"}],
    "oldest": [{schema.PUBLISHED: "asc"}, {schema.ID: "asc"}],
}


# How many of a plain query's words an article must hold: any of up to three words, a quarter of more. Fewer
# required words lose nothing at the top, where the all-words tier and BM25 decide, and requiring every word
# of a short query left queries without any result (NFCorpus: 59 of 323 found nothing, nDCG@10 0.296 against
# 0.336; bench/relevance.py).
PARTIAL_MATCH = "25%"
# Up to this many words, articles holding all of them come first ("all words first").
SHORT_QUERY = 3
# Every word of a short query; longer queries need none, so the tier holds every match and ranks nothing.
EVERY_WORD_OF_SHORT = f"{SHORT_QUERY}<-100%"
# Added to the score of an article in the all-words tier: more than BM25 ever gives.
ALL_WORDS_FIRST = 1000.0

# The operators a share of the words would undo: | anywhere (as simple_query_string reads it) and a - that
# starts a word, phrase or group ("Lachin-Khankendi" and "G - quadruplex" exclude nothing).
_EXPLICIT_OPERATOR = re.compile(r'\||(?<![^\s(])-(?=[^\s)])')
_PHRASE = re.compile(r'"[^"]*("|$)')
# A + that does not start a word, or starts a number, is text, not an operator: "Ca2+ in the cytosol" and
# "+1 nucleosomes" require nothing.
_TEXT_PLUS = re.compile(r'(?<=[^\s(])\+|\+(?=[\s)\d]|$)')
TERM = re.compile(r'"[^"]*"|[^\s"]+')
OPERATOR_WORDS = {"AND", "OR", "NOT"}


def plain_words(q: str) -> str:
    """The words of ``q`` without operators, quotes and excluded words: what ranks, and what to correct."""
    words = []
    for term in TERM.findall(q):
        if term.startswith("-") or term in OPERATOR_WORDS:
            continue
        words += re.sub(r'["|+()]', " ", term).split()
    return " ".join(words)


def _best_fields(words: str, fields: list[str], **extra) -> dict:
    return {"multi_match": {"query": words, "type": "best_fields", "fields": fields, "tie_breaker": 0.5, **extra}}


def full_text_query(q: str, names: bool = False) -> dict:
    """The query clause for a user's words over the full-text fields, those of every language.

    Which articles match is decided by ``simple_query_string`` (it never fails on syntax), in filter
    context: a query of plain words (and ``"quoted phrases"``) needs any of up to three words and a quarter
    of more (``PARTIAL_MATCH``); ``+word`` (or ``AND word``) requires a word. A query with an exclusion or
    alternatives is taken literally, every word required: ``-word`` excludes, ``a | b`` or ``a OR b``
    offers alternatives, parentheses group (with a share of the words, an article could get in by its other
    words past an exclusion, or would need both alternatives).

    How they rank is BEIR's BM25 query over the plain words: ``best_fields`` over headline and body with a
    tie breaker, each field with its weight (``schema.TEXT_FIELDS``). The articles holding every word of a
    short query come first (``ALL_WORDS_FIRST``). With ``names``, every word also matches the name skeletons
    (``schema.SKELETON``), so a name in a spelling nobody listed still meets the article; a word an article
    holds only in another spelling adds its skeleton's score at ``schema.NAME_WEIGHT``. Each field is
    searched with its own analyzers from the index contract (stop words, synonyms, accent and quote folding,
    stemming). A blank ``q`` matches every article.

    The shared fields and the language fields (``schema.LANGUAGE_FIELDS``) are two alternatives, each matched
    as a whole: a stop word the shared fields drop does not become a word Russian or folded text must hold,
    and an English article (which has no language fields) scores exactly as on the shared fields alone.
    """
    if not q.strip():
        return {"match_all": {}}
    words = plain_words(q)
    ranking = [_best_fields(words, _weighted(schema.TEXT_FIELDS)),
               _best_fields(words, _weighted(schema.LANGUAGE_FIELDS))]  # matches non-English articles only
    if names:
        ranking += [_spelling(word) for word in words.split()]
    if _literal(q):
        return {"bool": {"filter": [_matching(q, names, "and")], "should": ranking}}
    all_words_first = {"constant_score": {"filter": every_word_query(q, names), "boost": ALL_WORDS_FIRST}}
    return {"bool": {"filter": [_matching(q, names, "or", minimum_should_match=PARTIAL_MATCH)],
                     "should": [*ranking, all_words_first]}}


def _weighted(fields: dict[str, float]) -> list[str]:
    return [f"{field}^{weight:g}" for field, weight in fields.items()]


def _matching(q: str, names: bool, operator: str, **extra) -> dict:
    """The articles whose shared fields match ``q``, or whose language fields do (non-English articles): two
    alternatives, each matched as a whole."""
    in_language_fields = {"simple_query_string": {"query": _operators(q), "fields": list(schema.LANGUAGE_FIELDS),
                                                  "default_operator": operator, "flags": QUERY_FLAGS,
                                                  "lenient": True, **extra}}
    return {"bool": {"should": [_words(q, names, operator, **extra),
                                {"bool": {"filter": [in_language_fields,
                                                     {"exists": {"field": schema.LANGUAGE_TEXT_OBJECT}}]}}],
                     "minimum_should_match": 1}}


def every_word_query(q: str, names: bool = False) -> dict | None:
    """The articles holding every word of ``q`` when it is a short plain query, any match when it is longer;
    ``None`` when ``q`` is blank or taken literally (it then requires every word anyway)."""
    if not q.strip() or _literal(q):
        return None
    return _matching(q, names, "or", minimum_should_match=EVERY_WORD_OF_SHORT)


def _spelling(word: str) -> dict:
    """``word`` found only by its name skeleton (another spelling), at ``schema.NAME_WEIGHT``: an article
    that holds the word itself ranks as it would without skeletons."""
    return {"bool": {"must": [_best_fields(word, _skeletons())],
                     "must_not": [{"multi_match": {"query": word, "fields": list(schema.TEXT_FIELDS)}}],
                     "boost": schema.NAME_WEIGHT}}


def _literal(q: str) -> bool:
    return _EXPLICIT_OPERATOR.search(_PHRASE.sub('""', _operators(q))) is not None


def _skeletons() -> list[str]:
    return [f"{field}.{schema.SKELETON}" for field in schema.TEXT_FIELDS]


def _words(q: str, names: bool, operator: str, **extra) -> dict:
    fields = [*schema.TEXT_FIELDS] + (_skeletons() if names else [])
    return {"simple_query_string": {"query": _operators(q), "fields": fields, "default_operator": operator,
                                    "flags": QUERY_FLAGS, "lenient": True, **extra}}


_WORD_OPERATORS = [
    (re.compile(r"(?<!\S)OR(?!\S)"), "|"),
    (re.compile(r"(?<!\S)AND(?!\S)"), "+"),
    (re.compile(r"(?<!\S)NOT\s+"), "-"),
]


@functools.lru_cache(maxsize=1024)  # a request asks it of the same words a dozen times
def _operators(q: str) -> str:
    """``q`` with the words OR, AND and NOT (in capitals, outside quotes) as the operators | + - they mean,
    and a + that is text as a space."""
    parts = _TEXT_PLUS.sub(" ", q).split('"')  # (a + inside a phrase is not searched for either)
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


def search_query(params: SearchParams, names: bool = False) -> dict:
    """The words (with ``names``, in any spelling), the other facets' selections (the date range) and the
    story: what everything on a results page is within."""
    query: dict = {"bool": {"must": [full_text_query(params.q, names)]}}
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


def build_search(params: SearchParams, after: Cursor | None = None, names: bool = False) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` (besides ``index``) that answer ``params``, on the page
    after the cursor ``after`` if given; with ``names``, its words in any spelling (see ``in_any_spelling``).

    Sorting ends on the article id, so equal scores or dates still come in one fixed order and pages never
    overlap. With no words every score is equal, so "relevance" lists the newest articles first.

    Results are collapsed on the story: each hit is the best version of its story and says how many versions
    match (inner hits, fetched in the same request), and a cardinality aggregation counts the stories for
    paging. The total, the facets and the histogram count articles. Totals are exact: the aggregations visit
    every match anyway. For a short plain query, ``EVERY_WORD`` counts the results holding every word, so the
    page can say when none does and the articles shown hold only most of the words.
    """
    chosen = selections(params)
    aggs = {}
    for facet in FACETS:
        others = [selection for name, selection in chosen.items() if name != facet.name]
        aggs[facet.name] = facet.search_aggregation(params, others)

    request = {
        "query": search_query(params, names),
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
    every_word = every_word_query(params.q, names)
    if every_word:
        aggs[EVERY_WORD] = {"filter": {"bool": {"filter": [every_word, *chosen.values()]}}}
    if params.date_from or params.date_to:
        undated = match_query(params.with_dates(None, None))
        undated["bool"]["filter"].append(HISTOGRAM.undated())
        aggs[UNDATED_OUTSIDE] = {"global": {}, "aggs": {"undated": {"filter": undated}}}
    if params.q:
        request["highlight"] = _highlight()
    return request


def in_any_spelling(params: SearchParams, answer: dict, after: Cursor | None = None) -> bool:
    """Whether to search again with the words in any spelling (``build_search(..., names=True)``): when the
    words as written find nothing, or no article with every word of a short query. Name skeletons collide
    with unrelated words, so searching them always changed the top 10 of 7 % of ordinary Reuters queries;
    asked only then, they change nothing for a search whose words all meet (bench/names.py)."""
    if after is not None or not params.q.strip():
        return False
    aggs = answer.get("aggregations", {})
    total = answer.get("hits", {}).get("total", {}).get("value", 0)
    return total == 0 or aggs.get(EVERY_WORD, {}).get("doc_count", total) == 0


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


def doc_values_only(*fields: str) -> dict:
    """Search options that return the hits' ids (``article_id``) and ``fields`` from doc values alone: no
    stored field is read, so no block of ``_source`` is decompressed (about 0.2 ms a hit)."""
    return {"_source": False, "stored_fields": "_none_", "docvalue_fields": [schema.ID, *fields]}


def article_id(hit: dict) -> str:
    """The id of ``hit``, also of one fetched from doc values alone (``doc_values_only``)."""
    return hit.get("_id") or hit["fields"][schema.ID][0]
