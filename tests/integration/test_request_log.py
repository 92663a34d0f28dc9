"""The service's log: one line per request with method, path, status, time and Elasticsearch time."""

from __future__ import annotations

import io
import json
import logging

import pytest

from dateline import logs
from dateline.service.app import create_app


@pytest.fixture
def log_to():
    """Configure logging as `dateline` does, into a string; the root logger is restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def configure(level: str, fmt: str) -> io.StringIO:
        stream = io.StringIO()
        logs.configure(level, fmt, stream)
        return stream

    yield configure
    root.handlers[:], root.level = saved[0], saved[1]


def test_each_request_is_one_line_with_its_elasticsearch_time(test_settings, make_index, log_to):
    make_index([])
    stream = log_to("INFO", "json")
    client = create_app(test_settings).test_client()
    client.get("/api/search?q=baku")
    client.get("/api/search?page=x")
    client.get("/help/search")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "dateline.service.requests"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/api/search", 200), ("GET", "/api/search", 400), ("GET", "/help/search", 200)]
    searched, refused, static = requests
    assert searched["query"] == "q=baku" and 0 < searched["es_ms"] <= searched["ms"]
    assert refused["es_ms"] == 0 and static["es_ms"] == 0
    assert searched["message"].startswith("GET /api/search?q=baku 200 ")


def test_log_level_warning_keeps_requests_out(test_settings, make_index, log_to):
    make_index([])
    stream = log_to("WARNING", "text")
    create_app(test_settings).test_client().get("/api/search?q=baku")
    assert "dateline.service.requests" not in stream.getvalue()
