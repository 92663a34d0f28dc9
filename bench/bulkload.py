"""The raw ``_bulk`` baseline: the indexer's own documents, serialised ahead of time, sent as plain requests.

``prepare`` runs the indexer's pipeline (``dateline.indexer.pipeline.documents``, as a rebuild does) once,
outside any timing, and serialises the actions the way elasticsearch-py's ``streaming_bulk`` does (same action
lines, same JSON serialiser, chunks of ``BULK_CHUNK`` documents or ``BULK_CHUNK_BYTES``).
``load`` then does what a rebuild does to Elasticsearch and nothing else: create the index from the contract
with bulk-load settings, send the chunks on one or more keep-alive connections (each sends the next chunk as
soon as its last one is answered), restore serving settings, refresh, count, wait for yellow. The time of
``load`` at its fastest number of connections is what Elasticsearch needs for the corpus; a rebuild can only
add to it.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import urllib3
from elasticsearch import Elasticsearch, helpers
from elasticsearch.serializer import JSONSerializer

from dateline import schema
from dateline.indexer.article import Skip
from dateline.indexer.loader import BULK_CHUNK, BULK_CHUNK_BYTES
from dateline.indexer.pipeline import documents

NDJSON = {"Content-Type": "application/x-ndjson"}
# Seconds to wait for the node's answer: the refresh after a large load can take longer than ES_TIMEOUT.
WAIT = 600


@dataclass(frozen=True)
class Prepared:
    index: str  # the index the action lines name
    bodies: list[bytes]  # one NDJSON body per bulk request
    documents: int  # distinct ids: what the index holds once loaded
    seconds: float  # parse + enrich + serialise, for the record


def _actions(sources: list[str], index: str):
    """The rebuild's bulk actions for ``sources``: the documents of the indexer's own pipeline."""
    for item in documents(sources):
        if not isinstance(item, Skip) and not item.duplicate_of:
            yield {"_op_type": "index", "_index": index, "_id": item.id, "_source": item.source}


def prepare(sources: list[str | Path], index: str) -> Prepared:
    """Parse, enrich and serialise ``sources`` into bulk bodies addressed to ``index``."""
    started = time.perf_counter()
    serializer = JSONSerializer()
    bodies, ids = [], set()
    lines: list[str] = []
    size = count = 0
    for action in _actions([str(s) for s in sources], index):
        ids.add(action["_id"])
        head, source = (serializer.dumps(part) for part in helpers.expand_action(action))
        line_bytes = len(head.encode()) + len(source.encode()) + 2
        if lines and (size + line_bytes > BULK_CHUNK_BYTES or count == BULK_CHUNK):
            bodies.append(("\n".join(lines) + "\n").encode())
            lines, size, count = [], 0, 0
        lines += [head, source]
        size += line_bytes
        count += 1
    if lines:
        bodies.append(("\n".join(lines) + "\n").encode())
    return Prepared(index, bodies, len(ids), time.perf_counter() - started)


def load(client: Elasticsearch, es_url: str, prepared: Prepared, synonyms: list[str] | None = None,
         connections: int = 1) -> float:
    """Load ``prepared`` into a new index named ``prepared.index`` on ``connections`` keep-alive connections
    (each sends the next chunk as soon as its previous one is answered); returns the seconds it took.

    The index is deleted first if it exists (not timed) and left in place afterwards for the caller to check
    and delete.
    """
    client.indices.delete(index=prepared.index, ignore_unavailable=True)
    pool = urllib3.connection_from_url(es_url, maxsize=connections, block=True)
    body = schema.index_body(synonyms)

    def send(chunk: bytes) -> None:
        response = pool.urlopen("POST", "/_bulk", body=chunk, headers=NDJSON, timeout=WAIT)
        if response.status != 200 or json.loads(response.data)["errors"]:
            raise RuntimeError(f"bulk request refused ({response.status}): {response.data[:300]!r}")

    started = time.perf_counter()
    client.indices.create(index=prepared.index, settings=body["settings"], mappings=body["mappings"])
    with ThreadPoolExecutor(connections) as senders:
        list(senders.map(send, prepared.bodies))
    client.indices.put_settings(index=prepared.index, body=schema.SERVING_SETTINGS, request_timeout=WAIT)
    client.indices.refresh(index=prepared.index, request_timeout=WAIT)
    count = client.count(index=prepared.index, request_timeout=WAIT)["count"]
    client.cluster.health(index=prepared.index, wait_for_status="yellow", timeout="60s", request_timeout=WAIT)
    seconds = time.perf_counter() - started
    pool.close()
    if count != prepared.documents:
        raise RuntimeError(f"{prepared.index} holds {count} documents, expected {prepared.documents}")
    return seconds
