"""``dateline index embed``: vectors for an index built without them (or with another model)."""

from __future__ import annotations

from collections.abc import Callable

from elasticsearch import Elasticsearch, helpers

from dateline import embedding, schema

from .enrich.vectors import BATCH, embed_sources, ensure_mapping, indexed_model, meta_of, record_model
from .rebuild import RebuildError


def embed(client: Elasticsearch, index: str, encoder: embedding.Encoder,
             on_articles: Callable[[int], None] = lambda n: None, request_timeout: int = 300) -> int:
    """Embed the articles of ``index`` that have no vector (all of them when its vectors come from another
    model), record the model in its ``_meta`` and refresh; returns how many were embedded."""
    ensure_mapping(client, index)
    previous = indexed_model(meta_of(client, index))
    query = {"match_all": {}} if previous and previous != encoder.info else \
        {"bool": {"must_not": {"exists": {"field": schema.VECTOR}}}}
    fields = [schema.HEADLINE, schema.LEDE, schema.BODY]
    done = 0
    batch: list[dict] = []

    def write() -> int:
        sources = [hit["_source"] for hit in batch]
        embed_sources(encoder, sources)
        actions = [{"_op_type": "update", "_index": index, "_id": hit["_id"],
                    "doc": {schema.VECTOR: source[schema.VECTOR]}} for hit, source in zip(batch, sources, strict=True)]
        for ok, item in helpers.streaming_bulk(client, actions, raise_on_error=False, max_retries=3,
                                               request_timeout=request_timeout):
            if not ok:
                raise RebuildError(f"Elasticsearch refused a vector: {item}")
        on_articles(len(batch))
        return len(batch)

    for hit in helpers.scan(client, index=index, query={"query": query}, _source=fields, size=BATCH,
                            scroll="30m"):
        batch.append(hit)
        if len(batch) == BATCH:
            done += write()
            batch = []
    if batch:
        done += write()
    record_model(client, index, encoder.info)
    client.indices.refresh(index=index, request_timeout=request_timeout)
    return done
