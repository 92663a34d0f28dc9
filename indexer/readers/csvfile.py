"""CSV and TSV (``.csv``, ``.tsv``): a header row, then one article a row.

The header names the columns; a column named like a JSON Lines field (``id``, ``headline``, ``published``,
``source``, ``url``, ``byline``, ``language``, ``topics``, ``dateline.city``, ``dateline.country``, ``body``)
is that field, and ``ReadOptions.csv_columns`` maps others (``--csv-column published=date_col``). Topics are
separated by ``;``. Quoted fields may span lines. Each row then follows the JSON Lines rules; its place is the
line it starts on. The file is read as UTF-8 (a BOM allowed), else as cp1252 or latin-1.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..article import Article, Skip
from .files import is_binary, open_binary, os_reason
from .jsonl import count as count_lines
from .jsonl import parse_record

if TYPE_CHECKING:
    from . import ReadOptions

FIELDS = ("id", "headline", "published", "source", "url", "byline", "language", "topics", "dateline.city",
          "dateline.country", "body")
count = count_lines


def _encoding(path: str) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else cp1252, else latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open_binary(path) as stream:
                for chunk in iter(lambda: stream.read(2**20), b""):  # noqa: B023
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _record(row: dict, columns: dict[str, str]) -> dict:
    values = {name: (row.get(column) or "").strip() or None for name, column in columns.items()}
    record = {name: values[name] for name in columns if "." not in name and name != "topics"}
    record["topics"] = [t for t in (values.get("topics") or "").split(";") if t.strip()]
    record["dateline"] = {"city": values.get("dateline.city"), "country": values.get("dateline.country")}
    return record


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    line = 1
    try:
        with open_binary(path) as probe:
            if is_binary(probe.read(8192)):
                yield Skip(path, None, "binary file, not CSV")
                return
        encoding = _encoding(path)
        with open_binary(path) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as stream:
            delimiter = "\t" if os.path.basename(path).removesuffix(".gz").endswith(".tsv") else ","
            csv.field_size_limit(options.max_bytes)
            rows = csv.DictReader(stream, delimiter=delimiter, strict=True)
            header = rows.fieldnames or []
            if not header:
                yield Skip(path, None, "empty file")
                return
            wanted = {name: options.csv_columns.get(name, name) for name in FIELDS}
            missing = [f"{column} (--csv-column {name}={column})" for name, column in options.csv_columns.items()
                       if column not in header]
            if missing or wanted["body"] not in header:
                what = ", ".join(missing) if missing else "body (name it with --csv-column body=COLUMN)"
                yield Skip(path, 1, f"no column {what}; the header has: {', '.join(header)[:200]}")
                return
            columns = {name: column for name, column in wanted.items() if column in header}
            line = rows.line_num + 1
            for row in rows:
                if any(value and value.strip() for value in row.values() if isinstance(value, str)):
                    yield parse_record(_record(row, columns), f"{path}:{line}", encoding.removesuffix("-sig"))
                line = rows.line_num + 1
    except csv.Error as exc:
        yield Skip(path, line, f"broken CSV: {exc}")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Skip(path, None, f"broken gzip data: {exc}")
    except OSError as exc:
        yield Skip(path, None, os_reason(exc, "file"))
