"""Export: every article a search matches, as JSON Lines in the shape the indexer reads.

``dateline index rebuild --source export.jsonl`` indexes an export unchanged, so the articles of a search can
be moved to another archive. Each line holds what the indexer takes as given (id, headline, published with
its time when known, source, url, byline, language, topics, dateline, entities) and the body, from which it
derives the rest (lede, story) again. Every version of a story is exported: an export is articles, not
results pages.

Memory stays flat however many articles match. They come in batches of ``BATCH`` in id order (``search_after``
on the id), and each batch is written out before the next is fetched. Batches after the first search the index
that served the first, which never changes (see ``dateline.service.cursor``), so an export is consistent even while a
rebuild moves the alias.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from elasticsearch import Elasticsearch

from dateline import schema

from .params import SearchParams
from .query import match_query
from .stored import StoredArticle

BATCH = 1000
MEDIA_TYPE = "application/x-ndjson"
_FIELDS = [schema.ID, schema.HEADLINE, schema.PUBLISHED, schema.PUBLISHED_AT, schema.SOURCE, schema.URL,
           schema.BYLINE, schema.LANGUAGE, schema.TOPICS, schema.CITY, schema.COUNTRY, schema.ORGANIZATIONS,
           schema.PLACES, schema.PEOPLE, schema.BODY]


def export_record(source: dict) -> dict:
    """An indexed article as a record of the indexer's JSON Lines input."""
    article = StoredArticle.from_source(source)
    return {
        "id": article.id,
        "headline": article.headline,
        "published": article.published_at or article.published,  # with its time, when the source gave one
        "source": article.source,
        "url": article.url,
        "byline": article.byline,
        "language": article.language,
        "topics": article.topics,
        "dateline": article.dateline,
        "entities": article.entities,
        "body": article.body,
    }


def export_lines(client: Elasticsearch, alias: str, params: SearchParams) -> Iterator[str]:
    """The JSON Lines of every article ``params`` matches, a batch of lines at a time.

    The first batch is fetched when the iterator is first advanced, so a caller that does so before it starts
    its response can still answer a failure properly.
    """
    request: dict = {
        "query": match_query(params),
        "sort": [{schema.ID: "asc"}],
        "size": BATCH,
        "_source": _FIELDS,
        "track_total_hits": False,
    }
    index = alias
    while True:
        answer = client.search(index=index, filter_path="hits.hits._index,hits.hits._source,hits.hits.sort",
                               **request)
        hits = answer.get("hits", {}).get("hits", [])
        if not hits:
            return
        yield "".join(json.dumps(export_record(hit["_source"]), ensure_ascii=False) + "\n" for hit in hits)
        if len(hits) < BATCH:
            return
        index = hits[-1]["_index"]
        request["search_after"] = hits[-1]["sort"]
