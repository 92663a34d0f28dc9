"""Reuters-21578 SGML (``.sgm``, ``.sgm.gz``): every ``<REUTERS>`` document with a ``<BODY>`` is an article.

Kept from the source: ``NEWID`` as the id (``reuters-<NEWID>``), ``<DATE>`` with its time of day (the
collection gives no time zone), ``<TITLE>`` as the headline, ``<DATELINE>`` (city and, for US datelines, the
state), ``<TOPICS>`` as topics and ``<PLACES>`` as places. The files are SGML, not XML: numeric entities
(``&#3;``) are control characters and dropped, and the sign-off "Reuter" at the end of a body is not text.
Documents without a body (``TYPE="BRIEF"``: a title only; ``TYPE="UNPROC"``: unprocessed text) are skips.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ..article import Article, Skip
from .files import decode, head, read_document, skip_at
from .jsonl import parse_record

if TYPE_CHECKING:
    from . import ReadOptions

_DOCUMENT = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_START = re.compile(r"<REUTERS\b")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_CODE = re.compile(r"<D>(.*?)</D>", re.S)
_DATE = re.compile(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\d{1,2}):(\d{2}):(\d{2}))?")
_MONTHS = {m: n for n, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_SIGN_OFF = re.compile(r"\s*\bReuter\b[\s\x00-\x1f]*\Z", re.I)
_PLACE_NAMES = {"usa": "USA", "uk": "UK", "ussr": "USSR", "uae": "UAE"}


def looks_like(start: bytes) -> bool:
    return re.search(rb"<!DOCTYPE\s+lewis\b|<REUTERS\b", start) is not None


def _element(document: str, name: str) -> str | None:
    found = re.search(rf"<{name}>(.*?)</{name}>", document, re.S)
    return html.unescape(found[1]) if found else None


def _codes(document: str, name: str) -> list[str]:
    return [html.unescape(code).strip() for code in _CODE.findall(_element(document, name) or "")]


def _place(code: str) -> str:
    """A PLACES code as a name: "el-salvador" → "El Salvador", "usa" → "USA"."""
    return _PLACE_NAMES.get(code, code.replace("-", " ").title())


def _published(stamp: str | None) -> str | None:
    """``26-FEB-1987 15:01:01.79`` as ``1987-02-26T15:01:01`` (a bare day when the time is garbled)."""
    found = _DATE.match(stamp or "")
    month = _MONTHS.get(found[2].upper()) if found else None
    if month is None:
        return None
    day = f"{found[3]}-{month:02d}-{int(found[1]):02d}"
    return f"{day}T{int(found[4]):02d}:{found[5]}:{found[6]}" if found[4] else day


def parse_document(attributes: str, document: str, where: str, encoding: str) -> Article | Skip:
    """One ``<REUTERS>`` document; ``where`` is "file:line" of its start."""
    attrs = dict(_ATTRIBUTE.findall(attributes))
    body = _element(document, "BODY")
    if body is None:
        kind = re.search(r'<TEXT\b[^>]*TYPE="(\w+)"', document)
        return skip_at(where, f"NEWID {attrs.get('NEWID', '?')}: no <BODY>" + (f' (TYPE="{kind[1]}")' if kind else ""))
    dateline = (_element(document, "DATELINE") or "").strip()
    record = {
        "id": f"reuters-{attrs['NEWID']}" if attrs.get("NEWID", "").isdigit() else None,
        "headline": " ".join((_element(document, "TITLE") or "").split()) or None,
        "published": _published(_element(document, "DATE")),
        "source": "Reuters",
        "topics": _codes(document, "TOPICS"),
        # The dateline leads the body as in wire copy, so the usual rules read city, state and day from it.
        "body": f"{dateline} {_SIGN_OFF.sub('', body)}" if dateline else _SIGN_OFF.sub("", body),
    }
    article = parse_record(record, where, encoding)
    if isinstance(article, Article):
        article = replace(article, places=tuple(dict.fromkeys(_place(c) for c in _codes(document, "PLACES"))))
    return article


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    raw = read_document(path, options.max_bytes, "Reuters-21578 SGML")
    if isinstance(raw, Skip):
        yield raw
        return
    # Found in latin-1 (byte for byte), then each document decoded on its own: one stray byte makes one
    # article a cp1252 decoding to report, not the thousand of its file.
    text = raw.decode("latin-1")
    line, counted, end = 1, 0, 0
    for found in _DOCUMENT.finditer(text):
        line += text.count("\n", counted, found.start())
        counted = found.start()
        attributes, document = (decode(part.encode("latin-1")) for part in (found[1], found[2]))
        unreadable = next((part for part in (attributes, document) if isinstance(part, str)), None)
        if unreadable:
            yield Skip(path, line, unreadable)
        else:
            yield parse_document(attributes.text, document.text, f"{path}:{line}", document.encoding)
        end = found.end()
    rest = _START.search(text, end)
    if rest:
        line += text.count("\n", counted, rest.start())
        yield Skip(path, line, "truncated: a <REUTERS> document without its </REUTERS>")
    elif end == 0:
        yield Skip(path, None, "no <REUTERS> documents: not Reuters-21578 SGML")


def count(path: str) -> int:
    """``<REUTERS`` tags in the first MB, scaled: a file of the collection holds 1,000."""
    return len(_START.findall(head(path, 2**20).decode("latin-1")))
