"""A rebuild keeps the node busy: the next bulk request is already under way while one is being answered."""

from __future__ import annotations

import dataclasses
import threading
import time

from dateline.client import connect
from dateline.indexer import loader
from dateline.indexer.rebuild import live_index, rebuild

from . import articles_jsonl
from .es_relay import Relay

ARTICLES = 2_000  # four bulk requests


class CountsBulksInFlight(Relay):
    """Forwards every request, each bulk request after a short pause, and records how many were in flight."""

    def __init__(self, upstream: str):
        super().__init__(upstream)
        self.lock = threading.Lock()
        self.in_flight = self.most = 0

    def before(self, method: str, path: str) -> bool:
        if path.startswith("/_bulk"):
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            time.sleep(0.5)  # long enough for a second request to arrive if one is sent
        return True

    def after(self, method: str, path: str) -> bool:
        if path.startswith("/_bulk"):
            with self.lock:
                self.in_flight -= 1
        return True


def test_a_rebuild_sends_bulk_requests_on_several_connections_and_counts_every_document(
        es, es_settings, index_names, tmp_path):
    source = articles_jsonl.write(tmp_path / "archive.jsonl", articles_jsonl.records(ARTICLES))
    with CountsBulksInFlight(es_settings.es_urls[0]) as relay:
        client = connect(dataclasses.replace(es_settings, es_urls=(relay.url,)))
        report = rebuild(client, index_names, [str(source)], workers=2)
    assert relay.most == loader.CONNECTIONS > 1
    assert report.indexed == ARTICLES == es.count(index=index_names)["count"]
    assert live_index(es, index_names) == report.index
