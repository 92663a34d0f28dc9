"""Backups: snapshots of the live archive in an Elasticsearch snapshot repository, and restoring them.

A snapshot, named ``<alias>-<UTC stamp>``, holds the index the alias serves and ``<alias>-takedowns`` when it
exists (the articles taken down, which a restore must not bring back), and records in its metadata the alias,
the index and its article count.

A restore never overwrites anything: the snapshot's article index comes back as a new version of the alias,
``<alias>-<UTC stamp>``, is checked against the count recorded at snapshot time, loses the articles taken down
since, and only then does the alias move to it, in one atomic call as after a rebuild; ``dateline index
rollback`` returns to what was served before. The takedowns index is restored only when the cluster has none:
one that exists is newer than the snapshot.

The repository is registered on first use as a shared-filesystem (``fs``) repository, whose location must lie
under the ``path.repo`` of every node; a repository of another type registered by hand is used as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exc

from dateline.client import describe_failure
from dateline.schema import takedowns_index

from .rebuild import BULK_TIMEOUT, RebuildError, live_index, move_alias, new_index_name

DEFAULT_REPOSITORY = "dateline-backups"


class BackupError(RebuildError):
    """A snapshot or a restore failed; the alias still serves what it served before."""


@dataclass
class Snapshot:
    name: str
    index: str  # the article index it holds
    articles: int
    indices: list[str]  # every index it holds
    started: str | None = None


@dataclass
class RestoreReport:
    snapshot: Snapshot
    index: str  # the new version the alias now serves
    previous: str | None
    takedowns_restored: bool = False
    withheld: list[str] = field(default_factory=list)  # ids taken down since the snapshot, left out


def ensure_repository(client: Elasticsearch, repository: str, location: str) -> None:
    """Register ``repository`` as a filesystem repository at ``location`` unless it is registered already."""
    try:
        client.snapshot.get_repository(repository=repository)
        return
    except es_exc.NotFoundError:
        pass
    try:
        client.snapshot.create_repository(repository=repository,
                                          body={"type": "fs", "settings": {"location": location}})
    except es_exc.TransportError as exc:
        raise BackupError(f"cannot register the snapshot repository {repository!r} at {location!r}: "
                          f"{describe_failure(exc)}. Every node needs path.repo in its elasticsearch.yml, "
                          f"naming a folder that holds the location (see docs/operations.md).") from exc


def snapshot(client: Elasticsearch, alias: str, repository: str, location: str) -> Snapshot:
    """Snapshot what ``alias`` serves (and its takedowns) into ``repository``; waits until it is written."""
    index = live_index(client, alias)
    if index is None:
        raise BackupError(f"there is no alias {alias!r} to back up")
    ensure_repository(client, repository, location)
    indices = [index, *([takedowns_index(alias)] if client.indices.exists(index=takedowns_index(alias)) else [])]
    articles = client.count(index=index)["count"]
    name = new_index_name(alias)
    answer = client.snapshot.create(
        repository=repository, snapshot=name, wait_for_completion=True, request_timeout=BULK_TIMEOUT,
        body={"indices": ",".join(indices), "include_global_state": False,
              "metadata": {"alias": alias, "index": index, "articles": articles}},
    )["snapshot"]
    if answer["state"] != "SUCCESS":
        raise BackupError(f"snapshot {name} ended {answer['state']}: {answer.get('failures')}")
    return Snapshot(name, index, articles, indices, answer.get("start_time"))


def snapshots(client: Elasticsearch, alias: str, repository: str) -> list[Snapshot]:
    """The snapshots of ``alias`` in ``repository``, oldest first."""
    try:
        found = client.snapshot.get(repository=repository, snapshot=f"{alias}-*",
                                    ignore_unavailable=True)["snapshots"]
    except es_exc.NotFoundError as exc:
        raise BackupError(f"there is no snapshot repository {repository!r}: {describe_failure(exc)}") from exc
    mine = [s for s in found if (s.get("metadata") or {}).get("alias") == alias and s["state"] == "SUCCESS"]
    return sorted((Snapshot(s["snapshot"], s["metadata"]["index"], s["metadata"]["articles"], s["indices"],
                            s.get("start_time")) for s in mine), key=lambda s: s.name)


def restore(client: Elasticsearch, alias: str, repository: str, location: str, name: str | None = None
            ) -> RestoreReport:
    """Restore snapshot ``name`` (default: the newest of ``alias``) as a new version and move the alias to it."""
    ensure_repository(client, repository, location)
    kept = snapshots(client, alias, repository)
    chosen = next((s for s in kept if s.name == name), None) if name else (kept[-1] if kept else None)
    if chosen is None:
        names = ", ".join(s.name for s in kept) or "none"
        raise BackupError(f"no snapshot {name or 'of ' + repr(alias)} in {repository!r} (snapshots of "
                          f"{alias!r}: {names})")
    report = RestoreReport(chosen, new_index_name(alias), live_index(client, alias))
    try:
        _restore_indices(client, repository, chosen.name, chosen.index, rename_to=report.index)
        client.cluster.health(index=report.index, wait_for_status="yellow", timeout="60s", request_timeout=90)
        count = client.count(index=report.index)["count"]
        if count != chosen.articles:
            raise BackupError(f"the restored index holds {count} articles but the snapshot recorded "
                              f"{chosen.articles}")
        takedowns = takedowns_index(alias)
        if takedowns in chosen.indices and not client.indices.exists(index=takedowns):
            _restore_indices(client, repository, chosen.name, takedowns)
            report.takedowns_restored = True
        report.withheld = _withhold_takedowns(client, takedowns, report.index)
        move_alias(client, alias, report.previous, report.index)
    except BaseException:  # never leave a half-restored version behind
        if live_index(client, alias) != report.index:
            client.indices.delete(index=report.index, ignore_unavailable=True)
        raise
    return report


def _restore_indices(client: Elasticsearch, repository: str, snapshot_name: str, index: str,
                     rename_to: str | None = None) -> None:
    body: dict = {"indices": index, "include_aliases": False, "include_global_state": False}
    if rename_to:
        body.update(rename_pattern="(.+)", rename_replacement=rename_to)
    answer = client.snapshot.restore(repository=repository, snapshot=snapshot_name, body=body,
                                     wait_for_completion=True, request_timeout=BULK_TIMEOUT)
    shards = answer["snapshot"]["shards"]
    if shards["failed"]:
        raise BackupError(f"restoring {index} from {snapshot_name} failed on {shards['failed']} shards")


def _withhold_takedowns(client: Elasticsearch, takedowns: str, index: str) -> list[str]:
    """Delete from ``index`` the articles taken down (recorded by id in ``takedowns``); the ids it held."""
    if not client.indices.exists(index=takedowns):
        return []
    ids = [hit["_id"] for hit in helpers.scan(client, index=takedowns, query={"query": {"match_all": {}}},
                                              _source=False)]
    removed = []
    for ok, item in helpers.streaming_bulk(
            client, ({"_op_type": "delete", "_index": index, "_id": i} for i in ids),
            raise_on_error=False, refresh=True, request_timeout=BULK_TIMEOUT):
        result = item["delete"]
        if ok:
            removed.append(result["_id"])
        elif result.get("status") != 404:
            raise BackupError(f"could not leave out the taken-down article {result['_id']}: {result.get('error')}")
    return removed
