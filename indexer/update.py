"""The living archive: add, correct and take down articles in the index the alias serves, without a rebuild.

``add`` runs the same pipeline as a rebuild (``pipeline.documents``), with two differences: stories are looked
up in the index (the first article of each story carries its MinHash band keys, so one query per batch finds
the stories a batch may join, within the same days window), and texts the index already holds are noticed by
their body hash. Documents go straight into the live index and are searchable when ``add`` returns (one refresh
at the end). Each written batch is journalled, so a rebuild that runs meanwhile carries it into its new index.

``delete`` takes articles down: removed from the index, recorded as takedowns (410 Gone, left out of rebuilds).
"""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch, helpers

from dateline import schema

from . import loader, records
from .article import Skip, file_and_line
from .enrich.gazetteer import load_gazetteer
from .enrich.stories import STORY_DAYS, Sketch, StoryClusterer
from .enrich.vectors import ensure_mapping, indexed_model, meta_of
from .pipeline import BATCH, Document, documents, identified
from .readers import ReadOptions
from .rebuild import BULK_TIMEOUT, RebuildError, _operator_file, live_index, prefetched

if TYPE_CHECKING:
    from dateline.embedding import Encoder


@dataclass
class AddReport:
    alias: str
    index: str
    sources: list[str]
    parsed: int = 0
    added: list[str] = field(default_factory=list)  # new documents
    replaced: list[str] = field(default_factory=list)  # documents whose text changed (corrections)
    unchanged: int = 0  # already in the index as they are
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (id, id of the document with its text)
    withheld: list[str] = field(default_factory=list)  # taken down before; not added back
    skipped: list[Skip] = field(default_factory=list)
    fallback_decodings: list[tuple[str, str]] = field(default_factory=list)
    ids_by_path: dict[str, list[str]] = field(default_factory=dict)  # file → ids of the articles it holds
    seconds: float = 0.0


class IndexedStories(StoryClusterer):
    """Story clustering that also knows the stories already in ``index``: before each batch, one query fetches
    the first articles of stories that share a band key with the batch, within STORY_DAYS of its dates."""

    def __init__(self, client: Elasticsearch, index: str):
        super().__init__()
        self._client, self._index = client, index

    def prepare(self, sketches: list[Sketch]) -> None:
        bands = sorted({str(band) for found in sketches for band in found.bands})
        days = [found.day for found in sketches if found.day]
        if not bands:
            return
        query: dict = {"bool": {"filter": [{"terms": {schema.STORY_BANDS: bands}}]}}
        if days and len(days) == len(sketches):
            low, high = (date.fromordinal(d) for d in (min(days) - STORY_DAYS, max(days) + STORY_DAYS))
            query["bool"]["filter"].append({"range": {schema.PUBLISHED: {"gte": low.isoformat(),
                                                                         "lte": high.isoformat()}}})
        fields = [schema.STORY_SIGNATURE, schema.STORY_BANDS, schema.PUBLISHED]
        hits = helpers.scan(self._client, index=self._index, query={"query": query}, _source=fields)
        # Oldest first, as a rebuild meets them: on equal similarity the earlier story wins.
        for source, doc_id in sorted(((hit["_source"], hit["_id"]) for hit in hits),
                                     key=lambda pair: (pair[0].get(schema.PUBLISHED) or "", pair[1])):
            published = source.get(schema.PUBLISHED)
            self.remember(doc_id, Sketch(base64.b64decode(source[schema.STORY_SIGNATURE]),
                                         [int(b) for b in source[schema.STORY_BANDS]],
                                         date.fromisoformat(published[:10]).toordinal() if published else 0))


def _known_texts(client: Elasticsearch, index: str) -> Callable[[list[str]], dict[str, set[str]]]:
    def known(hashes: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        hits = helpers.scan(client, index=index, query={"query": {"terms": {schema.BODY_HASH: hashes}}},
                            _source=[schema.BODY_HASH])
        for hit in hits:
            found.setdefault(hit["_source"][schema.BODY_HASH], set()).add(hit["_id"])
        return found

    return known


def _batches(items: Iterator[Document | Skip], report: AddReport, taken_down: set[str], include_deleted: bool,
             on_article: Callable[[], None]) -> Iterator[list[Document]]:
    """The documents to write, in batches; everything else goes into the report."""
    batch: list[Document] = []
    for item in items:
        if isinstance(item, Skip):
            report.skipped.append(item)
            continue
        report.parsed += 1
        on_article()
        report.ids_by_path.setdefault(file_and_line(item.article.path)[0], []).append(item.id)
        if item.article.encoding != "utf-8":
            report.fallback_decodings.append((item.article.path, item.article.encoding))
        if item.duplicate_of == item.id:
            report.unchanged += 1
        elif item.duplicate_of:
            report.duplicates.append((item.id, item.duplicate_of))
        elif item.id in taken_down and not include_deleted:
            report.withheld.append(item.id)
        else:
            batch.append(item)
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _write(client: Elasticsearch, index: str, batch: list[Document], report: AddReport) -> None:
    """Upsert one batch: a document that existed with another text is a correction and gets a ``revised``
    time; then journal the batch."""
    existing = {hit["_id"] for hit in records.by_ids(client, index, [doc.id for doc in batch], _source=False)}
    revised = records.now()
    actions = [{"_index": index, "_id": doc.id,
                "_source": {**doc.source, schema.REVISED: revised} if doc.id in existing else doc.source}
               for doc in batch]
    refused = [item["index"] for ok, item in loader.send(client, actions, BULK_TIMEOUT) if not ok]
    if refused:
        raise RebuildError(f"Elasticsearch refused {len(refused)} documents; first: {refused[0].get('_id')}: "
                           f"{refused[0].get('error')}")
    for doc in batch:
        (report.replaced if doc.id in existing else report.added).append(doc.id)
    records.journal(client, report.alias, records.UPSERT, [doc.id for doc in batch], index)


def _served(client: Elasticsearch, alias: str) -> str:
    index = live_index(client, alias)
    if index is None:
        raise RebuildError(f"there is no alias {alias!r} to add to: run `dateline index rebuild` first")
    return index


def _check_contract(client: Elasticsearch, index: str) -> None:
    """An index of another version of the contract than this one's would take documents it cannot serve (or
    refuse them): say what to do."""
    mappings = client.indices.get_mapping(index=index)[index]["mappings"]
    # The vector field is added on demand (``ensure_mapping``).
    missing = sorted(set(schema.MAPPINGS["properties"]) - set(mappings.get("properties", {})) - {schema.VECTOR})
    version = mappings.get("_meta", {}).get(schema.CONTRACT, 1)  # version 1 recorded none
    if missing or version != schema.CONTRACT_VERSION:
        found = f"no {', '.join(missing)}" if missing else f"version {version}"
        kind = "an older" if missing or version < schema.CONTRACT_VERSION else "another"
        raise RebuildError(f"{index} was built with {kind} index contract ({found}); run `dateline index "
                           f"rebuild` once to move it to the current one (version {schema.CONTRACT_VERSION})")


def _catch_up(client: Elasticsearch, alias: str, written: str, since: str) -> None:
    """When a rebuild moved the alias while we wrote into the old index, copy our writes over (the rebuild
    replays the journal too; whichever comes last, the new index gets them)."""
    current = _served(client, alias)
    if current != written:
        records.replay(client, records.journal_since(client, alias, since), current)
        client.indices.refresh(index=current, request_timeout=BULK_TIMEOUT)


def add(client: Elasticsearch, alias: str, sources: list[str], *, root: str | None = None,
        include_deleted: bool = False, on_article: Callable[[], None] = lambda: None,
        options: ReadOptions | None = None, encoder: Encoder | None = None,
        workers: int = 1) -> AddReport:
    """Upsert every article of ``sources`` into the index ``alias`` serves; see the module docstring. Ids are
    made relative to ``root`` when given (``watch`` adds single files of its folder), else to each source.
    With ``encoder``, articles carry vectors unless the index's vectors come from another model (then
    ``dateline index embed`` brings them all to the installed one). ``workers``: processes that parse and
    enrich (see ``pipeline.documents``)."""
    started, since = time.monotonic(), records.now()
    index = _served(client, alias)
    _check_contract(client, index)
    if encoder:
        indexed = indexed_model(meta_of(client, index))
        if indexed and indexed != encoder.info:
            encoder = None
        else:
            ensure_mapping(client, index)
    report = AddReport(alias=alias, index=index, sources=[str(s) for s in sources])
    gazetteer = _operator_file(load_gazetteer)
    taken_down = records.takedowns(client, alias)
    items = documents(sources, gazetteer, IndexedStories(client, index), _known_texts(client, index), root=root,
                      options=options, encoder=encoder, workers=workers)
    with contextlib.closing(prefetched(_batches(items, report, taken_down, include_deleted, on_article),
                                       depth=2)) as ready:
        for batch in ready:
            _write(client, index, batch, report)
    if include_deleted and report.added + report.replaced:
        records.restore(client, alias, set(report.added + report.replaced) & taken_down)
    client.indices.refresh(index=index, request_timeout=BULK_TIMEOUT)
    _catch_up(client, alias, index, since)
    report.seconds = time.monotonic() - started
    return report


def ids_of(sources: Iterable[str | Path], root: str | None = None) -> list[str]:
    """The ids the articles of ``sources`` get (what ``delete --source`` takes down)."""
    return list(dict.fromkeys(item[0] for item in identified(sources, root) if not isinstance(item, Skip)))


def remove(client: Elasticsearch, alias: str, ids: list[str], *, takedown: bool) -> dict[str, bool]:
    """Delete ``ids`` from the index the alias serves; ``takedown`` also records them as taken down. Returns
    each id and whether the index held it. Searchable at once (refreshed)."""
    since = records.now()
    index = _served(client, alias)
    if takedown:  # recorded first: should the deletion fail half-way, rerunning it completes it
        records.take_down(client, alias, ids)
    found: dict[str, bool] = {}
    for ok, item in helpers.streaming_bulk(client, ({"_op_type": "delete", "_index": index, "_id": i} for i in ids),
                                           raise_on_error=False, request_timeout=BULK_TIMEOUT):
        result = item["delete"]
        found[result["_id"]] = ok and result.get("result") == "deleted"
    records.journal(client, alias, records.DELETE, ids, index)
    client.indices.refresh(index=index, request_timeout=BULK_TIMEOUT)
    _catch_up(client, alias, index, since)
    return found
