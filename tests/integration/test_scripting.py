"""The `dateline index` commands as scripts and cron jobs use them: one JSON object on stdout with --json,
`index check` with no node at all, log lines on stderr (text or JSON, louder or quieter) and progress lines
when stderr is not a terminal."""

from __future__ import annotations

import json

import pytest

from dateline import export_format
from dateline.client import connect
from dateline.indexer.check import schema_errors
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app

from .test_cli import run

NO_NODE = "http://127.0.0.1:9"
BROKEN_JSONL = (
    '{"id": "a-1", "published": "2023-02-01", "body": "BAKU, Feb 1 (Trend) - The talks ended in Baku today."}\n'
    '{"body": 5}\n'
    'not json\n'
    '{"id": "a-2", "published": "20230203", "body": "LONDON, Feb 3 (Reuters) - Markets fell in London."}\n'
)


@pytest.fixture
def cli(index_names, es_settings):
    return lambda *args, **env: run(*args, alias=index_names, es_url=es_settings.es_urls[0], **env)


@pytest.fixture
def mixed_sources(tmp_path, seeds_dir):
    (tmp_path / "wire.jsonl").write_text(BROKEN_JSONL, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "table.csv").write_text("a,b\n", encoding="utf-8")
    return [str(seeds_dir), str(tmp_path)]


def _sources(paths):
    return [arg for path in paths for arg in ("--source", path)]


def test_check_reads_sources_with_no_node_and_skips_what_rebuild_skips(cli, mixed_sources):
    checked = run("index", "check", *_sources(mixed_sources), "--json", alias="unused", es_url=NO_NODE)
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert (report["articles"], report["documents"], report["duplicates"]) == (4, 4, 0)
    assert report["published"]["earliest"] == "2022-12-13" and report["published"]["latest"] == "2023-02-03"
    assert report["published"]["rules"]["given"] == 2
    assert report["agencies"]["Trend"] == 3
    assert sum(report["languages"].values()) == 4

    built = cli("index", "rebuild", *_sources(mixed_sources), "--json")
    assert built.returncode == 0, built.stderr
    rebuilt = json.loads(built.stdout)
    assert rebuilt["indexed"] == report["documents"] and rebuilt["articles"] == report["articles"]
    assert rebuilt["skipped"] == report["skipped"]
    assert {(skip["line"], skip["reason"][:12]) for skip in report["skipped"] if skip["path"].endswith(".jsonl")} \
        == {(2, '"body" must '), (3, "broken JSON:")}


def test_check_applies_the_json_lines_schema(mixed_sources):
    checked = run("index", "check", *_sources(mixed_sources), "--json", alias="unused", es_url=NO_NODE)
    schema = json.loads(checked.stdout)["schema"]
    assert schema["invalid_records"] == 2
    assert {(error["line"], error["field"]) for error in schema["errors"]} == {(2, "/body"), (4, "/published")}

    strict = run("index", "check", *_sources(mixed_sources), "--strict", alias="unused", es_url=NO_NODE)
    assert strict.returncode == 1
    assert "wire.jsonl:4: /published: '20230203' is not YYYY-MM-DD" in strict.stdout


def test_check_of_clean_sources_passes_strict(seeds_dir):
    result = run("index", "check", "--source", str(seeds_dir), "--strict", alias="unused", es_url=NO_NODE)
    assert result.returncode == 0, result.stderr
    assert "a rebuild would index 2" in result.stdout


def test_every_index_command_prints_one_json_object(cli, seeds_dir):
    printed = {}
    for args in (("rebuild", "--source", str(seeds_dir)), ("rebuild", "--source", str(seeds_dir)), ("status",),
                 ("rollback",), ("analyze", "Baku"), ("check", "--source", str(seeds_dir))):
        result = cli("index", *args, "--json")
        assert result.returncode == 0, (args, result.stderr)
        printed[args[0]] = json.loads(result.stdout)
    assert printed["rollback"]["previous"] == printed["rebuild"]["index"] == printed["status"]["index"]
    assert printed["rollback"]["index"] == printed["rebuild"]["previous"]
    assert "baku" in {token["token"] for token in printed["analyze"]["tokens"]}


def test_a_failure_with_json_is_a_json_object_too(index_names):
    result = run("index", "rollback", "--json", alias=index_names, es_url=NO_NODE, timeout=60)
    assert result.returncode == 3
    assert json.loads(result.stdout) == {"error": "cannot reach Elasticsearch", "exit_code": 3}


def test_progress_and_log_lines_when_stderr_is_not_a_terminal(cli, seeds_dir):
    result = cli("index", "rebuild", "--source", str(seeds_dir))
    assert result.returncode == 0, result.stderr
    assert "INFO dateline.indexer.progress: read 2 articles" in result.stderr
    assert "now serves" in result.stderr

    as_json = cli("index", "rebuild", "--source", str(seeds_dir), LOG_FORMAT="json")
    lines = [json.loads(line) for line in as_json.stderr.splitlines()]
    progress = next(line for line in lines if line["logger"] == "dateline.indexer.progress")
    assert progress["done"] == 2 and progress["level"] == "INFO" and progress["time"]


def test_quiet_and_log_level_silence_the_info_lines(cli, seeds_dir):
    assert cli("-q", "index", "rebuild", "--source", str(seeds_dir)).stderr == ""
    assert cli("index", "rebuild", "--source", str(seeds_dir), LOG_LEVEL="warning").stderr == ""
    verbose = cli("--verbose", "index", "status")
    assert "DEBUG" in verbose.stderr  # the Elasticsearch requests
    refused = cli("index", "status", LOG_LEVEL="loud")
    assert refused.returncode == 2 and "LOG_LEVEL" in refused.stderr


def test_an_export_is_valid_against_the_published_schema(test_settings, seeds_dir):
    rebuild(connect(test_settings), test_settings.alias, [str(seeds_dir)])
    lines = create_app(test_settings).test_client().get("/api/export").get_data(as_text=True).splitlines()
    articles = [(number, json.loads(line)) for number, line in enumerate(lines, 1)
                if export_format.framing(json.loads(line)) is None]  # the export's own opening and end records
    assert len(articles) == 2
    for number, record in articles:
        assert schema_errors(record, "export.jsonl", number) == []
