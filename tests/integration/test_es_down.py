"""Elasticsearch stopped or hung while the service runs: plain 503s, no hanging, recovery without a restart.

A node of the test's own (``.ci/es-node``, never the shared one) is really stopped and started again under a
running app. A TCP server that accepts connections and never answers stands for a hung node. Every page and
its JSON twin must answer 503 with a plain message within the configured timeout, the CLI must exit non-zero
naming the cause, and once the node is back the same app must answer again with every article. An export
the stopped node cuts short ends with an error record, and a rebuild refuses it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dateline.client import connect
from dateline.config import Settings
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app

from . import articles_jsonl, es_nodes

pytestmark = pytest.mark.slow

DATELINE = str(Path(sys.executable).with_name("dateline"))
ARTICLES = 50
TIMEOUT = 2  # ES_TIMEOUT against the real node, seconds
HUNG_TIMEOUT = 1  # ES_TIMEOUT against hung nodes
MARGIN = 1.5  # what a request may take beyond the timeout (a loaded machine, rendering the page)
PLAIN_MESSAGE = "The archive cannot be searched right now"


def _urls(article_id: str) -> list[str]:
    """Every page and every JSON answer of the service."""
    return ["/", "/search?q=wheat&country=Azerbaijan", f"/articles/{article_id}", "/api/search?q=wheat",
            f"/api/articles/{article_id}", "/healthz"]


def _assert_plain_503(response, url: str, cause: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == 503, (url, response.status_code)
    assert "Traceback" not in text and "elasticsearch." not in text, url
    if response.is_json:
        assert response.json["error"]["message"].startswith(PLAIN_MESSAGE), url
        assert cause in response.json["error"]["message"], url
    else:
        assert PLAIN_MESSAGE in text and cause in text, url


def _cli(*args: str, es_url: str, alias: str, timeout: float = TIMEOUT):
    """The command's result and how many seconds it took."""
    env = {**os.environ, "ES_URL": es_url, "DATELINE_ALIAS": alias, "ES_TIMEOUT": str(timeout)}
    started = time.monotonic()
    result = subprocess.run([DATELINE, *args], capture_output=True, text=True, env=env, timeout=120)
    return result, time.monotonic() - started


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spare-node")
    with es_nodes.running(folder, 1, f"dateline-es-down-{os.getpid()}") as (node,):
        yield node


def test_stopping_the_node_gives_503s_and_starting_it_again_brings_the_same_app_back(node, tmp_path,
                                                                                      output_dir):
    settings = Settings(es_urls=(node.url,), es_timeout=TIMEOUT, alias="es-down")
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps({
        "id": f"art-{n}", "published": "2022-03-03",
        "body": f"BAKU, Azerbaijan, March 3. Shipment {n} of wheat left the port of Baku.",
    }) + "\n" for n in range(ARTICLES)))
    # Set up with a patient client: a fresh node on a busy machine may take longer than TIMEOUT to create an index.
    rebuild(connect(dataclasses.replace(settings, es_timeout=60)), settings.alias, [str(source)])
    client = create_app(settings).test_client()
    for url in _urls("art-7"):
        assert client.get(url).status_code == 200, url

    node.stop()
    answers = 0
    for url in _urls("art-7"):
        started = time.monotonic()
        response = client.get(url)
        assert time.monotonic() - started < TIMEOUT + MARGIN, url
        _assert_plain_503(response, url, "cannot reach Elasticsearch")
        answers += 1
    # Commands not already tried against an unreachable node in test_cli.py.
    for command in (["index", "rollback"], ["index", "analyze", "Baku"]):
        result, _ = _cli(*command, es_url=node.url, alias=settings.alias)
        assert (result.returncode, result.stderr.strip()) == (3, "Error: cannot reach Elasticsearch"), command

    node.start()
    # The node answers before it has read its indices back from disk: until then, still a plain 503.
    deadline = time.monotonic() + 60
    while (response := client.get("/healthz")).status_code != 200 and time.monotonic() < deadline:
        assert response.status_code == 503 and PLAIN_MESSAGE in response.json["error"]["message"]
        time.sleep(0.5)
    for url in _urls("art-7"):
        assert client.get(url).status_code == 200, url
    assert client.get("/healthz").json["documents"] == ARTICLES  # not one article lost
    assert client.get("/api/search?q=wheat").json["total"]["value"] == ARTICLES

    (output_dir / "reliability-es-down.json").write_text(json.dumps({
        "faults_injected": 1, "requests_while_down": answers, "answered_503": answers, "articles_lost": 0,
    }, indent=2))


class HungNode:
    """Accepts connections and reads nothing, answers nothing: a node stuck in a long GC or a dead disk."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        for sock in [self.listener, *self.held]:
            sock.close()


@pytest.fixture
def hung():
    nodes = [HungNode(), HungNode()]
    yield nodes
    for hung_node in nodes:
        hung_node.close()


@pytest.mark.parametrize("count", [1, 2])
def test_a_hung_node_cannot_hang_the_service(hung, count):
    """Each URL is tried once: with several nodes configured a timeout moves on to the next one, so the worst
    case is ES_TIMEOUT for each node (at most three tries)."""
    settings = Settings(es_urls=tuple(h.url for h in hung[:count]), es_timeout=HUNG_TIMEOUT, alias="es-hung")
    client = create_app(settings).test_client()
    for url in _urls("art-7"):
        started = time.monotonic()
        response = client.get(url)
        assert time.monotonic() - started < count * HUNG_TIMEOUT + MARGIN, url
        _assert_plain_503(response, url, "did not answer in time")


def test_cli_commands_give_up_on_a_hung_node_with_the_reason(hung, seeds_dir):
    rebuild_seeds = ["index", "rebuild", "--source", str(seeds_dir)]
    for command in (["index", "status"], rebuild_seeds, ["index", "rollback"]):
        result, seconds = _cli(*command, es_url=hung[0].url, alias="es-hung", timeout=HUNG_TIMEOUT)
        assert result.returncode == 3, command
        assert result.stderr.strip() == "Error: Elasticsearch did not answer in time", command
        assert seconds < HUNG_TIMEOUT + 5  # the interpreter's start included


# Last in the module: it leaves the spare node stopped.


def test_an_export_cut_by_a_stopped_node_ends_with_an_error_record_and_rebuild_refuses_it(
        node, es, es_settings, index_names, tmp_path):
    settings = Settings(es_urls=(node.url,), es_timeout=TIMEOUT, alias="es-down-export")
    node.start()  # reuses the node when it answers
    source = articles_jsonl.write(tmp_path / "archive.jsonl", articles_jsonl.records(2_500))
    rebuild(connect(settings), settings.alias, [str(source)])
    response = create_app(settings).test_client().get("/api/export", buffered=False)
    chunks = iter(response.response)
    received = [next(chunks), next(chunks)]  # the opening record, then the first batch of 1,000 articles
    node.stop()
    received += list(chunks)
    response.close()

    export = tmp_path / "export.jsonl"
    export.write_bytes(b"".join(received))
    closing = json.loads(export.read_text().splitlines()[-1])
    assert closing == {"dateline_export": {"complete": False, "articles": 1_000,
                                           "error": "cannot reach Elasticsearch"}}
    result, _ = _cli("index", "rebuild", "--source", str(export), es_url=es_settings.es_urls[0], alias=index_names,
                     timeout=10)
    assert result.returncode == 1
    assert "ended with an error after 1000 articles: cannot reach Elasticsearch" in result.stderr
    assert not es.indices.exists_alias(name=index_names)
