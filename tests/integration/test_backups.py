"""`dateline index snapshot` and `dateline index restore` against a real node with a filesystem repository.

They need a node started with ``path.repo`` (``.ci/es-node`` sets it). Against a node without it (one started
before that setting existed) the tests skip locally, and fail in CI, where ``.ci/run`` starts the node.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from elasticsearch import helpers

from dateline.indexer.rebuild import live_index, rebuild
from dateline.schema import takedowns_index

from . import articles_jsonl

DATELINE = str(Path(sys.executable).with_name("dateline"))
ARTICLES = 60


@pytest.fixture
def repository(es, es_settings):
    """A repository name unique to the test, deleted with its snapshots afterwards."""
    settings = es.nodes.info(metric="settings")["nodes"].values()
    if not all(node["settings"].get("path", {}).get("repo") for node in settings):
        reason = (f"the Elasticsearch node at {es_settings.es_urls[0]} was started without path.repo, which "
                  f"snapshots need; start one with .ci/es-node (ES_PORT=9250 .ci/es-node start) and point "
                  f"ES_URL at it")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    try:
        for found in es.snapshot.get(repository=name, snapshot="_all")["snapshots"]:
            es.snapshot.delete(repository=name, snapshot=found["snapshot"])
        es.snapshot.delete_repository(repository=name)
    except Exception:  # nothing was registered
        pass


@pytest.fixture
def cli(index_names, es_settings, repository):
    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0]}
        return subprocess.run([DATELINE, "index", *args, "--repository", repository], capture_output=True,
                              text=True, env=env, timeout=300)
    return run


def every_document(es, index: str) -> dict[str, dict]:
    return {hit["_id"]: hit["_source"] for hit in helpers.scan(es, index=index, query={"query": {"match_all": {}}})}


def take_down(es, alias: str, doc_id: str) -> None:
    """What the living archive's takedown leaves behind: the id recorded, the article gone from the index."""
    es.index(index=takedowns_index(alias), id=doc_id, document={"taken_down": "2026-01-01"}, refresh=True)
    es.delete(index=alias, id=doc_id, refresh=True, ignore=404)


@pytest.fixture
def archive(es, index_names, tmp_path):
    source = articles_jsonl.write(tmp_path / "archive.jsonl", articles_jsonl.records(ARTICLES))
    rebuild(es, index_names, [str(source)])
    take_down(es, index_names, "a00007")
    return live_index(es, index_names)


def test_snapshot_delete_restore_gives_back_every_document_and_the_takedowns(cli, es, index_names, archive):
    before = every_document(es, index_names)
    takedowns = every_document(es, takedowns_index(index_names))
    assert len(before) == ARTICLES - 1 and list(takedowns) == ["a00007"]

    taken = cli("snapshot")
    assert taken.returncode == 0, taken.stderr
    assert f"({ARTICLES - 1} articles) and {takedowns_index(index_names)}" in taken.stdout
    es.indices.delete(index=f"{archive},{takedowns_index(index_names)}")
    assert live_index(es, index_names) is None

    restored = cli("restore")
    assert restored.returncode == 0, restored.stderr
    assert "Restored the takedowns index too" in restored.stdout
    served = live_index(es, index_names)
    assert served != archive and served in restored.stdout
    assert every_document(es, index_names) == before
    assert every_document(es, takedowns_index(index_names)) == takedowns


def test_a_restore_leaves_out_what_was_taken_down_since_and_can_be_rolled_back(cli, es, es_settings, index_names,
                                                                               archive):
    assert cli("snapshot").returncode == 0
    take_down(es, index_names, "a00011")
    listed = cli("restore", "--list")
    assert listed.returncode == 0 and f"{archive}  {ARTICLES - 1} articles" in listed.stdout

    restored = cli("restore", listed.stdout.split()[0])
    assert restored.returncode == 0, restored.stderr
    assert "1 taken down since left out" in restored.stdout and f"instead of {archive}" in restored.stdout
    ids = set(every_document(es, index_names))
    assert len(ids) == ARTICLES - 2 and not ids & {"a00007", "a00011"}
    back = subprocess.run([DATELINE, "index", "rollback"], capture_output=True, text=True,
                          env={**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0]})
    assert back.returncode == 0 and live_index(es, index_names) == archive


def test_restoring_what_does_not_exist_fails_with_a_reason_and_changes_nothing(cli, es, index_names, archive):
    missing = cli("restore")
    assert missing.returncode == 1 and "no snapshot of" in missing.stderr
    assert cli("snapshot").returncode == 0
    wrong = cli("restore", f"{index_names}-00000000000000000000")
    assert wrong.returncode == 1 and "no snapshot" in wrong.stderr and "Traceback" not in wrong.stderr
    assert live_index(es, index_names) == archive
