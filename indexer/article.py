"""An article as every reader yields it, before enrichment, and a skip: input that gave no article."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ID_BYTES = 512  # Elasticsearch's limit on a document _id


@dataclass(frozen=True)
class Article:
    """One parsed article, before enrichment (``dateline.indexer.enrich`` turns it into an index document)."""

    id: str | None  # given id (JSON Lines) or None; the final id is computed by enrich.article_id
    headline: str
    lede: str
    body: str  # the whole text, all paragraphs incl. the lede paragraph, dateline prefix removed
    published: str  # "YYYY-MM-DD"
    published_rule: str  # which rule gave the date, see PUBLISHED_RULES
    city: str | None
    country: str | None  # as the dateline says it (may be a US state such as "Calif."), or None
    source: str | None  # agency: "Trend", "Reuters", ...
    url: str | None
    path: str  # where it came from: "seeds/000_x.txt" or "dump.jsonl:12"
    entities: dict | None  # given entities (JSON Lines) or None
    encoding: str  # "utf-8", or the fallback used to decode ("cp1252", "latin-1")


@dataclass(frozen=True)
class Skip:
    """Input that gave no article, and why, in plain words."""

    path: str
    line: int | None  # line number in a JSON Lines file
    reason: str


PUBLISHED_RULES = {
    "given": "the published field of a JSON Lines record",
    "header": "the ` date YYYY-MM-DD` header line",
    "dateline": "a dateline that names the year (`LONDON, March 3, 1987 -`)",
    "dateline-year-from-text": "the dateline's month and day; the year of a date of that month in the text",
    "dateline-year-from-recent-date": "the dateline's month and day; the year that puts a date named in the "
                                      "text within the three months before it",
}
