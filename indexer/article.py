"""An article as every reader yields it, before enrichment, and a skip: input that gave no article."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_ID_BYTES = 512  # Elasticsearch's limit on a document _id


@dataclass(frozen=True)
class Article:
    """One parsed article, before enrichment (``dateline.indexer.enrich`` turns it into an index document)."""

    id: str | None  # the id the source gives, or None; the final id is computed by enrich.article_id
    headline: str
    lede: str
    body: str  # the whole text, all paragraphs incl. the lede paragraph, dateline prefix removed
    published: str | None  # "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SSZ" (UTC) when a time was given; None: unknown
    published_rule: str  # which rule gave the date, see PUBLISHED_RULES ("none" when undated)
    city: str | None
    country: str | None  # as the dateline says it (may be a US state such as "Calif."), or None
    source: str | None  # agency: "Trend", "Reuters", ...
    url: str | None
    path: str  # where it came from: "seeds/000_x.txt", "dump.jsonl:12" (a line), "feed.rss:3" (an entry)
    entities: dict | None  # given entities (JSON Lines) or None
    encoding: str  # "utf-8", or the encoding a detector guessed ("cp1251", "koi8-r", "utf-16", ...)
    notes: tuple[str, ...] = ()  # what an operator should check: a date not read, a poor encoding guess
    # What richer sources give beyond the text (absent from plain text files):
    published_at: str | None = None  # ISO 8601 time stamp with the offset the source gives, when it gives a time
    byline: str | None = None
    topics: tuple[str, ...] = ()  # subjects or categories the source files the article under
    language: str | None = None  # as the source declares it ("en", "fr-CA")
    places: tuple[str, ...] = ()  # places the source tags the article with, added to those found in the text


@dataclass(frozen=True)
class Skip:
    """Input that gave no article, and why, in plain words."""

    path: str
    line: int | None  # where in the file: the line (JSON Lines, CSV, SGML) or the entry or record number
    reason: str


@dataclass(frozen=True)
class Unparsed:
    """An article read but not parsed yet: ``parse(*args)`` gives it (or the ``Skip`` that stands for it).

    A rebuild with worker processes parses it in a worker, beside the rest of the work on the article, so the
    process that reads the files does little per article and feeds any number of workers. ``parse`` is a
    module-level function and ``args`` plain values: it goes to the worker pickled. ``root``: the source it was
    found under, which its id is relative to (set by the pipeline)."""

    parse: Callable[..., Article | Skip]
    args: tuple
    root: str | None = None

    def __call__(self) -> Article | Skip:
        return self.parse(*self.args)


@dataclass(frozen=True)
class IncompleteExport(Skip):
    """An export that does not end with its completion record: cut short, or ended by an error. A rebuild
    refuses it unless told to take the articles it holds."""


PUBLISHED_RULES = {
    "given": "the date the source gives: a JSON Lines or CSV `published` (ISO 8601, RFC 2822, a written date in "
             "any order, epoch seconds), a feed's pubDate, NITF `date.issue`, NewsML-G2 `firstCreated`, a page's "
             "`article:published_time`, Reuters `<DATE>`",
    "header": "the ` date` header line (`date 2023-02-01`, `date: 7 февраля 2023`)",
    "dateline": "a dateline that names the year (`LONDON, March 3, 1987 -`, `PARIS, 3 mars 2023 (AFP) -`)",
    "dateline-year-from-path": "the dateline's month and day; the year in the file's path (`2005/08/18/…`)",
    "dateline-year-from-text": "the dateline's month and day; the year of a date of that month in the text",
    "dateline-year-from-recent-date": "the dateline's month and day; the year that puts a date named in the "
                                      "text within the three months before it",
    "path": "no date in the text; the full date in the file's path (`2005/08/18/…`, `2005-08-18-title.txt`)",
    "none": "no date could be read: the article is indexed undated",
}


_LINE = re.compile(r"(.*):(\d+)")


def file_and_line(path: str) -> tuple[str, str | None]:
    """An article's ``path`` split into its file and, for files of several articles (JSON Lines, CSV, feeds,
    SGML, WARC), the line or entry number."""
    found = _LINE.fullmatch(path)
    return (found[1], found[2]) if found else (path, None)
