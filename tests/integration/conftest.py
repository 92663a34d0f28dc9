"""Fixtures for tests against a real Elasticsearch node (ES_URL, default http://127.0.0.1:9200).

Each test gets its own alias and index names under a unique prefix, and everything under that prefix is
deleted afterwards, so tests never touch the user's ``articles`` alias and can run twice in a row.
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from dateline import config, schema
from dateline.client import connect

from . import corpus


@pytest.fixture(scope="session")
def es_settings() -> config.Settings:
    return config.from_env()


@pytest.fixture(scope="session")
def es(es_settings):
    client = connect(es_settings)
    if not client.ping():
        pytest.fail(f"no Elasticsearch answers at {', '.join(es_settings.es_urls)}: start one with `make es-start`")
    return client


def _delete_prefixed(client, prefix: str) -> None:
    # The node refuses wildcard deletes (action.destructive_requires_name), so name each index.
    names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all", ignore_unavailable=True))
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


@pytest.fixture
def index_names(es):
    """(alias, index prefix) unique to this test; all indices under the prefix are deleted afterwards."""
    alias = f"test-{uuid.uuid4().hex[:10]}"
    yield alias
    _delete_prefixed(es, alias)


@pytest.fixture
def test_settings(es_settings, index_names) -> config.Settings:
    """The configured settings, pointed at this test's own alias."""
    return dataclasses.replace(es_settings, alias=index_names)


@pytest.fixture
def make_index(es, index_names):
    """Create an index from the index contract behind this test's alias, load ``docs`` and refresh it."""

    def make(docs: list[dict], synonyms: list[str] | None = None) -> str:
        name = f"{index_names}-{uuid.uuid4().hex[:6]}"
        body = schema.index_body(synonyms)
        es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                          aliases={index_names: {}})
        if docs:
            lines = []
            for doc in docs:
                lines.append({"index": {"_index": name, "_id": doc[schema.ID]}})
                lines.append(doc)
            result = es.bulk(body=lines, refresh="true")
            assert not result["errors"], result
        es.indices.refresh(index=name)
        return name

    return make


@pytest.fixture(scope="module")
def corpus_settings(es, es_settings) -> config.Settings:
    """Settings pointed at a unique alias over the generated corpus (``corpus.py``), loaded once per module.

    The tests of a module share it, so they must only read it; it is deleted after the module.
    """
    alias = f"test-{uuid.uuid4().hex[:10]}"
    corpus.load(es, alias)
    yield dataclasses.replace(es_settings, alias=alias)
    _delete_prefixed(es, alias)


@pytest.fixture(scope="module")
def module_client(request, es, es_settings):
    """A Flask test client of the app over the calling module's ``DOCS``, loaded once behind a unique alias."""
    from dateline.service.app import create_app

    alias = f"test-{uuid.uuid4().hex[:10]}"
    index = corpus.load(es, alias, request.module.DOCS)
    yield create_app(dataclasses.replace(es_settings, alias=alias)).test_client()
    es.indices.delete(index=index)
