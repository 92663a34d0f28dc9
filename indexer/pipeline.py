"""The one pipeline from files to index documents: read, enrich, cluster into stories.

``documents`` is what ``rebuild`` loads and what the benchmarks measure, so both see the same documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .article import Article, Skip
from .enrich.document import article_id, to_document
from .enrich.gazetteer import Gazetteer, load_gazetteer
from .enrich.stories import StoryClusterer
from .readers import ReadOptions, iter_articles


@dataclass(frozen=True)
class Document:
    """An article ready for the index: its id, its document and the article it was made from."""

    id: str
    source: dict
    article: Article


def documents(sources: Iterable[str | Path], gazetteer: Gazetteer | None = None,
              options: ReadOptions | None = None) -> Iterator[Document | Skip]:
    """Every article of ``sources`` as a ``Document``, in reading order, and a ``Skip`` for input that gave
    none. Stories are assigned in that order: the first article of a story gives its key."""
    gazetteer = gazetteer or load_gazetteer()
    stories = StoryClusterer()
    for item in iter_articles(sources, options=options):
        if isinstance(item, Skip):
            yield item
            continue
        doc_id = article_id(item)
        yield Document(doc_id, to_document(item, gazetteer, stories.assign(doc_id, item.body, item.published)),
                       item)
