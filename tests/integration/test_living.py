"""The living archive against a real node: add, corrections, takedowns, stories across batches, writes during a
rebuild, watching a folder, and faults (concurrent adds, a killed add, Elasticsearch down)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bench import corpora
from dateline import schema
from dateline.indexer.rebuild import live_index, rebuild, versions
from dateline.indexer.update import add, remove

from .test_cli import DATELINE, run

ARTICLE = " date 2024-05-0{day}\nBAKU, May {day} - {text}\n"


def _write(folder: Path, name: str, text: str, day: int = 1) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(day=day, text=text))
    return path


def _ids(es, alias: str, **query) -> set[str]:
    """What a search finds now (add and delete refresh before they return; no refresh here)."""
    result = es.search(index=alias, query=query or {"match_all": {}}, size=10000, _source=False)
    return {hit["_id"] for hit in result["hits"]["hits"]}


@pytest.fixture
def cli(index_names, es_settings):
    return lambda *args, **kw: run(*args, alias=index_names, es_url=es_settings.es_urls[0], **kw)


@pytest.fixture
def archive(tmp_path, cli, seeds_dir):
    """A served index built from the seeds, and an empty inbox folder."""
    assert cli("index", "rebuild", "--source", str(seeds_dir)).returncode == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return inbox


def test_add_is_searchable_on_return_and_reports_skips(es, index_names, archive, cli):
    _write(archive, "2024/quarry.txt", "The Gizilbulagh quarry reopened on Monday after repairs.")
    (archive / "broken.txt").write_bytes(b"\x00\x01binary")
    result = cli("index", "add", "--source", str(archive))
    assert result.returncode == 0, result.stderr
    assert "Added 1 and replaced 0 articles" in result.stdout
    assert "Skipped 1:" in result.stdout and "broken.txt" in result.stdout
    assert _ids(es, index_names, match={schema.BODY: "quarry reopened"}) == {"2024/quarry.txt"}
    assert len(versions(es, index_names)) == 1  # no new index


@pytest.fixture
def web(test_settings):
    from dateline.service.app import create_app

    return create_app(test_settings).test_client()


def test_a_corrected_file_replaces_its_document_and_is_marked_revised(es, index_names, archive, cli, web):
    path = _write(archive, "quarry.txt", "The quarry reopened on Monday after repairs.")
    assert cli("index", "add", "--source", str(archive)).returncode == 0
    assert es.get(index=index_names, id="quarry.txt")["_source"].get(schema.REVISED) is None
    path.write_text(path.read_text().replace("Monday", "Tuesday"))
    result = cli("index", "add", "--source", str(archive))
    assert "Added 0 and replaced 1 articles" in result.stdout, result.stdout
    assert _ids(es, index_names, match={schema.BODY: "monday"}) == set()
    assert _ids(es, index_names, match={schema.BODY: "tuesday"}) == {"quarry.txt"}
    revised = es.get(index=index_names, id="quarry.txt")["_source"][schema.REVISED]
    assert web.get("/api/articles/quarry.txt").json["revised"] == revised  # the same page, now revised
    page = web.get("/articles/quarry.txt").get_data(as_text=True)
    assert "Tuesday" in page and f'revised <time datetime="{revised}">' in page
    again = cli("index", "add", "--source", str(archive))
    assert "Added 0 and replaced 0 articles" in again.stdout and "(1 unchanged" in again.stdout


def test_a_rebuild_keeps_the_revised_time_of_corrected_articles(es, index_names, archive, cli, seeds_dir, web):
    path = _write(archive, "quarry.txt", "The quarry reopened on Monday after repairs.")
    _write(archive, "orchard.txt", "The orchard shipped its first apples.", day=2)
    assert cli("index", "add", "--source", str(archive)).returncode == 0
    path.write_text(path.read_text().replace("Monday", "Tuesday"))
    assert "replaced 1 articles" in cli("index", "add", "--source", str(archive)).stdout
    revised = es.get(index=index_names, id="quarry.txt")["_source"][schema.REVISED]
    before = live_index(es, index_names)
    result = cli("index", "rebuild", "--source", str(seeds_dir), "--source", str(archive))
    assert result.returncode == 0, result.stderr
    assert live_index(es, index_names) != before
    assert es.get(index=index_names, id="quarry.txt")["_source"][schema.REVISED] == revised
    assert schema.REVISED not in es.get(index=index_names, id="orchard.txt")["_source"]  # never corrected
    assert web.get("/api/articles/quarry.txt").json["revised"] == revised


def test_the_same_text_under_another_path_is_one_document(es, index_names, archive, cli):
    text = "The orchard cooperative shipped its first apples to Tbilisi."
    _write(archive, "a.txt", text)
    _write(archive, "copy/b.txt", text)
    result = cli("index", "add", "--source", str(archive))
    assert "Added 1 " in result.stdout and "duplicate: copy/b.txt has the text of a.txt" in result.stdout
    assert _ids(es, index_names, match={schema.BODY: "orchard"}) == {"a.txt"}


def test_delete_takes_down_reports_unknown_ids_and_survives_rebuilds(es, index_names, archive, cli, web):
    path = _write(archive, "2024/retracted.txt", "A retracted report about the tunnel collapse.")
    _write(archive, "kept.txt", "A report about the tunnel that stays.", day=2)
    assert cli("index", "add", "--source", str(archive)).returncode == 0
    result = cli("index", "delete", "--source", str(path), "--root", str(archive), "no-such-id")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["not in the index (takedown recorded): no-such-id",
                                          "taken down: 2024/retracted.txt"]
    assert _ids(es, index_names, match={schema.BODY: "tunnel"}) == {"kept.txt"}
    assert es.exists(index=schema.takedowns_index(index_names), id="2024/retracted.txt")
    page, api = web.get("/articles/2024/retracted.txt"), web.get("/api/articles/2024/retracted.txt")
    assert (page.status_code, api.status_code) == (410, 410)
    assert "taken down" in page.get_data(as_text=True) and "taken down" in api.json["error"]["message"]
    assert web.get("/articles/never-was.txt").status_code == 404
    # A rebuild from the old folder leaves it out, and an add does not bring it back either...
    rebuilt = cli("index", "rebuild", "--source", str(archive), "--allow-shrink")  # without the seeds
    assert "Left out 1 taken-down articles" in rebuilt.stdout, rebuilt.stdout
    assert _ids(es, index_names, match={schema.BODY: "tunnel"}) == {"kept.txt"}
    assert "taken down, not added: 2024/retracted.txt" in cli("index", "add", "--source", str(archive)).stdout
    # ...unless asked to.
    assert cli("index", "rebuild", "--source", str(archive), "--include-deleted").returncode == 0
    assert _ids(es, index_names, match={schema.BODY: "tunnel"}) == {"kept.txt", "2024/retracted.txt"}
    assert not es.exists(index=schema.takedowns_index(index_names), id="2024/retracted.txt")


def _reuters_batches(folder: Path, count: int, batches: int) -> list[Path]:
    """The first ``count`` Reuters articles (read from shared/data) as ``batches`` JSON Lines files, in order."""
    folder.mkdir()
    chosen = [r for _, r in zip(range(count), corpora.reuters(), strict=False)]
    size = -(-len(chosen) // batches)
    paths = []
    for n in range(batches):
        path = folder / f"batch-{n:02d}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in chosen[n * size:(n + 1) * size]))
        paths.append(path)
    return paths


def _partition(es, index: str) -> dict[str, frozenset[str]]:
    """Each article → the set of articles in its story."""
    stories = defaultdict(set)
    for hit in es.search(index=index, size=10000, _source=[schema.STORY])["hits"]["hits"]:
        stories[hit["_source"][schema.STORY]].add(hit["_id"])
    return {doc: frozenset(members) for members in stories.values() for doc in members}


@pytest.mark.skipif(not corpora.DATA.joinpath(corpora.REUTERS).is_dir(), reason="shared/data not present")
def test_ten_batches_give_the_story_partition_of_one_rebuild(es, index_names, tmp_path):
    batches = _reuters_batches(tmp_path / "reuters", 3000, 10)
    whole = rebuild(es, f"{index_names}-whole", [str(tmp_path / "reuters")], keep=0)
    rebuild(es, index_names, [str(batches[0])], keep=0)
    for batch in batches[1:]:
        add(es, index_names, [str(batch)])
    one, incremental = _partition(es, whole.index), _partition(es, live_index(es, index_names))
    assert len(one) == len(incremental) > 2900
    assert sum(1 for doc in one if one[doc] != incremental.get(doc)) <= 0.01 * len(one)
    assert sum(1 for members in set(one.values()) if len(members) > 1) > 20  # there were stories to find


def _wait_for_new_version(es, alias: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(not v.complete for v in versions(es, alias)):
            return
        time.sleep(0.05)
    raise AssertionError("the rebuild never created its index")


@pytest.mark.skipif(not corpora.DATA.joinpath(corpora.REUTERS).is_dir(), reason="shared/data not present")
def test_adds_and_deletes_during_a_rebuild_reach_the_new_index(es, index_names, tmp_path, archive, cli,
                                                                es_settings):
    # Enough articles that the rebuild, with its workers and concurrent bulk requests, outlasts an add and a
    # delete (each a command that starts Python and loads the gazetteer).
    _reuters_batches(tmp_path / "reuters", 6000, 1)
    _write(archive, "doomed.txt", "An article about the vineyard to be taken down.")
    assert cli("index", "add", "--source", str(archive)).returncode == 0
    (archive / "doomed.txt").unlink()
    _write(archive, "fresh.txt", "The vineyard harvest began early this year.")
    env = {**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0]}
    building = subprocess.Popen([DATELINE, "index", "rebuild", "--source", str(tmp_path / "reuters"),
                                 "--source", str(Path(__file__).parents[2] / "seeds")], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_new_version(es, index_names)
    assert cli("index", "add", "--source", str(archive)).returncode == 0
    # A seed the rebuild reads after the Reuters file: taken down before the rebuild reaches it.
    assert cli("index", "delete", "doomed.txt", "000_176b7342f17675ed.txt").returncode == 0
    assert building.poll() is None  # the rebuild was still building when both finished
    out, err = building.communicate(timeout=300)
    assert building.returncode == 0, err
    assert "Carried over 3 articles added or deleted while it ran." in out
    vineyard = _ids(es, index_names, match={schema.BODY: "vineyard"})  # one Reuters article names one too
    assert "fresh.txt" in vineyard and "doomed.txt" not in vineyard
    assert "000_176b7342f17675ed.txt" not in _ids(es, index_names)
    assert len(_ids(es, index_names)) > 5900


@pytest.fixture
def start_watch(index_names, es_settings):
    """Start ``dateline index watch`` on a folder; any watcher a failed test left running is killed after it."""
    started = []

    def start(folder: Path, *extra: str) -> subprocess.Popen:
        env = {**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0], "PYTHONUNBUFFERED": "1"}
        started.append(subprocess.Popen([DATELINE, "index", "watch", "--source", str(folder), "--interval", "0.3",
                                         *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _until(check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_watch_reports_each_change_as_a_json_line_for_scripts(es, index_names, archive, start_watch):
    _write(archive, "one.txt", "The quarry near Gizilbulagh reopened.")
    watcher = start_watch(archive, "--json")
    _until(lambda: "one.txt" in _ids(es, index_names))
    (archive / "one.txt").unlink()
    _until(lambda: "one.txt" not in _ids(es, index_names))
    watcher.send_signal(signal.SIGTERM)
    out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["event"], e.get("file"), e.get("articles")) for e in events] == [
        ("watching", None, None), ("added", "one.txt", 1), ("removed", "one.txt", 1), ("stopped", None, None)]
    assert all(e["time"].endswith("Z") and e["message"] for e in events)


def test_watch_follows_a_folder_and_resumes_from_its_checkpoint(es, index_names, archive, start_watch):
    _write(archive, "one.txt", "The quarry near Gizilbulagh reopened.")
    watcher = start_watch(archive)
    _until(lambda: "one.txt" in _ids(es, index_names))
    _write(archive, "two.txt", "The tunnel under the pass was finished.", day=2)
    path = archive / "one.txt"
    path.write_text(path.read_text().replace("reopened", "shuttered"))
    _until(lambda: _ids(es, index_names, match={schema.BODY: "shuttered"}) == {"one.txt"} and "two.txt" in
           _ids(es, index_names))
    (archive / "two.txt").unlink()
    _until(lambda: "two.txt" not in _ids(es, index_names))
    watcher.send_signal(signal.SIGTERM)
    out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, err
    changes = [line.split(" ", 1)[1] for line in out.splitlines()[1:-1]]
    assert changes == ["added one.txt (1 articles)", "added two.txt (1 articles)",
                       "replaced one.txt (1 articles)", "removed two.txt (1 articles)"] or \
        changes == ["added one.txt (1 articles)", "replaced one.txt (1 articles)", "added two.txt (1 articles)",
                    "removed two.txt (1 articles)"], out
    assert out.splitlines()[-1].endswith("stopped")
    # A restart adds nothing again.
    watcher = start_watch(archive)
    first = watcher.stdout.readline()  # it watches (its signal handlers are in place)
    time.sleep(2)
    watcher.send_signal(signal.SIGINT)
    out, _ = watcher.communicate(timeout=60)
    assert watcher.returncode == 0 and len((first + out).splitlines()) == 2, first + out


def test_watch_refuses_a_mass_delete_unless_allowed(es, index_names, archive, start_watch):
    for n in range(12):
        _write(archive, f"a{n:02d}.txt", f"Report number {n} about the orchard and its {n} trees.")
    watcher = start_watch(archive)
    _until(lambda: len(_ids(es, index_names, match={schema.BODY: "orchard"})) == 12)
    for n in range(12):
        (archive / f"a{n:02d}.txt").unlink()
    time.sleep(2)
    watcher.send_signal(signal.SIGTERM)
    out, _ = watcher.communicate(timeout=60)
    assert "refused: 12 of 12 files vanished at once" in out
    assert len(_ids(es, index_names, match={schema.BODY: "orchard"})) == 12
    watcher = start_watch(archive, "--allow-mass-delete")
    _until(lambda: not _ids(es, index_names, match={schema.BODY: "orchard"}))
    watcher.send_signal(signal.SIGTERM)
    assert "removed a11.txt" in watcher.communicate(timeout=60)[0]


def test_two_adds_at_once_and_a_killed_add_leave_no_duplicates(es, index_names, archive, es_settings, cli):
    for n in range(2000):
        _write(archive, f"d{n // 200}/r{n:03d}.txt", f"Wire report {n}: the harvest of field {n} came in "
                                                     f"at {n * 7} tonnes, officials in district {n} said.")
    env = {**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0]}
    both = [subprocess.Popen([DATELINE, "index", "add", "--source", str(archive)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for process in both:
        assert process.wait(timeout=300) == 0, process.stderr.read()
    assert len(_ids(es, index_names, match={schema.BODY: "harvest"})) == 2000
    remove(es, index_names, sorted(_ids(es, index_names, match={schema.BODY: "harvest"})), takedown=False)
    # Enough articles that the add is still writing when its first documents become searchable.
    for n in range(2000, 10000):
        _write(archive, f"d{n // 200}/r{n:04d}.txt", f"Wire report {n}: the harvest of field {n} came in "
                                                      f"at {n * 7} tonnes, officials in district {n} said.")
    killed = subprocess.Popen([DATELINE, "index", "add", "--source", str(archive)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _until(lambda: _ids(es, index_names, match={schema.BODY: "harvest"}), timeout=120)
    killed.kill()
    killed.wait()
    def harvests() -> int:
        found = es.search(index=index_names, query={"match": {schema.BODY: "harvest"}}, size=0,
                          track_total_hits=True)
        return found["hits"]["total"]["value"]

    assert harvests() < 10000
    rerun = cli("index", "add", "--source", str(archive), timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert harvests() == 10000


def test_elasticsearch_down_exits_3_and_chosennothing(archive, index_names):
    _write(archive, "one.txt", "The quarry reopened.")
    for command in (["add", "--source", str(archive)], ["delete", "one.txt"],
                    ["watch", "--source", str(archive)]):
        result = run("index", *command, alias=index_names, es_url="http://127.0.0.1:9")
        assert result.returncode == 3, (command, result.stderr)
        assert "cannot reach Elasticsearch" in result.stderr
    assert not list(archive.glob(".dateline-watch*"))


def test_adding_to_an_index_of_an_older_contract_says_to_rebuild(es, index_names, tmp_path, cli):
    old = {key: value for key, value in schema.MAPPINGS["properties"].items()
           if key not in (schema.BODY_HASH, schema.REVISED, schema.STORY_BANDS, schema.STORY_SIGNATURE)}
    name = f"{index_names}-old"
    es.indices.create(index=name, mappings={**schema.MAPPINGS, "properties": old}, aliases={index_names: {}},
                      settings=schema.index_body()["settings"])
    _write(tmp_path, "a.txt", "The quarry reopened.")
    result = cli("index", "add", "--source", str(tmp_path / "a.txt"))
    assert result.returncode == 1
    assert "older index contract (no body_hash, revised, story_bands, story_signature)" in result.stderr
    assert "dateline index rebuild" in result.stderr


def test_adding_to_an_index_of_an_older_contract_version_says_to_rebuild(es, index_names, tmp_path, cli):
    name = f"{index_names}-v1"
    es.indices.create(index=name, mappings={**schema.MAPPINGS, "_meta": {"complete": True}},
                      aliases={index_names: {}}, settings=schema.index_body()["settings"])
    _write(tmp_path, "a.txt", "The quarry reopened.")
    result = cli("index", "add", "--source", str(tmp_path / "a.txt"))
    assert result.returncode == 1
    assert f"older index contract (version 1); run `dateline index rebuild` once to move it to the current one " \
           f"(version {schema.CONTRACT_VERSION})" in result.stderr
    assert es.count(index=name)["count"] == 0
