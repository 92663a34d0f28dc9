"""The records that open and close an export, so that an export cut short is never taken for a whole archive.

``/api/export`` writes them and ``dateline index rebuild`` checks them; they are the one definition both use.
An export's JSON Lines are, in order:

- ``{"dateline_export": {"format": 1, "alias": ..., "index": ..., "query": ..., "started": ...}}``
- one line per article, in the indexer's JSON Lines input shape
- ``{"dateline_export": {"complete": true, "articles": N}}`` when every matching article was written, or
  ``{"dateline_export": {"complete": false, "articles": N, "error": "..."}}`` when Elasticsearch failed after
  N articles.

A file whose opening record has no closing one was cut short (a dropped connection, a full disk, a killed
client). Files without an opening record are plain JSON Lines articles.
"""

from __future__ import annotations

from datetime import UTC, datetime

KEY = "dateline_export"
FORMAT = 1


def opening(alias: str, index: str | None, query: str) -> dict:
    """The first record: what was exported, from which index (None when nothing matched), and when."""
    return {KEY: {"format": FORMAT, "alias": alias, "index": index, "query": query,
                  "started": datetime.now(UTC).isoformat(timespec="seconds")}}


def completion(articles: int) -> dict:
    """The last record of an export that wrote every matching article."""
    return {KEY: {"complete": True, "articles": articles}}


def failure(articles: int, error: str) -> dict:
    """The last record of an export that Elasticsearch failed after ``articles`` articles."""
    return {KEY: {"complete": False, "articles": articles, "error": error}}


def framing(record: object) -> dict | None:
    """The export's own record (opening or closing) in ``record``, or None when it is not one (an article)."""
    if isinstance(record, dict) and len(record) == 1 and isinstance(record.get(KEY), dict):
        return record[KEY]
    return None


def is_opening(frame: dict) -> bool:
    return "format" in frame
