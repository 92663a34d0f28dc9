"""Export: every article a search matches, as JSON Lines in the shape the indexer reads.

``dateline index rebuild --source export.jsonl`` indexes an export unchanged, so the articles of a search can
be moved to another archive. Each line holds what the indexer takes as given (id, headline, published with
its time when known, source, url, byline, language, topics, dateline, entities) and the body, from which it
derives the rest (lede, story) again. Every version of a story is exported: an export is articles, not
results pages.

Memory stays flat however many articles match. They come in batches of ``BATCH`` in id order (``search_after``
on the id), and each batch is written out before the next is fetched. Batches after the first search the index
that served the first, which never changes (see ``dateline.service.cursor``), so an export is consistent even while a
rebuild moves the alias.

An export opens and closes with records of its own (``dateline.export_format``): the last one says it is complete
and how many articles it holds, or, when Elasticsearch fails after the first batch, what went wrong; the rebuild
refuses an export without its completion record. Each process streams at most ``MAX_CONCURRENT`` exports at a
time, so that one scraper cannot take the node's search threads from the readers.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc

from dateline import export_format, schema
from dateline.client import describe_failure

from .params import SearchParams
from .query import match_query
from .stored import StoredArticle

log = logging.getLogger(__name__)

BATCH = 1000
MEDIA_TYPE = "application/x-ndjson"
MAX_CONCURRENT = 2  # exports streaming at once in one process (one server worker)
RETRY_AFTER = 30  # seconds a client turned away is asked to wait
_FIELDS = [schema.ID, schema.HEADLINE, schema.PUBLISHED, schema.PUBLISHED_AT, schema.SOURCE, schema.URL,
           schema.BYLINE, schema.LANGUAGE, schema.TOPICS, schema.CITY, schema.COUNTRY, schema.ORGANIZATIONS,
           schema.PLACES, schema.PEOPLE, schema.BODY]


def export_record(source: dict) -> dict:
    """An indexed article as a record of the indexer's JSON Lines input."""
    article = StoredArticle.from_source(source)
    return {
        "id": article.id,
        "headline": article.headline,
        "published": article.published_at or article.published,  # with its time, when the source gave one
        "source": article.source,
        "url": article.url,
        "byline": article.byline,
        "language": article.language,
        "topics": article.topics,
        "dateline": article.dateline,
        "entities": article.entities,
        "body": article.body,
    }


class ExportsBusy(Exception):
    """Every export slot of this process is taken."""


def new_slots() -> threading.BoundedSemaphore:
    """The export slots of one process (one app)."""
    return threading.BoundedSemaphore(MAX_CONCURRENT)


def capped(slots: threading.BoundedSemaphore, lines: Iterator[str]) -> Iterator[str]:
    """``lines``, holding one of ``slots`` from the first line until the stream ends or is closed (the client
    went away); ``ExportsBusy`` at the first line when none is free."""
    if not slots.acquire(blocking=False):
        raise ExportsBusy
    try:
        yield from lines
    finally:
        slots.release()


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def export_lines(client: Elasticsearch, alias: str, params: SearchParams) -> Iterator[str]:
    """The JSON Lines of every article ``params`` matches, a batch of lines at a time, between the export's
    opening record and its completion record (or its error record when Elasticsearch fails mid-stream).

    The first batch is fetched when the iterator is first advanced, so a caller that does so before it starts
    its response can still answer a failure properly.
    """
    batches = _batches(client, alias, params)
    first = next(batches, [])
    yield _line(export_format.opening(alias, first[0]["_index"] if first else None, urlencode(params.to_args())))
    written, hits = 0, first
    try:
        while hits:
            yield "".join(_line(export_record(hit["_source"])) for hit in hits)
            written += len(hits)
            hits = next(batches, [])
    except es_exc.TransportError as exc:  # the answer has begun: the failure can only be said in the stream
        log.warning("export ended after %d articles: %s", written, describe_failure(exc))
        yield _line(export_format.failure(written, describe_failure(exc)))
        return
    yield _line(export_format.completion(written))


def _batches(client: Elasticsearch, alias: str, params: SearchParams) -> Iterator[list[dict]]:
    """The hits of every article ``params`` matches, ``BATCH`` at a time, in id order."""
    request: dict = {
        "query": match_query(params),
        "sort": [{schema.ID: "asc"}],
        "size": BATCH,
        "_source": _FIELDS,
        "track_total_hits": False,
    }
    index = alias
    while True:
        answer = client.search(index=index, filter_path="hits.hits._index,hits.hits._source,hits.hits.sort",
                               **request)
        hits = answer.get("hits", {}).get("hits", [])
        if not hits:
            return
        yield hits
        if len(hits) < BATCH:
            return
        index = hits[-1]["_index"]
        request["search_after"] = hits[-1]["sort"]


# --- CSV, for spreadsheets ----------------------------------------------------------------------------------

CSV_MEDIA_TYPE = "text/csv"  # Flask adds "; charset=utf-8"
CSV_COLUMNS = ("headline", "published", "source", "dateline", "url", "id", "people", "organizations", "places")
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets (OWASP's CSV
# injection list: tab and carriage return hide a formula behind blanks).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BYTE_ORDER_MARK = "\ufeff"  # without it Excel reads UTF-8 as the system's code page


def spreadsheet_cell(value: str | None) -> str:
    """A value as a cell that a spreadsheet shows as text: a leading apostrophe disarms a formula."""
    value = value or ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(record: dict) -> list[str]:
    """The spreadsheet row of an export record: names joined with "; ", the dateline as "City, Country"."""
    dateline = record.get("dateline") or {}
    entities = record.get("entities") or {}
    cells = {
        **{key: record.get(key) for key in ("headline", "published", "source", "url", "id")},
        "dateline": ", ".join(part for part in (dateline.get("city"), dateline.get("country")) if part),
        **{key: "; ".join(entities.get(key) or []) for key in ("people", "organizations", "places")},
    }
    return [spreadsheet_cell(cells[column]) for column in CSV_COLUMNS]


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # RFC 4180 line ends
    return out.getvalue()


def export_csv(client: Elasticsearch, alias: str, params: SearchParams) -> Iterator[str]:
    """How many articles ``params`` matches (as text, first, for the response's header), then the CSV of all
    of them: a header row, then a row each, a batch at a time. The first batch and the count are fetched
    together, on the index that served the first batch, which never changes, so the count is exactly the rows
    the CSV holds; a CSV with fewer ended early."""
    batches = _batches(client, alias, params)
    first = next(batches, [])
    total = 0
    if first:
        total = client.search(index=first[0]["_index"], query=match_query(params), size=0, track_total_hits=True,
                              filter_path="hits.total.value")["hits"]["total"]["value"]
    yield str(total)
    yield _BYTE_ORDER_MARK + _csv_text([list(CSV_COLUMNS)])
    for hits in itertools.chain([first] if first else [], batches):
        yield _csv_text([csv_row(export_record(hit["_source"])) for hit in hits])
