"""Did you mean, over the seeds through ``/api/search``: the phrase suggestions (word shingles of headlines and
ledes, ``schema.PHRASES``) correct misspelt words a seed's headline or lede holds; and the typo lists that
``bench/didyoumean.py`` scores are well formed."""

from __future__ import annotations

import uuid

import pytest

from bench.didyoumean import TYPO_LISTS, read_list
from dateline import config
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app


@pytest.fixture(scope="module")
def client(es, seeds_dir):
    alias = f"test-{uuid.uuid4().hex[:10]}"
    report = rebuild(es, alias, [str(seeds_dir)], keep=0)
    yield create_app(config.Settings(alias=alias), client=es).test_client()
    es.indices.delete(index=report.index)


@pytest.mark.parametrize(("typo", "expected"), [
    ("illegal explotation", "illegal exploitation"),
    ("environmental actvists", "environmental activists"),
    ("peacefull protest", "peaceful protest"),
])
def test_a_misspelt_query_is_corrected(client, typo, expected):
    answer = client.get("/api/search", query_string={"q": typo}).json
    assert [offer["text"] for offer in answer["suggestions"] if offer["kind"] == "spelling"][:1] == [expected]
    assert client.get("/api/search", query_string={"q": expected}).json["total"]["value"] > 0


@pytest.mark.parametrize("name", TYPO_LISTS)
def test_a_typo_list_holds_real_typos(name):
    rows = read_list(TYPO_LISTS[name])
    assert len(rows) >= 150
    assert all(typo != expected and len(typo.split()) == len(expected.split()) for typo, expected, _ in rows)


def test_the_held_out_typos_share_no_query_with_the_tuning_list():
    tuning = {expected for _, expected, _ in read_list(TYPO_LISTS["tuning"])}
    assert not tuning & {expected for _, expected, _ in read_list(TYPO_LISTS["held-out"])}
