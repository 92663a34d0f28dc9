"""Reading sources as a rebuild would, with no Elasticsearch: what they hold, what would be skipped, and where
JSON Lines records depart from the published schema (``schemas/article.schema.json``).

The articles and skips come from the same pipeline ``rebuild`` loads (``pipeline.documents``), so a check
reports exactly the counts and skips a rebuild of the same sources would.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from dateline import export_format

from .article import Skip
from .enrich.gazetteer import GazetteerError, load_gazetteer
from .pipeline import documents
from .readers import ReadOptions, source_files
from .readers.files import decode, open_binary

SCHEMA_PATH = Path(__file__).with_name("schemas") / "article.schema.json"
LISTED_SCHEMA_ERRORS = 100  # a systematic mistake in a large file is named this often, then only counted
UNDETERMINED = "und"  # the BCP 47 code for a language not detected


class CheckError(Exception):
    """The sources could not be checked at all (the gazetteer, an operator file, is broken)."""


@dataclass(frozen=True)
class SchemaError:
    path: str
    line: int
    field: str  # a JSON pointer into the record ("/published"), "" for the record itself
    message: str


@dataclass
class CheckReport:
    sources: list[str]
    articles: int = 0  # articles read (an article met twice counts twice, as in a rebuild)
    ids: set[str] = field(default_factory=set)  # distinct documents: what the index would hold
    skipped: list[Skip] = field(default_factory=list)
    fallback_decodings: list[tuple[str, str]] = field(default_factory=list)  # (path, encoding)
    earliest: str | None = None
    latest: str | None = None
    date_rules: Counter = field(default_factory=Counter)  # which rule dated how many articles
    languages: Counter = field(default_factory=Counter)
    agencies: Counter = field(default_factory=Counter)
    schema_errors: list[SchemaError] = field(default_factory=list)  # the first LISTED_SCHEMA_ERRORS
    invalid_records: int = 0  # JSON Lines records the schema refuses
    seconds: float = 0.0

    @property
    def duplicates(self) -> int:
        return self.articles - len(self.ids)


@cache
def article_schema() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def schema_errors(record: object, path: str, line: int) -> list[SchemaError]:
    """What in one decoded JSON Lines record departs from the schema, most basic first."""
    found = sorted(article_schema().iter_errors(record), key=lambda e: (len(e.absolute_path), e.message))
    return [SchemaError(path, line, "".join(f"/{part}" for part in error.absolute_path), _message(error))
            for error in found]


def _message(error) -> str:
    if error.validator == "pattern" and "x-expected" in error.schema:  # plainer than the regular expression
        return f"{error.instance!r} is not {error.schema['x-expected']}"
    return error.message


def _records(path: str, max_bytes: int) -> Iterator[tuple[int, object]]:
    """(line number, decoded JSON value) of each article line of a JSON Lines file. Lines the reader skips
    (too large, not JSON, unreadable) and an export's own opening and closing records are left out: the
    pipeline names the first, the second are not articles."""
    try:
        with open_binary(path) as stream:
            for number, raw in enumerate(iter(lambda: stream.readline(max_bytes + 1), b""), 1):
                if len(raw) > max_bytes or not raw.strip():
                    continue
                try:
                    record = json.loads(decode(raw).text)
                except (ValueError, RecursionError):
                    continue
                if export_format.framing(record) is None:
                    yield number, record
    except (OSError, EOFError, zlib.error):
        return


def _jsonl_files(sources: Iterable[str], forced: str | None) -> Iterator[str]:
    for found in source_files(sources, forced):
        if not isinstance(found, Skip) and found[1].name == "jsonl":
            yield found[0]


def check(sources: Iterable[str | Path], options: ReadOptions | None = None) -> CheckReport:
    """Read ``sources`` as ``rebuild`` would with ``options`` and report what a rebuild would index and skip."""
    options = options or ReadOptions()
    started = time.monotonic()
    report = CheckReport(sources=[str(s) for s in sources])
    try:
        gazetteer = load_gazetteer()
    except (OSError, UnicodeDecodeError, GazetteerError) as exc:
        raise CheckError(str(exc)) from exc
    for item in documents(report.sources, gazetteer, options=options):
        if isinstance(item, Skip):
            report.skipped.append(item)
            continue
        article = item.article
        report.articles += 1
        if article.encoding != "utf-8":
            report.fallback_decodings.append((article.path, article.encoding))
        if item.duplicate_of:  # the same text as an earlier article: a rebuild indexes it once
            continue
        report.ids.add(item.id)
        report.earliest = min(report.earliest or article.published, article.published)
        report.latest = max(report.latest or article.published, article.published)
        report.date_rules[article.published_rule] += 1
        report.languages[item.source.get("language") or UNDETERMINED] += 1
        report.agencies[article.source or "unknown"] += 1
    for path in _jsonl_files(report.sources, options.format):
        for line, record in _records(path, options.max_bytes):
            errors = schema_errors(record, path, line)
            if errors:
                report.invalid_records += 1
                report.schema_errors.extend(errors[: LISTED_SCHEMA_ERRORS - len(report.schema_errors)])
    report.seconds = time.monotonic() - started
    return report
