"""Elasticsearch answers → view models (pure: plain dicts in, plain dicts out).

The JSON API returns these view models as they are and the HTML pages render the very same ones, so the two
can never disagree: a view model holds everything a page shows, its links included (facet toggles, chips,
histogram bars, pages, the page's other forms). Everything that is HTML is a ``markupsafe.Markup``: article
text escaped, with only the highlighter's ``<mark>`` tags let through.

Results come one per story (see ``dateline.service.query``), but every count (the total, the facets, the
histogram) counts articles; the view says so in ``"counts": "articles"`` and gives the number of stories
beside the total.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

from markupsafe import Markup, escape

from dateline import schema

from .citation import article_citation
from .cursor import Cursor, encode, fingerprint, pinned
from .facets import HISTOGRAM, TERMS_FACETS, SearchURL, next_start
from .params import MAX_RESULT_WINDOW, SearchParams
from .query import BY_MEANING, EVERY_WORD, STORIES, UNDATED_OUTSIDE, VERSIONS
from .related import related_view
from .stored import StoredArticle, field_value

SNIPPET_FALLBACK_LENGTH = 240
_MARK = re.compile(r"(</?mark>)")
# Text, the tags, and the entities that html.escape writes as the html encoder does: such a fragment is what
# escaping its pieces again would give.
_ESCAPED_WITH_MARKS = re.compile(r"(?:[^&<>\"']++|&(?:amp|lt|gt|quot|#x27);|</?mark>)*+")


def safe_highlight(fragment: str) -> Markup:
    """A highlighter fragment as HTML in which nothing but ``<mark>`` and ``</mark>`` can be markup.

    The html encoder already escapes the text; unescaping and escaping each piece between the tags again
    yields the same text, and keeps that promise even for a fragment that was not encoded.
    """
    if _ESCAPED_WITH_MARKS.fullmatch(fragment):  # nothing to re-escape
        return Markup(fragment)
    pieces = [piece if piece in ("<mark>", "</mark>") else html.escape(html.unescape(piece))
              for piece in _MARK.split(fragment)]
    return Markup("".join(pieces))


def shorten(text: str, length: int = SNIPPET_FALLBACK_LENGTH) -> str:
    """``text`` cut at a word boundary to at most about ``length`` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > 0 else length].rstrip(" ,;:") + "…"


def hit_view(hit: dict, article_url: Callable[[str], str],
             versions_url: Callable[[str], str] | None = None) -> dict:
    """One result. ``versions`` is how many versions of its story match when results are collapsed (else
    ``None``), and ``versions_url`` lists them when there are several."""
    article = StoredArticle.from_source(hit.get("_source", {}), hit["_id"])
    highlight = hit.get("highlight", {})
    if highlight.get(schema.HEADLINE):
        headline_html = safe_highlight(highlight[schema.HEADLINE][0])
    else:
        headline_html = escape(article.title)
    if highlight.get(schema.BODY):
        snippet_html = Markup(" … ".join(safe_highlight(" ".join(f.split())) for f in highlight[schema.BODY]))
    else:
        snippet_html = escape(shorten(article.lede or ""))
    story = article.story
    versions = hit.get("inner_hits", {}).get(VERSIONS, {}).get("hits", {}).get("total", {}).get("value")
    return {
        "id": article.id,
        "url": article_url(article.id),
        "headline": article.title,
        "headline_html": headline_html,
        "snippet_html": snippet_html,
        "published": article.published,
        "dateline": article.dateline,
        "source": article.source,
        "score": hit.get("_score"),
        "story": story,
        "versions": versions,
        "versions_url": versions_url(story) if versions_url and story and (versions or 0) > 1 else None,
    }


def search_view(
    params: SearchParams,
    answer: dict,
    article_url: Callable[[str], str],
    search_url: SearchURL,
    after: Cursor | None = None,
    links: dict | None = None,
    value_urls: bool = True,
) -> dict:
    """Everything a results page shows (after the cursor ``after`` if given), which its JSON twin returns as is.

    ``search_url`` makes the links to other searches (pages, facet values, bars, chips); ``links`` are the URLs
    of this search in its other forms (the page, JSON, feeds, export). Without ``value_urls`` the facet values
    have no ``url`` each: the page toggles them with its form's checkboxes, not with links.
    """
    hits = answer.get("hits", {})
    total = hits.get("total", {"value": 0, "relation": "eq"})
    aggs = answer.get("aggregations", {})
    stories = aggs.get(STORIES, {}).get("count", {}).get("value")
    # Results listed, for paging: those of the words and, in a hybrid ranking, those found by meaning alone.
    results = (total["value"] if stories is None else stories) + answer.get(BY_MEANING, 0)
    histogram = HISTOGRAM.view(aggs.get(HISTOGRAM.name, {}), params.date_from, params.date_to)
    rows = {facet.name: facet.rows(aggs.get(facet.name, {}), params.selected(facet.name)) for facet in TERMS_FACETS}
    return {
        "query": params.to_json(),
        "total": {"value": total["value"], "relation": total["relation"]},
        "stories": stories,
        "counts": "articles",
        "hits": [hit_view(hit, article_url, lambda story: search_url(params.with_story(story)))
                 for hit in hits.get("hits", [])],
        "facets": rows,
        "histogram": histogram,
        "undated": _undated_view(params, histogram, aggs, search_url),
        "pages": {
            "page": params.page if after is None else None,
            "size": params.size,
            "next": _next_page(params, hits.get("hits", []), results, search_url, after),
            "prev": search_url(params.with_page(params.page - 1))
            if params.page > 1 and after is None else None,
        },
        "notice": _notice(total["value"], aggs),
        "suggestions": [],
        "paging": {
            "first": search_url(params.with_page(1)),
            "last": -(-min(results, MAX_RESULT_WINDOW) // params.size),  # the last page numbered
            "start": (after.position if after else params.offset) + 1,  # the position of the first hit
            "cursor": after is not None,  # past the numbered pages, continued from a cursor
        },
        "facet_groups": [{
            "name": facet.name,
            "label": facet.label,
            "long_tail": facet.long_tail,
            "prefix": params.prefixes.get(facet.name, ""),
            "top_url": search_url(params.with_prefix(facet.name, "")),
            "values": facet.linked(rows[facet.name], params, search_url) if value_urls else rows[facet.name],
        } for facet in TERMS_FACETS],
        "restrictions": [{"text": text, "url": search_url(without)} for text, without in params.restrictions()],
        "chart": chart_view(histogram, params, search_url),
        "links": {**(links or {}), "clear": search_url(params.without_filters())},
    }


MOST_WORDS = "No article has every word; showing articles with most of them"


def _notice(total: int, aggs: dict) -> dict | None:
    """What the page says above results that are not what was asked for: none holds every word of a short
    query, so the best of those holding most of them are shown (``{"kind": "most_words", "text"}``)."""
    if total and aggs.get(EVERY_WORD, {}).get("doc_count", total) == 0:
        return {"kind": "most_words", "text": MOST_WORDS}
    return None


def _undated_view(params: SearchParams, histogram: dict, aggs: dict, search_url: SearchURL) -> dict:
    """The results without a date: ``count`` among these results, ``left_out`` by the date range (None without
    one), and ``url``, the search that lists just them (None when there are none)."""
    left_out = aggs.get(UNDATED_OUTSIDE, {}).get("undated", {}).get("doc_count", 0) \
        if params.date_from or params.date_to else None
    listed = histogram["undated"] or left_out
    return {"count": histogram["undated"], "left_out": left_out,
            "url": search_url(params.with_undated()) if listed and not params.undated else None}


def _next_page(params: SearchParams, hits: list[dict], results: int,
               search_url: SearchURL, after: Cursor | None) -> str | None:
    """The link to the next page of ``results`` results (stories when collapsed): by page number within the
    first 10,000, then by a cursor after the last hit of this page."""
    if after is None:
        next_end = (params.page + 1) * params.size
        if params.page * params.size < min(results, MAX_RESULT_WINDOW) and next_end <= MAX_RESULT_WINDOW:
            return search_url(params.with_page(params.page + 1))
    position = (after.position if after else params.offset) + len(hits)
    if len(hits) < params.size or (after is None and position >= results):
        return None
    last = hits[-1]
    cursor = Cursor(pinned(last["_index"]), tuple(last["sort"]), position, fingerprint(params))
    return search_url(params.with_after(encode(cursor)))


def article_view(source: dict, related_answer: dict, article_url: Callable[[str], str], search_url: SearchURL,
                 links: dict | None = None) -> dict:
    """One article in full, with the versions of its story, related articles (``related_answer``, see
    ``dateline.service.related``) and the facet values it is filed under, each linking to its search; ``url``
    is its page here, ``original_url`` where it was first published, ``links["canonical"]`` its permanent
    absolute URL, which the citation names when there is no original."""
    article = StoredArticle.from_source(source)
    related, versions = related_view(related_answer, article_url)
    filed_under = []
    for facet in TERMS_FACETS:
        values = field_value(source, facet.field)
        values = [values] if isinstance(values, str) else values or []
        if values:
            filed_under.append({"label": facet.label, "links": [
                {"value": value, "url": search_url(SearchParams().toggled(facet.name, value))} for value in values]})
    view = {
        "id": article.id,
        "url": article_url(article.id),
        "headline": article.title,
        "lede": article.lede,
        "body": article.body or "",
        "paragraphs": article.paragraphs,
        "published": article.published,
        "revised": article.revised,
        "dateline": article.dateline,
        "source": article.source,
        "original_url": article.url,
        "entities": article.entities,
        "story": article.story,
        "path": article.path,
        "versions": {"count": versions, "url": search_url(SearchParams().with_story(article.story))
                     if article.story and versions > 1 else None},
        "related": related,
        "filed_under": filed_under,
        "links": links or {},
    }
    view["citation"] = article_citation(view, view["links"].get("canonical", view["url"]))
    return view


# The chart's labels are English whatever the server's locale.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def period_label(interval: str, start: date) -> str:
    """What people call the interval starting on ``start``: ``13 Dec 2022``, ``December 2022``, ``2022``."""
    if interval == "day":
        return f"{start.day} {_MONTHS[start.month - 1][:3]} {start.year}"
    if interval == "week":
        return f"week of {start.day} {_MONTHS[start.month - 1][:3]} {start.year}"
    if interval == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    return str(start.year)


def histogram_chart(histogram: dict, bar_url: Callable[[str, str], str] | None = None, height: int = 80,
                    bar_width: int = 12, gap: int = 2) -> dict:
    """Bar geometry of the histogram for an SVG drawn on the server: a bar per bucket, tallest at ``height``.

    Each bar carries the dates it covers (``start``, ``end``, both included, ``YYYY-MM-DD``), a ``title``, and
    when it has articles the ``url`` ``bar_url(start, end)`` makes (else None).
    """
    interval = histogram["interval"]
    buckets = histogram["buckets"]
    tallest = max((b["count"] for b in buckets), default=0) or 1
    bars = []
    for i, bucket in enumerate(buckets):
        start, count = bucket["start"], bucket["count"]
        first = date.fromisoformat(start)
        try:
            end = date.fromordinal(next_start(interval, first).toordinal() - 1).isoformat()
        except OverflowError:
            end = date.max.isoformat()
        label = period_label(interval, first)
        bar_height = max(round(count / tallest * height), 1)  # a hairline keeps empty intervals visible
        bars.append({
            "start": start,
            "end": end,
            "count": count,
            "label": label,
            "title": f"{label}: {_articles(count)}",
            "x": i * (bar_width + gap),
            "y": height - bar_height,
            "height": bar_height,
            "url": bar_url(start, end) if count and bar_url else None,
        })
    return {"width": max(len(bars) * (bar_width + gap) - gap, 1), "height": height, "bar_width": bar_width,
            "bars": bars}


def chart_view(histogram: dict, params: SearchParams, search_url: SearchURL) -> dict:
    """``histogram_chart`` of a search's histogram, each bar with articles linking to the search narrowed to
    its dates."""
    return histogram_chart(histogram, params.dates_urls(search_url))


def _articles(count: int) -> str:
    return "no articles" if not count else "1 article" if count == 1 else f"{count:,} articles"
