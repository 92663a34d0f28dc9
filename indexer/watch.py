"""Following a folder: new and changed files are added (a changed file replaces its documents), removed files
have their documents removed, every ``interval`` seconds, until asked to stop.

What was seen is checkpointed in a state file (per file: size, modification time and the ids of its articles),
written only after Elasticsearch took a round's changes, so a restart neither re-adds everything nor forgets a
change. A removed file is not a takedown: its articles leave the index (404), and come back if it returns.
If more files vanish at once than ``MASS_DELETE_FILES`` and ``MASS_DELETE_SHARE`` allow (an unmounted disk
looks like an empty folder), nothing is removed until the operator says ``--allow-mass-delete``.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from elasticsearch import Elasticsearch

from .article import Skip
from .readers import format_of
from .readers.files import walk
from .update import add, remove


class Log(Protocol):
    """Where a watch reports: a line for people, and the event's fields for scripts."""

    def __call__(self, message: str, /, **event) -> None: ...


def _print(message: str, /, **event) -> None:
    print(message)

MASS_DELETE_FILES = 10  # at most this many files may vanish in one round...
MASS_DELETE_SHARE = 0.1  # ...or this share of the files seen, whichever is more


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def default_state(folder: str, alias: str) -> Path:
    """The state file inside the folder, hidden (so never read as an article), one per alias."""
    return Path(folder) / f".dateline-watch-{alias}.json"


def load_state(path: Path) -> dict[str, dict]:
    """file (relative to the folder) → {"size", "mtime_ns", "ids"}; empty when there is no state yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    except FileNotFoundError:
        return {}


def save_state(path: Path, files: dict[str, dict]) -> None:
    """Replace the state file in one step (write, then rename), so a crash leaves the old or the new one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"files": files}, indent=0, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def scan(folder: str) -> dict[str, tuple[int, int]]:
    """Every file a reader takes under ``folder``: relative path → (size, modification time in ns)."""
    found = {}
    for item in walk(os.path.normpath(folder)):
        if isinstance(item, Skip) or format_of(item[0]) is None:
            continue
        info = os.stat(item[0])
        found[os.path.relpath(item[0], folder)] = (info.st_size, info.st_mtime_ns)
    return found


def compare(seen: dict[str, dict], now: dict[str, tuple[int, int]]) -> Changes:
    changes = Changes()
    for name, (size, mtime) in sorted(now.items()):
        before = seen.get(name)
        if before is None:
            changes.added.append(name)
        elif (before["size"], before["mtime_ns"]) != (size, mtime):
            changes.changed.append(name)
    changes.removed = sorted(set(seen) - set(now))
    return changes


def too_many_removed(removed: int, seen: int) -> bool:
    return removed > max(MASS_DELETE_FILES, MASS_DELETE_SHARE * seen)


def watch_once(client: Elasticsearch, alias: str, folder: str, state: Path, *, allow_mass_delete: bool = False,
               log: Log = _print, encoder=None) -> Changes:
    """One round: apply what changed since the state file, then record it there."""
    seen = load_state(state)
    now = scan(folder)
    changes = compare(seen, now)
    files = dict(seen)
    touched = changes.added + changes.changed
    if touched:
        report = add(client, alias, [os.path.join(folder, name) for name in touched], root=folder, encoder=encoder)
        for skip in report.skipped:
            log(f"skipped {os.path.relpath(skip.path, folder)}: {skip.reason}", event="skipped",
                file=os.path.relpath(skip.path, folder), reason=skip.reason)
        for name in touched:
            ids = report.ids_by_path.get(os.path.join(os.path.normpath(folder), name), [])
            gone = sorted(set(files.get(name, {}).get("ids", [])) - set(ids))  # lines cut from a JSON Lines file
            if gone:
                remove(client, alias, gone, takedown=False)
            verb = "added" if name in changes.added else "replaced"
            log(f"{verb} {name} ({len(ids)} articles{f', {len(gone)} removed' if gone else ''})", event=verb,
                file=name, articles=len(ids), removed=len(gone))
            files[name] = {"size": now[name][0], "mtime_ns": now[name][1], "ids": ids}
    if changes.removed:
        if too_many_removed(len(changes.removed), len(seen)) and not allow_mass_delete:
            log(f"refused: {len(changes.removed)} of {len(seen)} files vanished at once; nothing removed "
                "(is the folder mounted? --allow-mass-delete to remove their articles)", event="refused",
                vanished=len(changes.removed), files=len(seen))
            changes.removed = []
        else:
            ids = [i for name in changes.removed for i in seen[name]["ids"]]
            if ids:
                remove(client, alias, ids, takedown=False)
            for name in changes.removed:
                log(f"removed {name} ({len(seen[name]['ids'])} articles)", event="removed", file=name,
                    articles=len(seen[name]["ids"]))
                del files[name]
    if files != seen:
        save_state(state, files)
    return changes


def watch(client: Elasticsearch, alias: str, folder: str, state: Path, interval: float, stop: threading.Event,
          *, allow_mass_delete: bool = False, log: Log = _print, encoder=None) -> None:
    """Rounds of ``watch_once`` every ``interval`` seconds until ``stop`` is set (a round in progress
    finishes first), articles embedded with ``encoder`` if given (see ``update.add``). An Elasticsearch failure
    ends the watch; the state file keeps the last finished round."""
    log(f"watching {folder} every {interval:g}s into alias {alias!r} (state: {state})", event="watching",
        folder=folder, interval=interval, alias=alias, state=str(state))
    while not stop.is_set():
        watch_once(client, alias, folder, state, allow_mass_delete=allow_mass_delete, log=log, encoder=encoder)
        stop.wait(interval)
    log("stopped", event="stopped")
