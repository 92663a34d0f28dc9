"""Readers: one module per input format behind one table, ``FORMATS``, that says which files each reads.

Every reader yields ``Article`` and ``Skip`` records from one file, streaming, never holding a corpus in
memory. Adding a format is one module with a ``read(path, options)`` (and, if its files can be told by their
first bytes, a ``looks_like(head)``) and one row here. A ``.gz`` file is read as the format of the name before
``.gz``. A file whose name tells nothing (no suffix, ``.xml``, an unknown suffix) is read as the format
``ReadOptions.format`` forces, else as the format its first bytes show (a feed, NITF or NewsML-G2 by the root
element, HTML, Reuters SGML, WARC); a file without any suffix that shows none of them is a plain-text article.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..article import Article, Skip, Unparsed
from . import csvfile, feed, html, jsonl, newsml, nitf, reuters, text, warc
from .files import head, walk

MAX_BYTES = 10 * 2**20


@dataclass(frozen=True)
class ReadOptions:
    """How to read: what the command line says beyond the files."""

    max_bytes: int = MAX_BYTES  # the largest file (a line, for JSON Lines and CSV) a reader takes
    format: str | None = None  # the format of files whose name does not tell it (``--format``)
    csv_columns: Mapping[str, str] = field(default_factory=dict)  # field name → CSV column (``--csv-column``)


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]  # file name endings, without ".gz"
    read: Callable[[str, ReadOptions], Iterator[Article | Unparsed | Skip]]  # (path, options) → the file's records
    count: Callable[[str], int]  # about how many articles a file holds, for progress bars
    looks_like: Callable[[bytes], bool] | None = None  # whether a file's first 4 KB are this format


FORMATS = (
    Format("text", (".txt",), text.read, text.count),
    Format("jsonl", (".jsonl",), jsonl.read, jsonl.count),
    Format("html", (".html", ".htm"), html.read, html.count, html.looks_like),
    Format("feed", (".rss", ".atom"), feed.read, feed.count, feed.looks_like),
    Format("nitf", (".nitf",), nitf.read, nitf.count, nitf.looks_like),
    Format("newsml", (".newsml",), newsml.read, newsml.count, newsml.looks_like),
    Format("reuters", (".sgm", ".sgml"), reuters.read, reuters.count, reuters.looks_like),
    Format("csv", (".csv", ".tsv"), csvfile.read, csvfile.count),
    Format("warc", (".warc",), warc.read, warc.count, warc.looks_like),
)
BY_NAME = {f.name: f for f in FORMATS}
# Files without any suffix ("README" aside, wire copy often has none) are plain-text articles.
NO_SUFFIX = BY_NAME["text"]


def format_of(path: str, forced: str | None = None) -> Format | None:
    """The format of a file: by its name, else ``forced``, else by its first bytes; None when no reader
    takes it."""
    name = os.path.basename(path).removesuffix(".gz")
    by_name = next((f for f in FORMATS if name.endswith(f.suffixes)), None)
    if by_name or forced:
        return by_name or BY_NAME[forced]
    start = head(path)
    sniffed = next((f for f in FORMATS if f.looks_like and f.looks_like(start)), None)
    return sniffed or (NO_SUFFIX if "." not in name else None)


def _unsupported(path: str) -> Skip:
    stem, suffix = os.path.splitext(os.path.basename(path))
    if suffix == ".gz":  # "reut2-000.sgm.gz" is a .sgm.gz
        suffix = os.path.splitext(stem)[1] + suffix
    if suffix in (".xml", ".xml.gz"):
        return Skip(path, None, "XML that is no feed, NITF or NewsML-G2 (name one with --format)")
    return Skip(path, None, f"unsupported file type ({suffix})")


def source_files(sources: Iterable[str | Path], forced: str | None = None) -> Iterator[tuple[str, Format] | Skip]:
    """Every file of ``sources`` with the format that reads it (``forced``: that format's name for all), in
    reading order; a ``Skip`` for the rest."""
    for source in sources:
        for found in walk(os.path.normpath(source)):
            if isinstance(found, Skip):
                yield found
                continue
            path = found[0]
            kind = format_of(path, forced)
            yield (path, kind) if kind else _unsupported(path)


def iter_articles(sources: Iterable[str | Path], max_bytes: int = MAX_BYTES,
                  options: ReadOptions | None = None, unparsed: bool = False) -> Iterator[Article | Unparsed | Skip]:
    """Stream every article of files and folders (recursively, deterministic sorted order), one at a time.

    Files no reader takes are skipped as unsupported. Symlink loops, unreadable files and folders and
    nonexistent paths become ``Skip`` records, never exceptions. With ``unparsed``, an article a reader
    leaves to parse later comes as it is (``Unparsed``), for the caller to parse where it likes.
    """
    options = options or ReadOptions(max_bytes=max_bytes)
    for found in source_files(sources, options.format):
        if isinstance(found, Skip):
            yield found
            continue
        path, kind = found
        for item in kind.read(path, options):
            yield item() if isinstance(item, Unparsed) and not unparsed else item


def estimate_articles(sources: Iterable[str | Path], options: ReadOptions | None = None) -> int:
    """About how many articles ``sources`` hold, for a progress bar's ETA."""
    found = source_files(sources, (options or ReadOptions()).format)
    return sum(item[1].count(item[0]) for item in found if not isinstance(item, Skip))
