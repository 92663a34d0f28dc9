"""The one pipeline from files to index documents: read, enrich, cluster into stories.

``documents`` is what ``rebuild`` and ``add`` load and what the benchmarks measure, so all see the same
documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Article, Skip
from .enrich.document import article_id, body_hash, to_document
from .enrich.gazetteer import Gazetteer, load_gazetteer
from .enrich.stories import StoryClusterer, sketch
from .enrich.vectors import with_vectors
from .readers import ReadOptions, iter_articles

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


def identified(sources: Iterable[str | Path], root: str | None = None,
               options: ReadOptions | None = None) -> Iterator[tuple[str, Article] | Skip]:
    """Every article of ``sources`` with its id (see ``article_id``): paths are relative to ``root`` if given,
    else to the source each was found in."""
    for source in sources:
        for item in iter_articles([source], options=options):
            yield item if isinstance(item, Skip) else (article_id(item, root or str(source)), item)


def documents(sources: Iterable[str | Path], gazetteer: Gazetteer | None = None,
              stories: StoryClusterer | None = None, known: KnownTexts | None = None,
              root: str | None = None, options: ReadOptions | None = None,
              encoder: Encoder | None = None) -> Iterator[Document | Skip]:
    """Every article of ``sources`` as a ``Document``, in reading order, and a ``Skip`` for input that gave
    none. Stories are assigned in that order: the first article of a story gives its key. The same text met
    again (by body hash) is a duplicate of the first document that had it. With ``encoder``, each document to
    write carries the vector of its headline and lede."""
    found = _documents(sources, gazetteer, stories, known, root, options)
    return with_vectors(found, encoder) if encoder else found


def _documents(sources, gazetteer, stories, known, root, options) -> Iterator[Document | Skip]:
    gazetteer = gazetteer or load_gazetteer()
    stories = stories or StoryClusterer()
    seen: dict[str, str] = {}  # body hash → id of the first document with that text
    items = identified(sources, root, options)
    while batch := list(islice(items, BATCH)):
        articles = [item for item in batch if not isinstance(item, Skip)]
        hashes = {id(article): body_hash(article) for _, article in articles}
        indexed = known(list(set(hashes.values()))) if known and articles else {}
        sketches = {id(article): sketch(article.body, article.published) for _, article in articles}
        stories.prepare(list(sketches.values()))
        for item in batch:
            if isinstance(item, Skip):
                yield item
                continue
            doc_id, article = item
            text = hashes[id(article)]
            holders = indexed.get(text, set())
            first = seen.setdefault(text, doc_id)
            if first != doc_id or (holders and doc_id not in holders):
                yield Document(doc_id, {}, article, duplicate_of=first if first != doc_id else min(holders))
                continue
            found = sketches[id(article)]
            story = stories.place(doc_id, found)
            if doc_id in holders:  # indexed as it is: nothing to write
                yield Document(doc_id, {}, article, duplicate_of=doc_id)
                continue
            source = to_document(article, gazetteer, story, doc_id, starts=found if story == doc_id else None)
            yield Document(doc_id, source, article)
