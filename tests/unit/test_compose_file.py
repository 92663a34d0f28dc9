"""docker-compose.yml stays valid for the users who run dateline with Docker."""

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def _compose_config(*args: str, **env: str) -> subprocess.CompletedProcess:
    if shutil.which("docker") is None:
        pytest.skip("the docker command is not installed, so the compose file cannot be checked here")
    return subprocess.run(["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**{k: v for k, v in os.environ.items() if k != "ARTICLES_DIR"}, **env})


def test_compose_file_is_valid():
    result = _compose_config("-q")
    assert result.returncode == 0, result.stderr or result.stdout


def test_web_waits_for_a_successful_index_build_and_elasticsearch_health():
    result = _compose_config("--format", "json")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert services["indexer"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["indexer"]["condition"] == "service_completed_successfully"
    assert services["web"]["environment"]["ELASTIC_CLIENT_APIVERSIONING"] == "true"
    assert "healthcheck" in services["web"] and "healthcheck" in services["elasticsearch"]


@pytest.mark.parametrize(("articles_dir", "mounted"),
                         [(None, str(ROOT / "seeds")), ("/srv/my-archive", "/srv/my-archive")])
def test_the_indexer_reads_the_folder_articles_dir_names_read_only(articles_dir, mounted):
    result = _compose_config("--format", "json", **({"ARTICLES_DIR": articles_dir} if articles_dir else {}))
    assert result.returncode == 0, result.stderr
    indexer = json.loads(result.stdout)["services"]["indexer"]
    [volume] = indexer["volumes"]
    assert (volume["type"], volume["source"], volume["target"], volume["read_only"]) == (
        "bind", mounted, "/articles", True)
    assert indexer["command"][-2:] == ["--source", "/articles"]


def test_the_watcher_follows_a_mounted_folder_once_the_index_exists():
    result = _compose_config("--format", "json")
    assert result.returncode == 0, result.stderr
    watcher = json.loads(result.stdout)["services"]["watcher"]
    assert watcher["command"][:3] == ["dateline", "index", "watch"]
    assert watcher["volumes"][0]["target"] == "/inbox" == watcher["command"][watcher["command"].index("--source") + 1]
    assert watcher["depends_on"]["indexer"]["condition"] == "service_completed_successfully"
