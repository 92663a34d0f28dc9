"""Every example in docs/querying.md runs against a real node and finds something, and every field is documented."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess

import pytest

from dateline import schema
from dateline.indexer.rebuild import rebuild
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "querying.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(sh|python)\n(.*?)```", DOC, re.S)


def _mapped_fields(properties: dict, prefix: str = "") -> list[str]:
    names = []
    for name, spec in properties.items():
        path = prefix + name
        if "properties" in spec:
            names += _mapped_fields(spec["properties"], path + ".")
        else:
            names.append(path)
    return names


def _found_something(answer: dict) -> bool:
    if "count" in answer:
        return answer["count"] > 0
    if "suggest" in answer:
        return any(entry["options"] for entries in answer["suggest"].values() for entry in entries)
    if "aggregations" in answer:
        return all(agg["buckets"] for agg in answer["aggregations"].values())
    return answer["hits"]["total"]["value"] > 0


@pytest.fixture(scope="module")
def seeded_alias(es, seeds_dir):
    alias = f"test-docs-{os.getpid()}"
    rebuild(es, alias, [str(seeds_dir)], keep=0)
    yield alias
    names = list(es.indices.get(index=f"{alias}-*"))
    es.indices.delete(index=",".join(names))


def test_every_mapped_field_is_documented():
    missing = [f for f in _mapped_fields(schema.MAPPINGS["properties"]) if f"`{f}`" not in DOC]
    assert missing == []


@pytest.mark.parametrize("number", [n for n, (kind, _) in enumerate(BLOCKS) if kind == "sh"])
def test_curl_example_runs_and_finds_something(seeded_alias, es_settings, number):
    command = BLOCKS[number][1].replace("/articles/", f"/{seeded_alias}/")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "ES_URL": es_settings.es_urls[0]})
    answer = json.loads(done.stdout)
    assert "error" not in answer, answer
    assert _found_something(answer), answer


def test_python_examples_run_and_print_results(seeded_alias, es_settings, monkeypatch):
    monkeypatch.setenv("ES_URL", es_settings.es_urls[0])
    namespace: dict = {}
    for kind, code in BLOCKS:
        if kind != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code.replace('"articles"', repr(seeded_alias)), namespace)
        assert printed.getvalue().strip(), code
        assert not printed.getvalue().startswith("0 ")
