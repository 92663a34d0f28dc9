"""RSS 2.0 and Atom feeds (``.rss``, ``.atom``, or XML with an ``<rss>``, ``<feed>`` or RSS 1.0 root), read
with feedparser: each entry is an article.

Kept: ``guid``/``id`` as the id, ``link``, ``title``, the author, ``pubDate``/``published`` (else
``updated``) with its offset, categories as topics, the feed's language and its title as the source. The text
is ``content:encoded`` or the entry's content, else its description, with its HTML turned into paragraphs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ..article import Article, Skip
from . import given, xmlsafe
from .files import read_document
from .jsonl import parse_record
from .markup import html_paragraphs

if TYPE_CHECKING:
    from . import ReadOptions

ROOTS = ("rss", "feed", "RDF")


def looks_like(start: bytes) -> bool:
    return xmlsafe.root_name(start) in ROOTS


def _text(entry) -> str:
    contents = sorted(entry.get("content") or [], key=lambda c: "html" not in c.get("type", ""))
    html = contents[0].get("value") if contents else entry.get("summary")
    return html_paragraphs(html or "")


def parse_entry(entry, channel, where: str) -> Article | Skip:
    record = {
        "id": entry.get("id"),
        "url": entry.get("link"),
        "headline": html_paragraphs(entry.get("title") or "").replace("\n\n", " ") or None,
        "published": given.moment(entry.get("published") or entry.get("updated")),
        "source": (entry.get("source") or {}).get("title") or channel.get("title"),
        "byline": given.byline(entry.get("author")),
        "language": channel.get("language"),
        "topics": given.unique(tag.get("term") for tag in entry.get("tags") or []),
        "body": _text(entry),
    }
    return parse_record(record, where)


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    raw = read_document(path, options.max_bytes, "a feed")
    if isinstance(raw, Skip):
        yield raw
        return
    # feedparser's own parser is lenient; the strict, defused one refuses entities before it runs.
    checked = xmlsafe.parse(raw)
    if isinstance(checked, str) and checked.startswith("refused"):
        yield Skip(path, None, checked)
        return
    import feedparser  # imported by the first feed only: most runs read none

    parsed = feedparser.parse(io.BytesIO(raw))
    if not parsed.version and not parsed.entries:
        problem = checked if isinstance(checked, str) else f"the root element is <{checked.tag}>"
        yield Skip(path, None, f"not an RSS or Atom feed: {problem}")
        return
    if not parsed.entries:
        yield Skip(path, None, "a feed without entries"
                   + (f" ({checked})" if isinstance(checked, str) else ""))
    for number, entry in enumerate(parsed.entries, 1):
        found = parse_entry(entry, parsed.feed, f"{path}:{number}")
        if isinstance(found, Skip) and isinstance(checked, str):  # say why an entry of a broken feed is empty
            found = replace(found, reason=f"{found.reason} ({checked})")
        yield found


def count(path: str) -> int:
    return 1
