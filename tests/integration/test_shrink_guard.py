"""The shrink guard and the export check, through the real `dateline index rebuild` command.

An operator's typo (an empty or unmounted folder, files that all fail to parse, a folder that lost most of
its files) must not replace the live archive: the command exits 1 with both counts and the top skip reasons,
the alias keeps serving what it served, and the refused index is kept aside, not served, until the next
rebuild. ``--allow-shrink`` or a lower ``--min-ratio`` lets a shrink through; nothing lets an empty index
replace a non-empty one. An export that does not end with its completion record is refused unless allowed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dateline import export_format
from dateline.indexer.rebuild import live_index, versions

from . import articles_jsonl

DATELINE = str(Path(sys.executable).with_name("dateline"))
LIVE = 20


@pytest.fixture
def cli(index_names, es_settings):
    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0]}
        return subprocess.run([DATELINE, "index", *args], capture_output=True, text=True, env=env, timeout=180)
    return run


@pytest.fixture
def live(cli, es, index_names, tmp_path) -> str:
    """The index the alias serves: ``LIVE`` articles."""
    source = articles_jsonl.write(tmp_path / "live.jsonl", articles_jsonl.records(LIVE))
    done = cli("rebuild", "--source", str(source))
    assert done.returncode == 0, done.stderr
    return live_index(es, index_names)


def refused_versions(es, alias: str) -> list[str]:
    return [v.index for v in versions(es, alias) if v.meta.get("refused")]


def assert_untouched(es, alias: str, live: str) -> None:
    assert live_index(es, alias) == live
    assert es.count(index=alias)["count"] == LIVE


def test_an_empty_folder_never_replaces_the_live_archive(cli, es, index_names, live, tmp_path):
    (tmp_path / "empty").mkdir()
    for flags in ([], ["--allow-shrink"], ["--min-ratio", "0"]):
        done = cli("rebuild", "--source", str(tmp_path / "empty"), *flags)
        assert done.returncode == 1, done.stdout
        assert "holds 0 articles" in done.stderr and f"{live} {LIVE};" in done.stderr
        assert "never replaces a non-empty one" in done.stderr
        assert "Nothing was skipped" in done.stderr and "--allow-shrink" not in done.stderr
        assert "Traceback" not in done.stderr
        assert_untouched(es, index_names, live)
    assert len(refused_versions(es, index_names)) == 1  # each rebuild deletes the one refused before it


def test_files_that_all_fail_to_parse_are_refused_with_the_top_reasons(cli, es, index_names, live, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for n in range(3):
        (broken / f"empty{n}.txt").write_bytes(b"")
    (broken / "bad.jsonl").write_text('{"id": "x"}\n{"id": "y"}\n', encoding="utf-8")
    done = cli("rebuild", "--source", str(broken))
    assert done.returncode == 1
    assert "Skipped 5; top reasons:" in done.stderr
    assert "3 × empty file (first: " in done.stderr and '2 × no "body" (first: ' in done.stderr
    assert_untouched(es, index_names, live)


def test_a_shrunken_index_is_kept_aside_until_the_operator_allows_the_shrink(cli, es, index_names, live,
                                                                            tmp_path):
    half = articles_jsonl.write(tmp_path / "half.jsonl", articles_jsonl.records(LIVE // 2))
    done = cli("rebuild", "--source", str(half))
    assert done.returncode == 1
    assert f"holds {LIVE // 2} articles, the live one {live} {LIVE}" in done.stderr
    assert "50% of the live articles, below --min-ratio 0.9" in done.stderr
    assert "rebuild with --allow-shrink (or a lower --min-ratio)" in done.stderr
    assert_untouched(es, index_names, live)
    [aside] = refused_versions(es, index_names)
    assert es.count(index=aside)["count"] == LIVE // 2  # whole, for the operator to look at
    status = cli("status")
    assert f"x {aside}  {LIVE // 2} articles" in status.stdout and "(refused: that is 50%" in status.stdout

    lower = cli("rebuild", "--source", str(half), "--min-ratio", "0.5")
    assert lower.returncode == 0, lower.stderr
    assert es.count(index=index_names)["count"] == LIVE // 2
    assert aside in lower.stdout  # deleted as a leftover by the rebuild after it

    fewer = articles_jsonl.write(tmp_path / "fewer.jsonl", articles_jsonl.records(2))
    allowed = cli("rebuild", "--source", str(fewer), "--allow-shrink")
    assert allowed.returncode == 0, allowed.stderr
    assert es.count(index=index_names)["count"] == 2
    assert not refused_versions(es, index_names)


def test_growth_and_a_first_rebuild_are_never_refused(cli, es, index_names, tmp_path):
    for size in (0, 5, 50):
        source = articles_jsonl.write(tmp_path / f"{size}.jsonl", articles_jsonl.records(size))
        done = cli("rebuild", "--source", str(source))
        assert done.returncode == 0, done.stderr
        assert es.count(index=index_names)["count"] == size


def export_file(path: Path, items: list[dict], closing: dict | None) -> Path:
    frames = [export_format.opening("articles", "articles-1", "q=x"), *items,
              *([closing] if closing else [])]
    return articles_jsonl.write(path, frames)


def test_an_export_without_its_completion_record_is_refused_unless_allowed(cli, es, index_names, live,
                                                                          tmp_path):
    items = articles_jsonl.records(LIVE, prefix="e")
    whole = export_file(tmp_path / "whole.jsonl", items, export_format.completion(LIVE))
    cut = export_file(tmp_path / "cut.jsonl", items[:15], None)
    failed = export_file(tmp_path / "failed.jsonl", items[:15],
                         export_format.failure(15, "cannot reach Elasticsearch"))
    for source, reason in ((cut, "without its completion record: cut short after 15 articles"),
                           (failed, "ended with an error after 15 articles: cannot reach Elasticsearch")):
        done = cli("rebuild", "--source", str(source), "--allow-shrink")
        assert done.returncode == 1
        assert reason in done.stderr and "--allow-incomplete-export" in done.stderr
        assert_untouched(es, index_names, live)
        assert not refused_versions(es, index_names)  # refused before any guard: the new index is deleted

    allowed = cli("rebuild", "--source", str(cut), "--allow-shrink", "--allow-incomplete-export")
    assert allowed.returncode == 0, allowed.stderr
    assert "Skipped 1" in allowed.stdout and "cut short" in allowed.stdout
    assert es.count(index=index_names)["count"] == 15

    done = cli("rebuild", "--source", str(whole), "--strict")
    assert done.returncode == 0, done.stderr
    assert es.count(index=index_names)["count"] == LIVE
    assert json.loads(whole.read_text().splitlines()[0])["dateline_export"]["format"] == 1
