"""Plain-text articles: an optional `` date YYYY-MM-DD`` header line, a dateline, then paragraphs separated by
blank lines (or by indented lines, as in Reuters wire copy). The header may share its line with the dateline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..article import Article, Skip
from ..derive import iso_date, normalise_text, published_from_dateline, read_body
from .files import decode, is_binary, read_whole

if TYPE_CHECKING:
    from . import ReadOptions

_HEADER = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{1,2}-\d{1,2})\b[ \t]*\n?", re.I)


def parse_text(raw: bytes, path: str) -> Article | Skip:
    """A plain-text article file: optional ``date`` header, dateline, paragraphs."""
    if not raw.strip():
        return Skip(path, None, "empty file")
    if is_binary(raw):
        return Skip(path, None, "binary file")
    text, encoding = decode(raw)
    text = normalise_text(text)
    if not text.strip():
        return Skip(path, None, "empty file")
    header = _HEADER.match(text)
    published = None
    if header:
        year, month, day = map(int, header[1].split("-"))
        published = iso_date(year, month, day)
        if published is None:
            return Skip(path, None, f"impossible date in the header: {header[1]}")
        text = text[header.end():]
    parsed = read_body(text)
    if isinstance(parsed, str):
        return Skip(path, None, parsed)
    if parsed.dateline is None:
        return Skip(path, None, "no dateline")
    if published is not None:
        rule = "header"
    else:
        found = published_from_dateline(parsed.dateline, parsed.body)
        if isinstance(found, str):
            return Skip(path, None, found)
        published, rule = found
    return Article(
        id=None, headline=parsed.headline, lede=parsed.lede, body=parsed.body, published=published,
        published_rule=rule, city=parsed.dateline.city, country=parsed.dateline.country, source=parsed.agency,
        url=None, path=path, entities=None, encoding=encoding,
    )


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    """The article of a text file (or why there is none)."""
    raw = read_whole(path, options.max_bytes)
    yield raw if isinstance(raw, Skip) else parse_text(raw, path)


def count(path: str) -> int:
    return 1

