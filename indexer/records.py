"""The small indices beside an alias's versions: takedowns and the journal of writes.

Takedowns (``<alias>-takedowns``) are the ids taken down with ``dateline index delete``: the article page
answers 410 Gone for them, and rebuilds leave them out unless asked to bring them back.

The journal (``<alias>-journal``) holds one entry per batch that ``add`` or ``delete`` wrote: when, what (ids)
and into which index. A rebuild replays the entries made since it started into its new index, before and again
after it moves the alias, so a write that landed in the old index while the new one was being built is not
lost. Entries older than a day are dropped; no rebuild runs that long.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exc

from dateline import schema

UPSERT, DELETE = "upsert", "delete"
JOURNAL_DAYS = 1
WRITE_TIMEOUT = 120  # creating an index or refreshing takes longer than a search on a busy node


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _ensure(client: Elasticsearch, index: str, mappings: dict) -> None:
    if client.indices.exists(index=index):
        return
    try:
        client.indices.create(index=index, mappings=mappings,
                              settings={"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
                              request_timeout=WRITE_TIMEOUT)
    except es_exc.RequestError as exc:
        if exc.error != "resource_already_exists_exception":  # another process created it first: fine
            raise


def takedowns(client: Elasticsearch, alias: str) -> set[str]:
    """Every id taken down behind ``alias``."""
    index = schema.takedowns_index(alias)
    if not client.indices.exists(index=index):
        return set()
    return {hit["_id"] for hit in helpers.scan(client, index=index, query={"query": {"match_all": {}}},
                                               _source=False)}


def take_down(client: Elasticsearch, alias: str, ids: Iterable[str]) -> None:
    index = schema.takedowns_index(alias)
    _ensure(client, index, schema.TAKEDOWN_MAPPINGS)
    at = now()
    helpers.bulk(client, ({"_index": index, "_id": i, "_source": {schema.TAKEDOWN_ID: i, schema.TAKEN_DOWN: at}}
                          for i in ids), refresh="true", request_timeout=WRITE_TIMEOUT)


def restore(client: Elasticsearch, alias: str, ids: Iterable[str]) -> None:
    """Forget the takedowns of ``ids`` (brought back with ``--include-deleted``)."""
    index = schema.takedowns_index(alias)
    helpers.bulk(client, ({"_op_type": "delete", "_index": index, "_id": i} for i in ids), refresh="true",
                 raise_on_error=False, request_timeout=WRITE_TIMEOUT)


def journal(client: Elasticsearch, alias: str, op: str, ids: list[str], index: str) -> None:
    """Record that ``op`` was applied to ``ids`` in ``index`` (after it was: a replay reads them from there)."""
    name = schema.journal_index(alias)
    _ensure(client, name, schema.JOURNAL_MAPPINGS)
    client.index(index=name, document={"at": now(), "op": op, "ids": ids, "index": index}, refresh="true",
                 request_timeout=WRITE_TIMEOUT)


def journal_since(client: Elasticsearch, alias: str, since: str) -> list[dict]:
    """Journal entries at or after ``since`` (ISO time), oldest first."""
    name = schema.journal_index(alias)
    if not client.indices.exists(index=name):
        return []
    hits = helpers.scan(client, index=name, query={"query": {"range": {"at": {"gte": since}}}}, preserve_order=True,
                        sort=[{"at": "asc"}])
    return [hit["_source"] for hit in hits]


def prune_journal(client: Elasticsearch, alias: str) -> None:
    name = schema.journal_index(alias)
    if client.indices.exists(index=name):
        cutoff = (datetime.now(UTC) - timedelta(days=JOURNAL_DAYS)).isoformat()
        old = helpers.scan(client, index=name, query={"query": {"range": {"at": {"lt": cutoff}}}}, _source=False)
        helpers.bulk(client, ({"_op_type": "delete", "_index": name, "_id": hit["_id"]} for hit in old),
                     raise_on_error=False)


def revised_times(client: Elasticsearch, index: str | None) -> dict[str, str]:
    """Id → ``revised`` time of every corrected document of ``index``: what a rebuild keeps for the documents
    it builds again (their sources hold the corrected text, not when it was corrected). One scan of just the
    documents that have the field."""
    if index is None:
        return {}
    hits = helpers.scan(client, index=index, query={"query": {"exists": {"field": schema.REVISED}}},
                        _source=[schema.REVISED])
    return {hit["_id"]: hit["_source"][schema.REVISED] for hit in hits}


def by_ids(client: Elasticsearch, index: str, ids: list[str], **options) -> list[dict]:
    """The hits of the documents of ``index`` among ``ids`` (absent ones left out)."""
    return client.search(index=index, query={"ids": {"values": ids}}, size=len(ids), **options)["hits"]["hits"]


def replay(client: Elasticsearch, entries: list[dict], index: str) -> int:
    """Apply journal ``entries`` to ``index`` in order: documents copied from the index each was written to,
    deletions repeated. Returns how many documents the index gained (negative when it lost some)."""
    change = 0
    for entry in entries:
        if entry["index"] == index and entry["op"] == UPSERT:
            continue  # written there already
        if entry["op"] == DELETE:
            actions = [{"_op_type": "delete", "_index": index, "_id": i} for i in entry["ids"]]
        else:
            try:
                found = by_ids(client, entry["index"], entry["ids"])
            except es_exc.NotFoundError:  # that index is gone; nothing to copy from it
                continue
            actions = [{"_index": index, "_id": hit["_id"], "_source": hit["_source"]} for hit in found]
        for ok, item in helpers.streaming_bulk(client, actions, raise_on_error=False, request_timeout=WRITE_TIMEOUT):
            result = next(iter(item.values()))
            change += {"created": 1, "deleted": -1}.get(result.get("result"), 0) if ok else 0
    return change
