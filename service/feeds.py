"""Atom and JSON Feed twins of a search: its newest results, for feed readers.

Any search URL has them: ``/feeds/search.atom?...`` (Atom 1.0, RFC 4287) and ``/feeds/search.json?...``
(JSON Feed 1.1) take the same parameters. A feed lists the newest results, one per story as on the page,
whatever the sort; page, size, cursor and facet prefixes do not apply.

Article text is plain text everywhere else. Here it becomes HTML, a paragraph each and escaped, which the XML
of Atom escapes once more. Characters that XML 1.0 cannot carry are left out of both feeds alike.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

from markupsafe import escape

from dateline import schema

from .params import SearchParams
from .query import collapses, match_query, sort_for
from .stored import UNTITLED, StoredArticle, paragraphs

FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"

_FIELDS = [schema.ID, schema.HEADLINE, schema.LEDE, schema.BODY, schema.PUBLISHED, schema.CITY,
           schema.COUNTRY, schema.SOURCE]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def feed_params(params: SearchParams) -> SearchParams:
    """The search a feed shows: newest first, the first ``FEED_SIZE`` results."""
    return dataclasses.replace(params, sort="newest", page=1, size=FEED_SIZE, after="", prefixes={})


def build_feed_search(params: SearchParams) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` (besides ``index``) that fetch the entries of a feed."""
    feed = feed_params(params)
    request = {
        "query": match_query(feed),
        "sort": sort_for(feed),
        "size": FEED_SIZE,
        "_source": _FIELDS,
        "track_total_hits": False,
    }
    if collapses(feed):
        request["collapse"] = {"field": schema.STORY}
    return request


def feed_title(params: SearchParams) -> str:
    """``dateline: “harvest”, Country: Armenia`` — what the search asks for, in words."""
    parts = [f"“{params.q}”"] if params.q else []
    parts += [text for text, _ in params.restrictions()]
    return "dateline: " + (", ".join(parts) if parts else "newest articles")


def _text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _timestamp(day: str | None) -> str | None:
    """An RFC 3339 timestamp (as both formats want) for a publication day: its start, in UTC; None for an
    undated article."""
    return f"{day[:10]}T00:00:00Z" if day else None


def _items(answer: dict, article_url: Callable[[str], str]) -> list[dict]:
    items = []
    for hit in answer.get("hits", {}).get("hits", []):
        article = StoredArticle.from_source(hit["_source"])
        items.append({
            "url": article_url(article.id),
            "title": _text(article.headline) or UNTITLED,
            "published": _timestamp(article.published),
            "summary": _text(article.lede),
            "html": "".join(f"<p>{escape(p)}</p>" for p in paragraphs(_text(article.body))),
            "author": _text(article.source) or None,
            "place": _text(article.place) or None,
        })
    return items


def atom(title: str, page_url: str, feed_url: str, answer: dict, article_url: Callable[[str], str]) -> bytes:
    """The Atom document: feed id, title, updated, author and links, and an entry per result with its id,
    title, updated, link, summary (the lede) and content (the article as HTML)."""
    items = _items(answer, article_url)
    updated = max((item["published"] for item in items if item["published"]),
                  default=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    feed = ET.Element("feed", xmlns=ATOM)  # every element below is in the Atom namespace
    _add(feed, "id", page_url)
    _add(feed, "title", _text(title))
    _add(feed, "updated", updated)
    _add(_add(feed, "author"), "name", "dateline")
    _add(feed, "link", rel="self", type=ATOM_TYPE, href=feed_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    for item in items:
        entry = _add(feed, "entry")
        _add(entry, "id", item["url"])
        _add(entry, "title", item["title"])
        _add(entry, "updated", item["published"] or updated)  # Atom requires one; an undated entry takes the feed's
        if item["published"]:
            _add(entry, "published", item["published"])
        _add(entry, "link", rel="alternate", type="text/html", href=item["url"])
        if item["author"]:
            _add(_add(entry, "author"), "name", item["author"])
        if item["place"]:
            _add(entry, "category", term=item["place"])
        _add(entry, "summary", item["summary"], type="text")
        _add(entry, "content", item["html"], type="html")
    declaration = b'<?xml version="1.0" encoding="utf-8"?>\n'
    return declaration + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def json_feed(title: str, page_url: str, feed_url: str, answer: dict,
              article_url: Callable[[str], str]) -> dict:
    """The JSON Feed document: version, title, home page and feed URLs, and an item per result."""
    items = []
    for item in _items(answer, article_url):
        entry = {"id": item["url"], "url": item["url"], "title": item["title"], "content_html": item["html"],
                 "summary": item["summary"]}
        if item["published"]:
            entry["date_published"] = item["published"]
        if item["author"]:
            entry["authors"] = [{"name": item["author"]}]
        if item["place"]:
            entry["tags"] = [item["place"]]
        items.append(entry)
    return {"version": JSON_FEED_VERSION, "title": _text(title), "home_page_url": page_url,
            "feed_url": feed_url, "items": items}
