"""A bulk request whose answer is lost is sent again; the rebuild's count check stays exact either way.

Through the recording relay (``es_relay.py``): Elasticsearch applies the second bulk request for real, then
the relay drops its answer (the client sees a dropped connection and sends it again to the same node) or
holds it past the request timeout (the client gives up and sends it to the other URL). The second answer says
"updated" for every document the first one created; counting "created" answers would make the check fail on
a good index, and could let it pass on one that lost documents.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from elasticsearch import helpers

from dateline.client import connect
from dateline.indexer import rebuild as rebuild_module
from dateline.indexer.rebuild import RebuildError, live_index, rebuild

from . import articles_jsonl
from .es_relay import Relay

ARTICLES = 1_200  # three bulk requests of 500


class LosesOneBulkAnswer(Relay):
    """Forwards every request; the ``nth`` bulk request it sees reaches Elasticsearch, but its answer is dropped
    (or held ``hold`` seconds first), after running ``meanwhile``."""

    def __init__(self, upstream: str, nth: int = 2, hold: float = 0.0, meanwhile=lambda: None):
        super().__init__(upstream)
        self.nth, self.hold, self.meanwhile = nth, hold, meanwhile
        self.bulks = 0
        self.lock = threading.Lock()
        self.current = threading.local()

    def before(self, method: str, path: str) -> bool:
        with self.lock:
            self.bulks += path.startswith("/_bulk")
            self.current.loses = path.startswith("/_bulk") and self.bulks == self.nth
        return True

    def after(self, method: str, path: str) -> bool:
        if not self.current.loses:
            return True
        self.meanwhile()
        time.sleep(self.hold)
        return False


def bulk_requests(*relays: Relay) -> int:
    return sum(path.startswith("/_bulk") for relay in relays for _, path, _ in relay.requests)


@pytest.fixture
def source(tmp_path):
    return str(articles_jsonl.write(tmp_path / "archive.jsonl", articles_jsonl.records(ARTICLES)))


def test_a_bulk_request_retried_after_a_dropped_answer_counts_each_document_once(es, es_settings, index_names,
                                                                                source):
    with LosesOneBulkAnswer(es_settings.es_urls[0]) as relay:
        client = connect(dataclasses.replace(es_settings, es_urls=(relay.url,)))
        report = rebuild(client, index_names, [source])
    assert bulk_requests(relay) == 4  # the lost one was sent again
    assert report.indexed == ARTICLES == es.count(index=index_names)["count"]
    assert live_index(es, index_names) == report.index


def test_a_bulk_request_that_timed_out_and_went_to_another_node_counts_each_document_once(
        es, es_settings, index_names, source, monkeypatch):
    monkeypatch.setattr(rebuild_module, "BULK_TIMEOUT", 20)  # held longer than that; patient enough for a busy node
    # The client takes the two URLs in turn, so the first bulk request this one sees may be any of the three.
    with LosesOneBulkAnswer(es_settings.es_urls[0], nth=1, hold=25) as slow, Relay(es_settings.es_urls[0]) as other:
        client = connect(dataclasses.replace(es_settings, es_urls=(slow.url, other.url), es_timeout=30))
        report = rebuild(client, index_names, [source])
    assert bulk_requests(slow, other) == 4
    assert report.indexed == ARTICLES == es.count(index=index_names)["count"]
    assert live_index(es, index_names) == report.index


def test_documents_lost_behind_a_retry_still_fail_the_count_check(es, es_settings, index_names, source,
                                                                 tmp_path):
    before = rebuild(es, index_names, [source]).index
    first_chunk = [r["id"] for r in articles_jsonl.records(ARTICLES)[:500]]

    def lose_the_first_chunk():  # as many documents vanish as the retried request re-creates
        new = next(name for name in es.indices.get(index=f"{index_names}-*") if name > before)
        helpers.bulk(es, ({"_op_type": "delete", "_index": new, "_id": i} for i in first_chunk), refresh=True)

    with LosesOneBulkAnswer(es_settings.es_urls[0], meanwhile=lose_the_first_chunk) as relay:
        client = connect(dataclasses.replace(es_settings, es_urls=(relay.url,)))
        with pytest.raises(RebuildError, match=f"holds {ARTICLES - 500} documents but {ARTICLES} were sent"):
            rebuild(client, index_names, [source])
    assert live_index(es, index_names) == before
    assert es.count(index=index_names)["count"] == ARTICLES
