"""The one bulk loader of the indexer: chunks of actions sent as ``_bulk`` requests on several connections.

One request at a time leaves the node idle while the client parses its answer and sends the next chunk, so
``load`` keeps ``connections`` requests in flight (a thread each; the client's connection pool has room for
them). Each chunk goes through elasticsearch-py's ``streaming_bulk``: a chunk over ``BULK_CHUNK_BYTES`` is
split, documents the node rejects as overloaded (429) are retried with back-off, and a request whose answer
was lost is sent again. Results come back in the order of the actions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice

from elasticsearch import Elasticsearch, helpers

BULK_CHUNK = 500
BULK_CHUNK_BYTES = 8 * 2**20
# Requests in flight (see bench/results/throughput.json, "raw", for 1, 2 and 4 on the benchmark machine).
CONNECTIONS = 2

Result = tuple[bool, dict]


def _malloc_trim():
    """glibc's ``malloc_trim``, or None on a C library without it."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Give the memory of indexed chunks back to the system. glibc keeps freed memory for reuse, spread over
    the arenas of the threads that parse, serialise and send, and a 10,000-article rebuild grew ~15 MB more
    resident without this (a call takes about a millisecond)."""
    if _TRIM is not None:
        _TRIM(0)


def send(client: Elasticsearch, actions: list[dict], timeout: float) -> list[Result]:
    """Index ``actions`` (one chunk) and return (ok, item) for each, in order."""
    return list(helpers.streaming_bulk(client, actions, chunk_size=max(len(actions), 1),
                                       max_chunk_bytes=BULK_CHUNK_BYTES, raise_on_error=False, max_retries=3,
                                       initial_backoff=1, request_timeout=timeout))


def load(client: Elasticsearch, actions: Iterable[dict], timeout: float,
         connections: int = CONNECTIONS) -> Iterator[Result]:
    """Index ``actions`` in chunks of ``BULK_CHUNK`` with up to ``connections`` requests in flight; (ok, item)
    for each action, in order. On a failure no further chunk is sent; those in flight finish first, so none
    lands after the caller has cleaned up."""
    actions = iter(actions)
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(connections, thread_name_prefix="bulk") as pool:
        try:
            for chunk in iter(lambda: list(islice(actions, BULK_CHUNK)), []):
                pending.append(pool.submit(send, client, chunk, timeout))
                if len(pending) > connections:  # one chunk ready for the first connection that frees up
                    yield from pending.popleft().result()
                    release_freed_memory()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
