"""`dateline index rebuild` killed with SIGKILL over and over: the alias always serves a whole version.

Two kinds of kill, both of the real command in a subprocess:

- at chosen points, by an HTTP pass-through before Elasticsearch that kills the indexer when a given request
  arrives (before or after Elasticsearch has acted on it): index created, mid-bulk, bulk done, count
  checked, swap about to be sent, swap sent;
- at random times over the length of a rebuild, the phase reached read afterwards from the index state (no
  new index / an incomplete one / complete but not aliased / aliased).

After every kill the alias answers with the count of the version it served before (or, when the swap went
through, exactly the new version's count), at most one leftover index exists, and a final rebuild succeeds and
leaves no incomplete index and nothing newer than the live one.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dateline.indexer.rebuild import live_index, versions

from .es_relay import Relay

pytestmark = pytest.mark.slow

DATELINE = str(Path(sys.executable).with_name("dateline"))
ARTICLES = 3000  # a rebuild of this many takes a few seconds: long enough to land kills in every phase
RANDOM_KILLS = 16
KEEP = 2


class KillSwitch(Relay):
    """SIGKILLs the process ``pid`` when the ``nth`` request matching ``method`` and ``path`` arrives: before
    forwarding it, or once Elasticsearch has answered it (``after_answer``)."""

    def __init__(self, upstream: str, method: str, path: str, nth: int = 1, after_answer: bool = False):
        super().__init__(upstream)
        self.rule = (method, re.compile(path), nth, after_answer)
        self.seen = 0
        self.pid: int | None = None
        self.fired = threading.Event()
        self.lock = threading.Lock()
        self.current = threading.local()  # whether the request this thread relays is the one

    def _fires(self, method: str, path: str) -> bool:
        wanted, pattern, nth, _ = self.rule
        with self.lock:
            if method == wanted and pattern.search(path):
                self.seen += 1
                return self.seen == nth
        return False

    def before(self, method: str, path: str) -> bool:
        self.current.fires = self._fires(method, path)
        if self.current.fires and not self.rule[3]:
            self._kill()
            return False
        return True

    def after(self, method: str, path: str) -> bool:
        if self.current.fires and self.rule[3]:
            self._kill()
            return False
        return True

    def _kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.fired.set()


def _write_jsonl(path: Path, prefix: str, count: int) -> None:
    with path.open("w") as out:
        for n in range(count):
            out.write(json.dumps({
                "id": f"{prefix}-{n}", "published": f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                "source": "Trend" if n % 2 else "Reuters",
                "body": f"BAKU, Azerbaijan, January 2. Shipment {prefix} {n} left port {n % 97} with "
                        f"{n * 7 % 1000} tonnes of wheat. SOCAR said inspection {n % 13} found nothing.",
            }) + "\n")


class Rebuilds:
    """Runs the rebuild command over a large file plus a small one whose size differs on every attempt, so
    each attempt's complete version has its own document count."""

    def __init__(self, es, alias: str, es_url: str, folder: Path):
        self.es, self.alias, self.es_url, self.folder = es, alias, es_url, folder
        _write_jsonl(folder / "main.jsonl", "main", ARTICLES)
        self.attempt = 0

    def start(self, es_url: str | None = None) -> tuple[subprocess.Popen, int]:
        """A rebuild in the background, and the number of articles it would index."""
        self.attempt += 1
        extra = self.attempt  # attempt k adds k articles
        _write_jsonl(self.folder / "extra.jsonl", f"extra{self.attempt}", extra)
        env = {**os.environ, "DATELINE_ALIAS": self.alias, "ES_URL": es_url or self.es_url,
               "ES_TIMEOUT": "30"}
        command = [DATELINE, "index", "rebuild", "--keep", str(KEEP), "--no-progress",
                   "--source", str(self.folder / "main.jsonl"), "--source", str(self.folder / "extra.jsonl")]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return process, ARTICLES + extra

    def names(self) -> set[str]:
        found = self.es.indices.get(index=f"{self.alias}-*", expand_wildcards="all", ignore_unavailable=True)
        return set(found)

    def served(self) -> int:
        self.es.indices.refresh(index=self.alias)
        return self.es.count(index=self.alias)["count"]


def _phase(rebuilds: Rebuilds, before: set[str]) -> str:
    """How far a killed rebuild got, read from the indices it left."""
    found = {v.index: v for v in versions(rebuilds.es, rebuilds.alias)}
    new = sorted(set(found) - before)
    if not new:
        return "not started (no new index)"
    version = found[new[-1]]
    if version.live:
        return "swapped (alias moved)"
    return "verified, not swapped" if version.complete else "loading (incomplete index)"


def _settled(rebuilds: Rebuilds) -> None:
    """Let the node finish what the killed rebuild had already sent: a swap in flight when the process died
    still lands. A moment for the request to arrive, then every queued change of the cluster state applied."""
    time.sleep(0.5)
    rebuilds.es.cluster.health(wait_for_events="languid")


def _check_after_kill(rebuilds: Rebuilds, before: set[str], served_before: int, expected_new: int) -> str:
    _settled(rebuilds)
    phase = _phase(rebuilds, before)
    live = live_index(rebuilds.es, rebuilds.alias)
    assert live is not None
    count = rebuilds.served()
    if phase.startswith("swapped"):
        assert count == expected_new, phase  # the alias moved only to a whole, verified version
    else:
        assert count == served_before, phase  # the alias still serves what it served before
    found = versions(rebuilds.es, rebuilds.alias)
    assert next(v for v in found if v.index == live).complete
    leftovers = [v.index for v in found if not v.live and (not v.complete or v.index > live)]
    assert len(leftovers) <= 1, leftovers  # each rebuild removes what the one killed before it left
    return phase


# Chosen points: (what the indexer was doing, method, path, nth matching request, kill after it was answered).
POINTS = [
    ("parsing the first chunk, index just created", "PUT", r"^/[^/]+-\d{20}(\?|$)", 1, True),
    ("first bulk request about to be sent", "POST", r"/_bulk", 1, False),
    ("mid-bulk, two chunks accepted", "POST", r"/_bulk", 2, True),
    ("mid-bulk, third chunk in flight", "POST", r"/_bulk", 3, False),
    ("bulk done, serving settings being restored", "PUT", r"/_settings", 1, False),
    ("count checked, waiting for health", "GET", r"^/_cluster/health/", 1, False),
    ("verified and marked complete, swap about to be sent", "POST", r"^/_aliases", 1, False),
    ("swap sent, answer not yet read", "POST", r"^/_aliases", 1, True),
]


def test_a_first_rebuild_killed_before_its_swap_leaves_no_index_behind(es, index_names, es_settings,
                                                                        tmp_path):
    rebuilds = Rebuilds(es, index_names, es_settings.es_urls[0], tmp_path)
    with KillSwitch(rebuilds.es_url, "POST", r"^/_aliases") as switch:
        process, _ = rebuilds.start(switch.url)
        switch.pid = process.pid
        assert process.wait(timeout=120) == -signal.SIGKILL
    [left] = versions(es, index_names)
    assert left.complete and not es.indices.exists_alias(name=index_names)

    process, expected = rebuilds.start()
    assert process.wait(timeout=120) == 0, process.stderr.read()
    # The verified index nobody ever searched is not kept as a version to roll back to.
    assert [(v.index, v.live) for v in versions(es, index_names)] == [(live_index(es, index_names), True)]
    assert rebuilds.served() == expected


def test_sigkill_at_any_point_never_loses_the_served_version(es, index_names, es_settings, tmp_path,
                                                              output_dir):
    rebuilds = Rebuilds(es, index_names, es_settings.es_urls[0], tmp_path)
    process, expected = rebuilds.start()
    started = time.monotonic()
    assert process.wait(timeout=120) == 0, process.stderr.read()
    full = time.monotonic() - started
    assert rebuilds.served() == expected
    log = []

    for what, method, path, nth, after in POINTS:
        before, served_before = rebuilds.names(), rebuilds.served()
        with KillSwitch(rebuilds.es_url, method, path, nth, after) as switch:
            process, expected = rebuilds.start(switch.url)
            switch.pid = process.pid
            process.wait(timeout=120)
        assert switch.fired.is_set(), f"the rebuild never reached: {what}"
        assert process.returncode == -signal.SIGKILL
        phase = _check_after_kill(rebuilds, before, served_before, expected)
        log.append({"kill": "chosen", "point": what, "phase": phase})

    rng = random.Random(20240601)
    completed = 0
    while sum(entry["kill"] == "random" for entry in log) < RANDOM_KILLS:
        before, served_before = rebuilds.names(), rebuilds.served()
        process, expected = rebuilds.start()
        delay = rng.uniform(0.05, 0.9 * full)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            phase = _check_after_kill(rebuilds, before, served_before, expected)
            log.append({"kill": "random", "after_seconds": round(delay, 2), "phase": phase})
        else:  # finished before the kill: a whole rebuild, which must have swapped
            assert process.returncode == 0, process.stderr.read()
            assert rebuilds.served() == expected
            completed += 1

    process, expected = rebuilds.start()
    assert process.wait(timeout=120) == 0, process.stderr.read()
    found = versions(es, index_names)
    live = live_index(es, index_names)
    assert all(v.complete for v in found)
    assert not [v.index for v in found if v.index > live]
    assert len(found) <= KEEP + 1
    assert rebuilds.names() == {v.index for v in found}  # nothing outside the kept versions
    assert rebuilds.served() == expected

    phases: dict[str, int] = {}
    for entry in log:
        phases[entry["phase"]] = phases.get(entry["phase"], 0) + 1
    (output_dir / "reliability-killed-rebuilds.json").write_text(json.dumps({
        "kills": len(log), "rebuilds_completed_before_their_kill": completed, "phases": phases,
        "seconds_per_full_rebuild": round(full, 2), "articles_lost": 0, "log": log,
    }, indent=2))
    assert len(log) >= 20


class DeleteBeforeFirstBulk(Relay):
    """Deletes the index being built just before its first bulk request, as a second rebuild of the same
    alias does when it takes that index for a leftover; the bulk request then creates it again, with
    Elasticsearch's default mappings instead of the contract."""

    def __init__(self, upstream: str, es, alias: str):
        super().__init__(upstream)
        self.es, self.alias, self.deleted = es, alias, []
        self.lock = threading.Lock()

    def before(self, method: str, path: str) -> bool:
        with self.lock:  # bulk requests arrive on several connections at once; one deletion
            if path.startswith("/_bulk") and not self.deleted:
                self.deleted = [v.index for v in versions(self.es, self.alias) if not v.complete]
                self.es.indices.delete(index=",".join(self.deleted))
        return True


def test_an_index_deleted_while_it_loads_is_never_served(es, index_names, es_settings, tmp_path):
    rebuilds = Rebuilds(es, index_names, es_settings.es_urls[0], tmp_path)
    process, served = rebuilds.start()
    assert process.wait(timeout=120) == 0, process.stderr.read()
    live = live_index(es, index_names)

    with DeleteBeforeFirstBulk(rebuilds.es_url, es, index_names) as relay:
        process, _ = rebuilds.start(relay.url)
        assert process.wait(timeout=120) == 1
    assert relay.deleted and "was deleted while it was being loaded" in process.stderr.read().decode()
    assert live_index(es, index_names) == live and rebuilds.served() == served
    assert [v.index for v in versions(es, index_names)] == [live]  # the index made again was removed too
