"""Plain-text articles: an optional `` date`` header line (``date 2023-02-01``, ``date: 7 февраля 2023``), a
dateline, then paragraphs separated by blank lines (or by indented lines, as in Reuters wire copy). The header
may share its line with the dateline. Without a header or a dateline the text is still an article, undated
unless its path names a date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..article import Article, Skip
from ..dates import WRITTEN_DATE, written_date
from ..derive import normalise_text, published_from_dateline, read_body
from .files import decode, encoding_notes, is_binary, read_whole

if TYPE_CHECKING:
    from . import ReadOptions

_HEADER = re.compile(rf"\A\s*date:?[ \t]+(?P<date>{WRITTEN_DATE})(?!\w)[ \t]*\n?", re.I)


def parse_text(raw: bytes, path: str) -> Article | Skip:
    """A plain-text article file: optional ``date`` header, dateline, paragraphs."""
    if not raw.strip():
        return Skip(path, None, "empty file")
    if is_binary(raw):
        return Skip(path, None, "binary file")
    decoded = decode(raw)
    if isinstance(decoded, str):
        return Skip(path, None, decoded)
    text = normalise_text(decoded.text)
    if not text.strip():
        return Skip(path, None, "empty file")
    notes = encoding_notes(decoded)
    header = _HEADER.match(text)
    published = None
    if header:
        text = text[header.end():]
        try:
            published = written_date(header["date"])
        except ValueError as exc:
            notes.append(f"date header: {exc}")
        else:
            if published is None:
                notes.append(f"date header: {header['date']!r} is not a date")
    parsed = read_body(text)
    if isinstance(parsed, str):
        return Skip(path, None, parsed)
    rule = "header"
    if published is None:
        published, rule, note = published_from_dateline(parsed.dateline, parsed.body, path)
        notes += [note] if note else []
    dateline = parsed.dateline
    return Article(
        id=None, headline=parsed.headline, lede=parsed.lede, body=parsed.body, published=published,
        published_rule=rule, city=dateline and dateline.city, country=dateline and dateline.country,
        source=parsed.agency, url=None, path=path, entities=None, encoding=decoded.encoding, notes=tuple(notes),
    )


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    """The article of a text file (or why there is none)."""
    raw = read_whole(path, options.max_bytes)
    yield raw if isinstance(raw, Skip) else parse_text(raw, path)


def count(path: str) -> int:
    return 1
