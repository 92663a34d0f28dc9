"""Zero-downtime rebuilds: load a new versioned index, verify it, then move the alias in one atomic call.

Each rebuild creates ``<alias>-<UTC timestamp>``, loads it with bulk settings (no replicas, no refresh),
restores serving settings, checks that the index holds exactly the articles that were parsed, records what it
was built from in the mapping's ``_meta``, and only then moves the alias. Any failure before the move deletes
the new index and leaves the alias untouched. A rebuild killed outright leaves an index without the
``complete`` mark; the next rebuild deletes it. The alias keeps ``keep`` older complete versions for rollback.

The shrink guard stands before the move: a new index with no articles never replaces a non-empty one, and one
with fewer than ``min_ratio`` of the live index's articles only when the operator allows the shrink. A refused
index is kept aside, complete but not served and marked ``refused`` in its ``_meta``, for the operator to
inspect, until the next rebuild deletes it. An export that was cut short is refused before that, unless allowed.
Taken-down articles stay out, corrected ones keep their ``revised`` time, and what ``add`` and ``delete`` wrote
meanwhile is replayed (``records``).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc

from dateline import schema
from dateline.client import describe_failure

from . import loader, records
from .article import IncompleteExport, Skip
from .enrich.gazetteer import Gazetteer, GazetteerError, load_gazetteer
from .loader import BULK_CHUNK
from .pipeline import Document, documents
from .readers import ReadOptions
from .strings import StringMap

if TYPE_CHECKING:
    from dateline.embedding import Encoder

# A bulk request or the final refresh can take far longer than a search on a loaded node.
BULK_TIMEOUT = 300
MIN_RATIO = 0.9  # of the live index's articles, below which a rebuild is refused unless allowed
TOP_REASONS = 5  # skip reasons a refusal names

log = logging.getLogger(__name__)


class RebuildError(Exception):
    """A rebuild failed; the alias still serves what it served before."""


class ShrinkRefused(RebuildError):
    """The new index would have shrunk the archive; it is kept aside and the alias serves what it served."""


@dataclass
class RebuildReport:
    alias: str
    index: str
    sources: list[str]
    parsed: int = 0  # articles parsed (a duplicate counts once per time it was met)
    indexed: int = 0  # distinct documents in the new index
    live_count: int | None = None  # articles the alias served when the new index was checked
    undated: int = 0  # of those, documents without a date (published_rule "none")
    skipped: list[Skip] = field(default_factory=list)
    fallback_decodings: list[tuple[str, str]] = field(default_factory=list)  # (path, guessed encoding)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what to check): indexed all the same
    warnings: list[str] = field(default_factory=list)  # problems after the alias moved (it serves the new index)
    previous: str | None = None  # the index the alias served before
    deleted: list[str] = field(default_factory=list)  # old versions and orphans removed
    withheld: list[str] = field(default_factory=list)  # taken-down ids left out (or brought back)
    replayed: int = 0  # documents an add or delete changed while this rebuild ran, carried into it
    embedding: dict | None = None  # the model that made the vectors (``ModelInfo.to_meta``), if any
    seconds: float = 0.0


@dataclass(frozen=True)
class Version:
    """One versioned index of an alias, as recorded in its ``_meta``."""

    index: str
    live: bool
    complete: bool
    meta: dict


def versions(client: Elasticsearch, alias: str) -> list[Version]:
    """All ``<alias>-<stamp>`` indices, oldest first."""
    found = client.indices.get(index=f"{alias}-*", expand_wildcards="all", ignore_unavailable=True)
    result = []
    for name in sorted(n for n in found if schema.is_version(alias, n)):
        meta = found[name].get("mappings", {}).get("_meta", {})
        live = alias in found[name].get("aliases", {})
        result.append(Version(name, live, bool(meta.get("complete")), meta))
    return result


def live_index(client: Elasticsearch, alias: str) -> str | None:
    """The index the alias points at, or None when there is no such alias yet."""
    if not client.indices.exists_alias(name=alias):
        return None
    names = sorted(client.indices.get_alias(name=alias))
    if len(names) != 1:
        raise RebuildError(f"alias {alias!r} points at {len(names)} indices ({', '.join(names)}); expected one")
    return names[0]


def new_index_name(alias: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{alias}-{now:%Y%m%d%H%M%S%f}"


def _actions(items: Iterable[Document | Skip], report: RebuildReport, strict: bool,
             allow_incomplete_export: bool, on_article: Callable[[], None], taken_down: set[str],
             include_deleted: bool, revised: dict[str, str]) -> Iterator[dict]:
    for item in items:
        if isinstance(item, Skip):
            if strict:
                raise RebuildError(f"--strict: {describe_skip(item)}")
            if isinstance(item, IncompleteExport) and not allow_incomplete_export:
                raise RebuildError(f"{describe_skip(item)}; export again, or pass --allow-incomplete-export to "
                                   f"index the articles it holds")
            report.skipped.append(item)
            continue
        report.parsed += 1
        if item.article.encoding != "utf-8":
            report.fallback_decodings.append((item.article.path, item.article.encoding))
        report.notes += [(item.article.path, note) for note in item.article.notes]
        on_article()
        if item.duplicate_of:
            continue
        if item.id in taken_down:
            report.withheld.append(item.id)
            if not include_deleted:
                continue
        source = {**item.source, schema.REVISED: revised[item.id]} if item.id in revised else item.source
        yield {"_op_type": "index", "_index": report.index, "_id": item.id, "_source": source}


def _where(skip: Skip) -> str:
    return f"{skip.path}:{skip.line}" if skip.line else skip.path


def describe_skip(skip: Skip) -> str:
    return f"{_where(skip)}: {skip.reason}"


def top_reasons(skipped: list[Skip], limit: int = TOP_REASONS) -> list[str]:
    """The most frequent skip reasons, each with its count and where it was first met."""
    first: dict[str, Skip] = {}
    for skip in skipped:
        first.setdefault(skip.reason, skip)
    return [f"{n} × {reason} (first: {_where(first[reason])})"
            for reason, n in Counter(skip.reason for skip in skipped).most_common(limit)]


def shrink_refusal(new: int, live: int | None, min_ratio: float, allow_shrink: bool) -> str | None:
    """Why a new index of ``new`` articles must not replace a live one of ``live``, or None when it may."""
    if not live:
        return None
    if new == 0:
        return "a new index with no articles never replaces a non-empty one"
    if not allow_shrink and new < min_ratio * live:
        return f"that is {new / live:.0%} of the live articles, below --min-ratio {min_ratio:g}"
    return None


def rebuild(
    client: Elasticsearch,
    alias: str,
    sources: list[str],
    *,
    keep: int = 2,
    synonyms: Path | str = schema.DEFAULT_SYNONYMS,
    strict: bool = False,
    min_ratio: float = MIN_RATIO,
    allow_shrink: bool = False,
    allow_incomplete_export: bool = False,
    include_deleted: bool = False,
    on_article: Callable[[], None] = lambda: None,
    options: ReadOptions | None = None,
    encoder: Encoder | None = None,
    workers: int = 1,
) -> RebuildReport:
    """Build a new index from ``sources`` and move ``alias`` to it; see the module docstring. Raises
    ``ShrinkRefused`` when the shrink guard keeps the new index aside. Taken-down articles are left out unless
    ``include_deleted`` (which lifts their takedowns); writes of ``add`` and ``delete`` made meanwhile are
    replayed into the new index. With ``encoder``, each article carries the vector of its headline and lede
    and the index's ``_meta`` names the model. ``workers``: processes that parse and enrich (see
    ``pipeline.documents``)."""
    started = time.monotonic()
    since = records.now()
    rules = _operator_file(schema.read_synonyms, synonyms)
    report = RebuildReport(alias=alias, index=new_index_name(alias), sources=[str(s) for s in sources],
                           previous=live_index(client, alias),
                           embedding=encoder.info.to_meta() if encoder else None)
    report.deleted += _delete_orphans(client, alias, report.previous)
    gazetteer = _operator_file(load_gazetteer)

    body = schema.index_body(rules)
    log.info("building %s from %s", report.index, ", ".join(report.sources),
             extra={"index": report.index, "sources": report.sources})
    client.indices.create(index=report.index, settings=body["settings"], mappings=body["mappings"],
                          request_timeout=BULK_TIMEOUT)
    try:
        created = _uuid(client, report.index)
        _load(client, report, created, gazetteer, strict, allow_incomplete_export, on_article, options,
              records.takedowns(client, alias), include_deleted, records.revised_times(client, report.previous),
              encoder, workers)
        report.indexed += records.replay(client, records.journal_since(client, alias, since), report.index)
        _verify(client, report, created)
        if report.previous:
            report.live_count = client.count(index=report.previous)["count"]
        refusal = shrink_refusal(report.indexed, report.live_count, min_ratio, allow_shrink)
        _mark(client, report, refusal)
        if refusal:
            raise ShrinkRefused(_refusal_message(report, refusal))
        move_alias(client, alias, report.previous, report.index)
        # Writes into the old index between the replay and the move.
        entries = records.journal_since(client, alias, since)
        report.replayed = len({i for entry in entries for i in entry["ids"]})
        records.replay(client, entries, report.index)
        log.info("alias %r now serves %s (%d documents)", alias, report.index, report.indexed,
                 extra={"alias": alias, "index": report.index, "documents": report.indexed})
    except ShrinkRefused:  # the index stays, aside, for the operator to inspect
        raise
    except BaseException as exc:  # Ctrl-C and lost connections included: never leave a half-built index
        _delete_unless_live(client, alias, report.index)
        if isinstance(exc, KeyboardInterrupt):
            raise RebuildError("interrupted; the new index was deleted and the alias left as it was") from exc
        raise
    try:
        if include_deleted and report.withheld:
            records.restore(client, alias, report.withheld)
        records.prune_journal(client, alias)
        report.deleted += _prune(client, alias, keep)
    except es_exc.ElasticsearchException as exc:  # the new index serves: a failed clean-up is only a warning
        report.warnings.append(f"old versions were not pruned: {describe_failure(exc)}")
    report.seconds = time.monotonic() - started
    return report


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetched(items: Iterator, depth: int) -> Iterator:
    """The items of ``items``, produced by a background thread up to ``depth`` ahead of the consumer.

    Parsing and enriching the next chunk then overlaps with Elasticsearch indexing the current one, instead of
    adding to it. An exception in the producer is raised in the consumer; a consumer that stops early (an error,
    Ctrl-C) stops the producer.
    """
    pending: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                pending.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(end)
        except BaseException as exc:  # handed to the consumer, which decides
            put(_Failed(exc))
        finally:
            close = getattr(items, "close", None)
            if close:  # a generator: let it close the file it is reading
                close()

    producer = threading.Thread(target=produce, name="rebuild-producer", daemon=True)
    producer.start()
    try:
        while (item := pending.get()) is not end:
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        producer.join(timeout=5)


def _refusal_message(report: RebuildReport, refusal: str) -> str:
    lines = [
        f"refused: the new index {report.index} holds {report.indexed} articles, the live one "
        f"{report.previous} {report.live_count}; {refusal}.",
        f"The alias {report.alias!r} still serves {report.previous}. The new index is kept aside, not served, "
        f"until the next rebuild.",
    ]
    reasons = top_reasons(report.skipped)
    if reasons:
        lines += [f"Skipped {len(report.skipped)}; top reasons:", *(f"  {reason}" for reason in reasons)]
    else:
        lines.append(f"Nothing was skipped: {', '.join(report.sources)} held {report.parsed} articles.")
    if report.indexed:
        lines.append("If the archive is meant to shrink, rebuild with --allow-shrink (or a lower --min-ratio).")
    return "\n".join(lines)


def _load(client: Elasticsearch, report: RebuildReport, created: str, gazetteer: Gazetteer, strict: bool,
          allow_incomplete_export: bool, on_article: Callable[[], None], options: ReadOptions | None,
          taken_down: set[str], include_deleted: bool, revised: dict[str, str],
          encoder: Encoder | None = None, workers: int = 1) -> None:
    """Bulk-load the documents. ``report.indexed`` counts the distinct ids Elasticsearch acknowledged, not its
    "created" answers: a bulk request whose answer was lost (a timeout, a dropped connection) is sent again by
    the client, and the second answer says "updated" for what the first one created."""
    refused = []
    acknowledged = StringMap()  # the ids, kept compact: a rebuild holds every one until it ends
    actions = _actions(documents(report.sources, gazetteer, options=options, encoder=encoder,
                                 workers=workers), report, strict,
                       allow_incomplete_export, on_article, taken_down, include_deleted, revised)
    # Closed on any failure too, so the producer thread stops reading the sources.
    with contextlib.closing(prefetched(actions, depth=BULK_CHUNK)) as ready:
        for ok, item in loader.load(client, ready, BULK_TIMEOUT):
            result = item["index"]
            if ok:
                acknowledged.setdefault(result["_id"])
            else:
                refused.append(result)
    report.indexed = len(acknowledged)
    if refused:
        _check_still_ours(client, report, created)  # documents refused by an index made again are no news
        first = refused[0]
        raise RebuildError(
            f"Elasticsearch refused {len(refused)} documents; first: {first.get('_id')}: {first.get('error')}"
        )


def _uuid(client: Elasticsearch, index: str) -> str:
    return client.indices.get_settings(index=index, name="index.uuid")[index]["settings"]["index"]["uuid"]


def _check_still_ours(client: Elasticsearch, report: RebuildReport, created: str) -> None:
    """Deleted while loading (by another rebuild of the alias taking it for a leftover, or by hand), the index
    is created again by the next bulk request with Elasticsearch's default mappings, not the contract; or it is
    gone."""
    try:
        current = _uuid(client, report.index)
    except es_exc.NotFoundError:
        current = None
    if current != created:
        raise RebuildError(f"{report.index} was deleted while it was being loaded (is another rebuild of "
                           f"{report.alias!r} running?)")


def _verify(client: Elasticsearch, report: RebuildReport, created: str) -> None:
    """Check that the index is still the one created from the contract, restore serving settings, and check
    the count."""
    _check_still_ours(client, report, created)
    client.indices.put_settings(index=report.index, body=schema.SERVING_SETTINGS, request_timeout=BULK_TIMEOUT)
    client.indices.refresh(index=report.index, request_timeout=BULK_TIMEOUT)
    count = client.count(index=report.index)["count"]
    if count != report.indexed:
        raise RebuildError(f"the new index holds {count} documents but {report.indexed} were sent")
    report.undated = client.count(index=report.index, q=f"NOT _exists_:{schema.PUBLISHED}")["count"]
    client.cluster.health(index=report.index, wait_for_status="yellow", timeout="60s", request_timeout=90)


def _mark(client: Elasticsearch, report: RebuildReport, refusal: str | None) -> None:
    """Mark the index complete, with what it was built from, and why the shrink guard refused it if it did."""
    meta = {
        **schema.MAPPINGS["_meta"],
        "complete": True,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": report.sources,
        "articles": report.indexed,
        "undated": report.undated,
        "skipped": len(report.skipped),
        **({"refused": refusal} if refusal else {}),
        **({schema.EMBEDDING_META: report.embedding} if report.embedding else {}),
    }
    client.indices.put_mapping(index=report.index, body={"_meta": meta})


def move_alias(client: Elasticsearch, alias: str, previous: str | None, index: str) -> None:
    """One atomic ``_aliases`` call: readers see the old index or the new one, never neither."""
    actions = [{"add": {"index": index, "alias": alias}}]
    if previous:
        actions.insert(0, {"remove": {"index": previous, "alias": alias}})
    elif client.indices.exists(index=alias):
        raise RebuildError(f"{alias!r} is an index, not an alias; rename it or choose another DATELINE_ALIAS")
    client.indices.update_aliases(body={"actions": actions}, request_timeout=BULK_TIMEOUT)


def _operator_file(read, *args):
    """Read a file an operator edits (gazetteer, synonyms); a mistake in it fails the rebuild with its reason."""
    try:
        return read(*args)
    except (OSError, UnicodeDecodeError, GazetteerError) as exc:
        raise RebuildError(str(exc)) from exc


def _delete_unless_live(client: Elasticsearch, alias: str, index: str) -> None:
    """Delete a failed rebuild's index, unless the alias move went through after all (a timeout or Ctrl-C
    while Elasticsearch applied it): then it serves, and deleting it would leave the alias on nothing."""
    try:
        if live_index(client, alias) != index:
            client.indices.delete(index=index, ignore_unavailable=True)
    except Exception:  # the node may be what failed; the next rebuild removes the orphan
        pass


def _delete_orphans(client: Elasticsearch, alias: str, previous: str | None) -> list[str]:
    """Remove what killed rebuilds left: incomplete versions, and complete ones newer than the live index (all
    of them while there is no alias yet: a first rebuild killed before its swap left a version nobody searched).
    An alias serving an index of another name (made by hand) keeps every complete version for rollback."""
    found = versions(client, alias)
    live = [v.index for v in found if v.live]
    orphans = [v.index for v in found
               if not v.live and (not v.complete or previous is None or (live and v.index > live[0]))]
    if orphans:
        client.indices.delete(index=",".join(orphans), ignore_unavailable=True)
    return orphans


def _prune(client: Elasticsearch, alias: str, keep: int) -> list[str]:
    """Delete complete versions older than the ``keep`` newest ones behind the live index."""
    older = [v.index for v in versions(client, alias) if not v.live and v.complete]
    doomed = older[: max(len(older) - keep, 0)]
    if doomed:
        client.indices.delete(index=",".join(doomed), ignore_unavailable=True)
    return doomed


def rollback(client: Elasticsearch, alias: str) -> tuple[str, str]:
    """Point the alias at the newest complete version older than the live one; returns (from, to)."""
    current = live_index(client, alias)
    if current is None:
        raise RebuildError(f"there is no alias {alias!r} to roll back")
    older = [v.index for v in versions(client, alias) if v.complete and v.index < current]
    if not older:
        raise RebuildError(f"no older version of {alias!r} is kept; nothing to roll back to")
    move_alias(client, alias, current, older[-1])
    return current, older[-1]


def status(client: Elasticsearch, alias: str) -> dict:
    """What the alias serves: index, documents, size, health, when and from what it was built, kept versions."""
    current = live_index(client, alias)
    kept = versions(client, alias)
    result: dict = {"alias": alias, "index": current, "versions": [
        {"index": v.index, "live": v.live, "complete": v.complete, "built_at": v.meta.get("built_at"),
         "articles": v.meta.get("articles"), "refused": v.meta.get("refused")} for v in kept
    ]}
    if current is None:
        return result
    stats = client.indices.stats(index=current, metric="docs,store")["indices"][current]["primaries"]
    health = client.cluster.health(index=current)["status"]
    meta = next((v.meta for v in kept if v.index == current), {})
    result.update(
        documents=stats["docs"]["count"],
        size_bytes=stats["store"]["size_in_bytes"],
        health=health,
        built_at=meta.get("built_at"),
        sources=meta.get("sources", []),
        skipped=meta.get("skipped"),
    )
    return result
