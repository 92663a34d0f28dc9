"""The one pipeline from files to index documents: read, enrich, cluster into stories.

``documents`` is what ``rebuild`` and ``add`` load and what the benchmarks measure, so all see the same
documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from dateline import schema

from .article import Article, Skip, Unparsed
from .enrich.document import article_id, story_fields, to_document
from .enrich.gazetteer import Gazetteer, load_gazetteer
from .enrich.stories import Sketch, StoryClusterer, sketch
from .readers import ReadOptions, iter_articles
from .strings import StringMap
from .workers import Workers

if TYPE_CHECKING:
    from dateline.embedding import Encoder

BATCH = 500  # articles read ahead of story assignment, so an index-backed lookup is one request per batch


@dataclass(frozen=True)
class Document:
    """An article ready for the index: its id, its document and the article it was made from.

    ``duplicate_of`` names the document that already holds the same text (met earlier in this run, or in the
    index): then there is nothing to write. It is the document's own id when the index holds it unchanged.
    """

    id: str
    source: dict
    article: Article
    duplicate_of: str | None = None


# hashes → {hash: ids already in the index with that text}; ``add`` passes one, rebuilds start from nothing.
KnownTexts = Callable[[list[str]], dict[str, set[str]]]


def identified(sources: Iterable[str | Path], root: str | None = None, options: ReadOptions | None = None,
               unparsed: bool = False) -> Iterator[tuple[str, Article] | Unparsed | Skip]:
    """Every article of ``sources`` with its id (see ``article_id``): paths are relative to ``root`` if given,
    else to the source each was found in. With ``unparsed``, an article left to parse later comes as it is, with
    that root (its id is known once it is parsed: ``with_id``)."""
    for source in sources:
        base = root or str(source)
        for item in iter_articles([source], options=options, unparsed=unparsed):
            if isinstance(item, Unparsed):
                yield replace(item, root=base)
            else:
                yield item if isinstance(item, Skip) else (article_id(item, base), item)


def with_id(item: tuple[str, Article] | Unparsed) -> tuple[str, Article] | Skip:
    """An item of ``identified`` as (id, article): parsed if it was not yet, or the ``Skip`` it turned out to be."""
    if not isinstance(item, Unparsed):
        return item
    article = item()
    return article if isinstance(article, Skip) else (article_id(article, item.root), article)


@dataclass(frozen=True)
class Enriched:
    """What the per-article stage makes of one article: everything that needs no other article."""

    id: str
    article: Article
    sketch: Sketch
    source: dict  # the index document, its story fields not yet set

    @property
    def text(self) -> str:
        return self.source[schema.BODY_HASH]


def enrich(item: tuple[str, Article] | Unparsed, gazetteer: Gazetteer) -> Enriched | Skip:
    """The per-article stage: the document and the story sketch of one article (parsed first if it was not
    yet), or the ``Skip`` it turned out to be. It runs in the worker processes, so it must stay a pure function
    of its arguments with a picklable result; the story key, which depends on the articles before it, is set
    afterwards, in input order, by ``documents``."""
    found = with_id(item)
    if isinstance(found, Skip):
        return found
    doc_id, article = found
    return Enriched(doc_id, article, sketch(article.body, article.published),
                    to_document(article, gazetteer, "", doc_id))


def documents(sources: Iterable[str | Path], gazetteer: Gazetteer | None = None,
              stories: StoryClusterer | None = None, known: KnownTexts | None = None,
              root: str | None = None, options: ReadOptions | None = None,
              encoder: Encoder | None = None, workers: int = 1) -> Iterator[Document | Skip]:
    """Every article of ``sources`` as a ``Document``, in reading order, and a ``Skip`` for input that gave
    none. Stories are assigned in that order: the first article of a story gives its key. The same text met
    again (by body hash) is a duplicate of the first document that had it. With ``encoder``, each document to
    write carries the vector of its headline and lede. ``workers`` > 1 runs ``enrich`` in that many processes;
    the documents are the same as with one."""
    found = _documents(sources, gazetteer, stories, known, root, options, workers)
    if encoder is None:
        return found
    from .enrich.vectors import with_vectors  # with numpy: imported only by rebuilds that embed

    return with_vectors(found, encoder)


def _documents(sources, gazetteer, stories, known, root, options, workers) -> Iterator[Document | Skip]:
    gazetteer = gazetteer or load_gazetteer()
    stories = stories or StoryClusterer()
    seen = StringMap()  # body hash → id of the first document with that text
    items = identified(sources, root, options, unparsed=True)
    with Workers(enrich, gazetteer, workers) as pool:
        for batch, results in pool.batches(iter(lambda: list(islice(items, BATCH)), [])):
            enriched = [found for found in results if not isinstance(found, Skip)]
            indexed = known(list({found.text for found in enriched})) if known and enriched else {}
            stories.prepare([found.sketch for found in enriched])
            done = iter(results)
            for item in batch:
                found = item if isinstance(item, Skip) else next(done)
                yield found if isinstance(found, Skip) else _placed(found, stories, seen, indexed)


def _placed(found: Enriched, stories: StoryClusterer, seen: StringMap,
            indexed: dict[str, set[str]]) -> Document:
    """The document of an enriched article, with its story key, or a duplicate of the one holding its text."""
    doc_id, article = found.id, found.article
    holders = indexed.get(found.text, set())
    first = seen.setdefault(found.text, doc_id)
    if first != doc_id or (holders and doc_id not in holders):
        return Document(doc_id, {}, article, duplicate_of=first if first != doc_id else min(holders))
    story = stories.place(doc_id, found.sketch)
    if doc_id in holders:  # indexed as it is: nothing to write
        return Document(doc_id, {}, article, duplicate_of=doc_id)
    found.source.update(story_fields(story, found.sketch if story == doc_id else None))
    return Document(doc_id, found.source, article)
