"""A node lost under search load: not one search fails, not one article is lost.

Three Elasticsearch nodes in separate JVMs (``.ci/es-node``) form a cluster of their own, beside the shared
node. An index built by ``rebuild`` through the index contract serves with one replica. Several threads search
it through one client made by ``dateline.client.connect`` with all three URLs while the node holding the primary
shard is SIGKILLed. Every search must answer in full (no exception, no failed shard, every matching article
counted); the client must have met the dead node and gone on to another.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from dateline import schema
from dateline.client import connect
from dateline.config import Settings
from dateline.indexer.rebuild import rebuild

from . import es_nodes

pytestmark = pytest.mark.slow

ARTICLES = 400
THREADS = 4
SECONDS_BEFORE_KILL = 4.0
SECONDS_AFTER_KILL = 8.0


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three-nodes")
    with es_nodes.running(folder, 3, f"dateline-node-loss-{os.getpid()}") as nodes:
        yield nodes


def test_killing_the_node_with_the_primary_under_search_load_fails_no_search(nodes, tmp_path, output_dir):
    settings = Settings(es_urls=tuple(node.url for node in nodes), es_timeout=5, alias="node-loss")
    client = connect(settings)
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps({
        "id": f"art-{n}", "published": f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "body": f"BAKU, Azerbaijan, March 3. Shipment {n} of wheat left the port of Baku.",
    }) + "\n" for n in range(ARTICLES)))
    index = rebuild(client, settings.alias, [str(source)]).index
    client.cluster.health(index=index, wait_for_status="green", timeout="90s", request_timeout=100)

    shards = client.cat.shards(index=index, format="json", h="prirep,state,id")
    assert sorted(s["prirep"] for s in shards if s["state"] == "STARTED") == ["p", "r"]  # one replica
    primary_node = next(s["id"] for s in shards if s["prirep"] == "p")
    addresses = client.nodes.info(metric="http")["nodes"]
    victim_url = "http://" + next(info["http"]["publish_address"] for node_id, info in addresses.items()
                                  if node_id.startswith(primary_node))
    [victim] = [node for node in nodes if node.url == victim_url]

    sent, failures, killed_at = [0, 0], [], []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS_BEFORE_KILL + SECONDS_AFTER_KILL

    def search_until_deadline() -> None:
        while time.monotonic() < deadline:
            try:
                answer = client.search(index=settings.alias, query={"match": {schema.BODY: "wheat"}}, size=10,
                                       track_total_hits=True)
                if answer["_shards"]["failed"] or answer["hits"]["total"]["value"] != ARTICLES:
                    failures.append(f"partial answer: {answer['_shards']}, {answer['hits']['total']}")
            except Exception as exc:  # any failure a user would see
                failures.append(repr(exc))
            with lock:
                sent[1 if killed_at else 0] += 1

    threads = [threading.Thread(target=search_until_deadline) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS_BEFORE_KILL)
    victim.kill()
    killed_at.append(time.monotonic())
    for thread in threads:
        thread.join()

    dead = {f"{c.host}" for c in client.transport.connection_pool.dead_count}
    figures = {"nodes": 3, "replicas": 1, "faults_injected": 1, "searches_sent": sum(sent),
               "searches_after_the_kill": sent[1], "failed_searches": len(failures),
               "client_marked_dead": sorted(dead), "articles_lost": None}
    try:
        assert failures == [], failures[:5]
        assert sent[0] > 0 and sent[1] > 100, sent
        assert victim_url in dead  # the client met the dead node and retried the search on another one
        figures["articles_lost"] = ARTICLES - client.count(index=settings.alias)["count"]
        assert figures["articles_lost"] == 0
    finally:
        (output_dir / "reliability-node-loss.json").write_text(json.dumps(figures, indent=2))
