"""HTML article pages (``.html``, ``.htm``, or markup that starts as HTML): the main text through trafilatura,
which leaves out menus, ads, comments and footers; the metadata from what the page declares.

Kept, first found wins: the headline from JSON-LD ``NewsArticle.headline``, ``og:title`` or ``<title>``; the
date and time from JSON-LD ``datePublished`` or ``<meta property="article:published_time">``; the author from
JSON-LD or ``<meta name="author">``; the source from ``og:site_name`` or the JSON-LD publisher; the URL from
``<link rel="canonical">`` or ``og:url``; the language from ``<html lang>``; sections as topics.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

from ..article import Article, Skip
from . import given
from .files import decode, encoding_notes, is_binary, read_whole, skip_at
from .jsonl import parse_record

if TYPE_CHECKING:
    from . import ReadOptions

# A page without article text is a named skip; trafilatura's own warning about it would only add noise.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                  "OpinionNewsArticle", "BackgroundNewsArticle", "Report"}
_HTML = re.compile(rb"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_MARKUP = re.compile(r"<(?:html|body|article|p|div)\b", re.I)


def looks_like(start: bytes) -> bool:
    return _HTML.match(start.lstrip(b"\xef\xbb\xbf")) is not None


def _news_objects(node) -> Iterator[dict]:
    """The article objects of a JSON-LD block (a list, an ``@graph``, nested)."""
    if isinstance(node, list):
        for item in node:
            yield from _news_objects(item)
    elif isinstance(node, dict):
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(kind in _ARTICLE_TYPES for kind in kinds if isinstance(kind, str)):
            yield node
        yield from _news_objects(node.get("@graph"))


def _names(value) -> list[str]:
    """Names of a JSON-LD person or organisation, a list of them, or plain strings."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    return [value] if isinstance(value, str) else []


def _json_ld(page) -> dict:
    for script in page.xpath('//script[@type="application/ld+json"]'):
        try:
            found = next(_news_objects(json.loads(script.text or "")), None)
        except (ValueError, RecursionError):
            continue
        if found:
            return found
    return {}


def metadata(page) -> dict:
    """The fields a page declares about its article, as a JSON Lines record without the body."""
    def meta(*keys: str) -> str | None:
        for key in keys:
            for value in page.xpath(f'//meta[@property="{key}" or @name="{key}"]/@content'):
                if value.strip():
                    return value.strip()
        return None

    ld = _json_ld(page)
    title = page.findtext(".//title")
    canonical = page.xpath('//link[@rel="canonical"]/@href')
    sections = ld.get("articleSection")
    return {
        "id": ld.get("identifier") if isinstance(ld.get("identifier"), str) else None,
        "headline": " ".join(str(ld.get("headline") or meta("og:title") or title or "").split()) or None,
        "published": given.moment(ld.get("datePublished") if isinstance(ld.get("datePublished"), str) else None)
        or given.moment(meta("article:published_time", "datePublished", "date", "pubdate")),
        "byline": ", ".join(given.unique(_names(ld.get("author")))) or given.byline(meta("author")),
        "source": meta("og:site_name") or next(iter(_names(ld.get("publisher"))), None),
        "url": canonical[0].strip() if canonical and canonical[0].strip() else meta("og:url"),
        "language": page.get("lang") or (ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None),
        "topics": given.unique((sections if isinstance(sections, list) else [sections])
                               + page.xpath('//meta[@property="article:section"]/@content')),
    }


def parse_page(raw: bytes, path: str, *, url: str | None = None, date: str | None = None) -> Article | Skip:
    """An article page; ``url`` and ``date`` stand in when the page declares neither (a crawl's record)."""
    if is_binary(raw):
        return skip_at(path, "binary file, not an HTML page")
    decoded = decode(raw)
    if isinstance(decoded, str):
        return skip_at(path, decoded)
    text = _XML_DECLARATION.sub("", decoded.text)  # lxml takes no encoding declaration in a decoded string
    if not _MARKUP.search(text):
        return skip_at(path, "not an HTML page: no <html>, <body> or <p>")
    try:
        page = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        return skip_at(path, f"unreadable HTML: {exc}")
    import trafilatura  # a second of start-up (it loads numpy and more) that only HTML pages need

    record = metadata(page)
    main = trafilatura.extract(page, include_comments=False, include_tables=False, deduplicate=False)
    lines = [line.strip() for line in (main or "").splitlines() if line.strip()]
    if lines and record["headline"] and lines[0] == record["headline"]:
        lines = lines[1:]  # the page's <h1>
    if not lines:
        return skip_at(path, "no article text found on the page")
    record["url"] = record["url"] or url
    record["published"] = record["published"] or given.moment(date)
    record["body"] = "\n\n".join(lines)
    return parse_record(record, path, decoded.encoding, tuple(encoding_notes(decoded)))


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    raw = read_whole(path, options.max_bytes)
    yield raw if isinstance(raw, Skip) else parse_page(raw, path)


def count(path: str) -> int:
    return 1
