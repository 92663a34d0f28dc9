"""JSON Lines (``.jsonl``, ``.jsonl.gz``): one article a line; given fields kept, missing ones derived.

A file may hold exports of ``/api/export``: their opening and closing records (``dateline.export_format``) give
no article; an export that does not close with its completion record is an ``IncompleteExport``.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dateline import export_format

from ..article import MAX_ID_BYTES, Article, IncompleteExport, Skip, Unparsed
from ..dates import given_published
from ..derive import normalise_text, place_name, published_from_dateline, read_body
from .files import decode, encoding_notes, open_binary, os_reason, size_text

if TYPE_CHECKING:
    from . import ReadOptions


def _given_text(record: dict, key: str) -> str | None:
    """A string field of a record, whitespace-trimmed; None when absent, null or blank."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key == "id":
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')
    value = normalise_text(value).strip()
    return value or None


def _given_list(record: dict, key: str) -> tuple[str, ...]:
    """A list-of-strings field, blanks dropped; () when absent."""
    values = record.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f'"{key}" must be a list of strings')
    return tuple(dict.fromkeys(v for v in (normalise_text(v).strip() for v in values) if v))


def parse_record(record: dict, path: str, encoding: str = "utf-8", notes: tuple[str, ...] = ()) -> Article | Skip:
    """One JSON Lines record (already JSON-decoded). ``body`` is required; given fields are kept as given,
    missing ones are derived from the body as for text files. ``path`` names the file and line. A
    ``published`` that cannot be read, or can be read two ways, is noted and the date read from the text (or
    the article indexed undated).

    Every reader of a structured format turns what its source gives into such a record and hands it here, so
    all formats follow one rule for what is given and what is derived."""
    file, _, line = path.rpartition(":")
    where = (file, int(line)) if line.isdigit() and file else (path, None)
    if not isinstance(record, dict):
        return Skip(*where, f"not a JSON object but {type(record).__name__}")
    try:
        body = _given_text(record, "body")
        given = {key: _given_text(record, key)
                 for key in ("id", "headline", "source", "url", "byline", "language")}
        if given["id"] and len(given["id"].encode()) > MAX_ID_BYTES:
            raise ValueError(f'"id" is longer than the {MAX_ID_BYTES} bytes Elasticsearch allows')
        topics = _given_list(record, "topics")
        dateline = record.get("dateline") or {}
        if not isinstance(dateline, dict):
            raise ValueError('"dateline" must be an object with "city" and "country"')
        city, country = _given_text(dateline, "city"), _given_text(dateline, "country")
        entities = record.get("entities")
        if entities is not None and not (isinstance(entities, dict) and all(
                isinstance(v, list) and all(isinstance(x, str) for x in v) for v in entities.values())):
            raise ValueError('"entities" must be an object of lists of names')
    except ValueError as exc:
        return Skip(*where, str(exc))
    if body is None:
        return Skip(*where, 'no "body"')
    parsed = read_body(body)
    if isinstance(parsed, str):
        return Skip(*where, parsed)
    notes = list(notes)
    published = published_at = None
    value = record.get("published")
    if value is not None and value != "":
        try:
            (published, published_at), rule = given_published(value), "given"
        except ValueError as exc:
            notes.append(f"{exc}; the date is read from the text instead")
    if published is None:
        published, rule, note = published_from_dateline(parsed.dateline, parsed.body, where[0])
        notes += [note] if note else []
    return Article(
        id=given["id"], headline=given["headline"] or parsed.headline, lede=parsed.lede, body=parsed.body,
        published=published, published_rule=rule,
        city=place_name(city) if city else parsed.dateline and parsed.dateline.city,
        country=place_name(country) if country else parsed.dateline and parsed.dateline.country,
        source=given["source"] or parsed.agency, url=given["url"], path=path, entities=entities,
        encoding=encoding, notes=tuple(notes), published_at=published_at, byline=given["byline"], topics=topics,
        language=given["language"],
    )


def parse_line(text: str, path: str, encoding: str, notes: tuple[str, ...]) -> Article | Skip:
    """One line of a file (``path`` names the file and line) that holds an article, or its ``Skip``."""
    record, problem = _loads(text)
    if problem:
        file, _, line = path.rpartition(":")
        return Skip(file, int(line), problem)
    return parse_record(record, path, encoding, notes)


def _loads(text: str) -> tuple[object, str | None]:
    """(the JSON value of a line, None), or (None, why it cannot be read)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"broken JSON: {exc.msg} at column {exc.colno}"
    except ValueError as exc:  # valid JSON Python refuses: a number of more than 4300 digits
        return None, f"unreadable JSON: {exc}"
    except RecursionError:
        return None, "unreadable JSON: nested too deeply"


class _Exports:
    """Checks that each export in a file closes with a completion record that counts its article lines."""

    def __init__(self, path: str):
        self.path = path
        self.opened_at: int | None = None  # the line of the opening record of the export being read
        self.articles = 0

    def article(self) -> None:
        self.articles += 1

    def frame(self, frame: dict, line: int) -> Iterator[Skip]:
        if export_format.is_opening(frame):
            yield from self.end()  # a second export begins (files joined): the first one had no end
            self.opened_at, self.articles = line, 0
            return
        if self.opened_at is None:
            yield Skip(self.path, line, "an export's closing record without its opening record")
            return
        if not frame.get("complete"):
            yield IncompleteExport(self.path, line, f"the export ended with an error after {frame.get('articles')} "
                                                    f"articles: {frame.get('error')}")
        elif frame.get("articles") != self.articles:
            yield IncompleteExport(self.path, line, f"the export's completion record counts {frame.get('articles')} "
                                                    f"articles but {self.articles} lines hold articles")
        self.opened_at = None

    def end(self) -> Iterator[Skip]:
        if self.opened_at is not None:
            yield IncompleteExport(self.path, self.opened_at, f"an export without its completion record: cut short "
                                                              f"after {self.articles} articles")
            self.opened_at = None


def read(path: str, options: ReadOptions) -> Iterator[Unparsed | Skip]:
    """The articles of a JSON Lines file, line by line, each still to be parsed; a line that cannot hold one
    is a ``Skip`` of its own (as is one that turns out to hold none once parsed)."""
    max_bytes = options.max_bytes
    number = 0
    seen_any = False
    exports = _Exports(path)
    try:
        with open_binary(path) as stream:
            while True:
                raw = stream.readline(max_bytes + 1)
                if not raw:
                    break
                number += 1
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                        pass
                    seen_any = True
                    exports.article()
                    yield Skip(path, number, f"line larger than {size_text(max_bytes)}")
                    continue
                if not raw.strip():
                    continue
                seen_any = True
                decoded = decode(raw)
                if isinstance(decoded, str):
                    yield Skip(path, number, decoded)
                    continue
                # Only a line that names the export key can be an export's own record: the others are
                # decoded and parsed where the article is enriched (``Unparsed``).
                if export_format.KEY in decoded.text:
                    record, problem = _loads(decoded.text)
                    frame = None if problem else export_format.framing(record)
                    if frame is not None:
                        yield from exports.frame(frame, number)
                        continue
                exports.article()
                yield Unparsed(parse_line, (decoded.text, f"{path}:{number}", decoded.encoding,
                                            tuple(encoding_notes(decoded))))
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Skip(path, number + 1 if number else None, f"broken gzip data: {exc}")
        yield from exports.end()
        return
    except OSError as exc:
        yield Skip(path, number + 1 if number else None, os_reason(exc, "file"))
        yield from exports.end()
        return
    yield from exports.end()
    if not seen_any:
        yield Skip(path, None, "empty file")



def count(path: str) -> int:
    """Lines in the file (unreadable or truncated: 0, the reader names it later)."""
    try:
        with open_binary(path) as stream:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(2**20), b""))
    except (OSError, EOFError, zlib.error):
        return 0
