"""Readers: one module per input format behind one table, ``FORMATS``, that says which files each reads.

Every reader yields ``Article`` and ``Skip`` records from one file, streaming, never holding a corpus in
memory. Adding a format is one module with a ``read(path, max_bytes)`` and one row here. A ``.gz`` file is
read as the format of the name before ``.gz``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..article import Article, Skip
from . import jsonl, text
from .files import walk

MAX_BYTES = 10 * 2**20


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]  # file name endings, without ".gz"
    read: Callable[[str, int], Iterator[Article | Skip]]  # (path, max_bytes) → the file's records
    count: Callable[[str], int]  # about how many articles a file holds, for progress bars


FORMATS = (
    Format("text", (".txt",), text.read, text.count),
    Format("jsonl", (".jsonl",), jsonl.read, jsonl.count),
)
# Files without any suffix ("README" aside, wire copy often has none) are plain-text articles.
NO_SUFFIX = FORMATS[0]


def format_of(path: str) -> Format | None:
    """The format of a file by its name, or None when no reader takes it."""
    name = os.path.basename(path).removesuffix(".gz")
    if "." not in name:
        return NO_SUFFIX
    return next((f for f in FORMATS if name.endswith(f.suffixes)), None)


def _unsupported(path: str) -> Skip:
    stem, suffix = os.path.splitext(os.path.basename(path))
    if suffix == ".gz":  # "reut2-000.sgm.gz" is a .sgm.gz
        suffix = os.path.splitext(stem)[1] + suffix
    return Skip(path, None, f"unsupported file type ({suffix})")


def _files(sources: Iterable[str | Path]) -> Iterator[tuple[str, Format] | Skip]:
    for source in sources:
        for found in walk(os.path.normpath(source)):
            if isinstance(found, Skip):
                yield found
                continue
            path = found[0]
            kind = format_of(path)
            yield (path, kind) if kind else _unsupported(path)


def iter_articles(sources: Iterable[str | Path], max_bytes: int = MAX_BYTES) -> Iterator[Article | Skip]:
    """Stream every article of files and folders (recursively, deterministic sorted order), one at a time.

    Files no reader takes are skipped as unsupported. Symlink loops, unreadable files and folders and
    nonexistent paths become ``Skip`` records, never exceptions.
    """
    for found in _files(sources):
        if isinstance(found, Skip):
            yield found
        else:
            path, kind = found
            yield from kind.read(path, max_bytes)


def estimate_articles(sources: Iterable[str | Path]) -> int:
    """About how many articles ``sources`` hold, for a progress bar's ETA."""
    return sum(found[1].count(found[0]) for found in _files(sources) if not isinstance(found, Skip))
