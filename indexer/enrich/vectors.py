"""Sentence vectors of index documents (the ``semantic`` extra, ``dateline.embedding``): made beside parsing in
rebuilds and ``add``, and backfilled into an index built without them (``dateline index embed``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from elasticsearch import Elasticsearch

from dateline import embedding, schema

BATCH = 64  # documents embedded together (the encoder runs them in its own smaller batches)


def encoder_for(enabled: bool) -> embedding.Encoder | None:
    """The encoder rebuilds and ``add`` use: none when turned off (``DATELINE_EMBED=0``) or not installed."""
    return embedding.shared_encoder() if enabled and embedding.available() else None


def embed_sources(encoder: embedding.Encoder, sources: list[dict]) -> None:
    """Set the vector of each document source (in place) from its headline and lede."""
    texts = [embedding.article_text(s.get(schema.HEADLINE), s.get(schema.LEDE), s.get(schema.BODY))
             for s in sources]
    for source, vector in zip(sources, encoder.encode(texts), strict=True):
        source[schema.VECTOR] = embedding.to_field(vector)


def with_vectors(items: Iterable, encoder: embedding.Encoder) -> Iterator:
    """``items`` (documents and skips, see ``pipeline.documents``) in the same order, each document to write
    carrying its vector; embedded ``BATCH`` at a time."""
    pending: list = []
    for item in items:
        pending.append(item)
        if len(pending) == BATCH:
            yield from _embedded(pending, encoder)
            pending = []
    yield from _embedded(pending, encoder)


def _embedded(items: list, encoder: embedding.Encoder) -> list:
    embed_sources(encoder, [item.source for item in items if getattr(item, "source", None)])
    return items


def meta_of(client: Elasticsearch, index: str) -> dict:
    """The ``_meta`` of an index's mapping."""
    return client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})


def indexed_model(meta: dict) -> embedding.ModelInfo | None:
    """The model an index's vectors were made with, from its ``_meta``; ``None`` when it has no vectors."""
    found = meta.get(schema.EMBEDDING_META)
    return embedding.ModelInfo.from_meta(found) if found else None


def record_model(client: Elasticsearch, index: str, info: embedding.ModelInfo) -> None:
    """Record in the index's ``_meta`` that its vectors are made with ``info`` (the rest of ``_meta`` kept)."""
    meta = {**meta_of(client, index), schema.EMBEDDING_META: info.to_meta()}
    client.indices.put_mapping(index=index, body={"_meta": meta})


def ensure_mapping(client: Elasticsearch, index: str) -> None:
    """Add the vector field to an index built before it was part of the contract."""
    client.indices.put_mapping(index=index, body={"properties": {schema.VECTOR: schema.field_mapping(schema.VECTOR)}})
