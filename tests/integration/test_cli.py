"""The `dateline` command as an operator or a script uses it: output, exit codes, failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATELINE = str(Path(sys.executable).with_name("dateline"))


def run(*args: str, alias: str, es_url: str, timeout: float = 120, **more_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATELINE_ALIAS": alias, "ES_URL": es_url, "ES_TIMEOUT": "3", **more_env}
    return subprocess.run([DATELINE, *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def cli(index_names, es_settings):
    return lambda *args: run(*args, alias=index_names, es_url=es_settings.es_urls[0])


def test_help_lists_the_commands():
    result = subprocess.run([DATELINE, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "index" in result.stdout and "serve" in result.stdout
    index_help = subprocess.run([DATELINE, "index", "--help"], capture_output=True, text=True).stdout
    for command in ("rebuild", "status", "rollback", "analyze"):
        assert command in index_help


def test_rebuild_then_status_reports_the_live_index(cli, seeds_dir):
    built = cli("index", "rebuild", "--source", str(seeds_dir))
    assert built.returncode == 0, built.stderr
    assert "Indexed 2 articles" in built.stdout

    status = cli("index", "status", "--json")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["documents"] == 2
    assert info["index"].startswith(info["alias"] + "-")
    assert info["sources"] == [str(seeds_dir)]
    assert info["health"] in ("green", "yellow")


def test_rebuild_names_skipped_files_in_its_summary(cli, seeds_dir, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = cli("index", "rebuild", "--source", str(seeds_dir), "--source", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Skipped 1" in result.stdout and "empty.txt" in result.stdout


def test_rollback_without_an_older_version_fails_with_a_reason(cli, seeds_dir):
    assert cli("index", "rebuild", "--source", str(seeds_dir)).returncode == 0
    result = cli("index", "rollback")
    assert result.returncode == 1
    assert "nothing to roll back" in result.stderr


def test_analyze_shows_the_synonyms_a_search_expands_to(cli, seeds_dir):
    assert cli("index", "rebuild", "--source", str(seeds_dir)).returncode == 0
    result = cli("index", "analyze", "Xankəndi", "--field", "body")
    assert result.returncode == 0, result.stderr
    assert "khankendi" in result.stdout and "stepanakert" in result.stdout


@pytest.mark.parametrize("args", [("index", "rebuild", "--source", "seeds"), ("index", "status")])
def test_elasticsearch_unreachable_exits_3_with_the_reason(args, index_names):
    result = run(*args, alias=index_names, es_url="http://127.0.0.1:9", timeout=60)
    assert result.returncode == 3
    assert "cannot reach Elasticsearch" in result.stderr
    assert "Traceback" not in result.stderr
