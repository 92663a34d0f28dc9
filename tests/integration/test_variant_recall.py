"""Spelling-variant recall: every other spelling, alphabet or name of the seeds' places, names and terms finds
the seeds that mention them, through the query the search box sends.

The queries and the seeds each must find are in ``tests/relevance/variant_queries.tsv``: Azerbaijani Latin,
Russian-style transliteration, Cyrillic, alternative names, curly and straight quotes, possessives.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dateline import schema
from dateline.indexer.rebuild import rebuild
from dateline.service.query import full_text_query

VARIANTS = Path(__file__).resolve().parent.parent / "relevance" / "variant_queries.tsv"


def variant_queries() -> list[tuple[str, set[str], str]]:
    """(query, seed file names it must find, what it exercises) for each row of the test set."""
    with VARIANTS.open(encoding="utf-8", newline="") as stream:
        lines = (line for line in stream if not line.startswith("#"))
        rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["query"], set(row["must_find"].split(",")), row["variant"]) for row in rows]


def test_the_variant_set_names_only_existing_seeds_and_covers_each(seeds_dir):
    queries = variant_queries()
    seeds = {path.name for path in Path(seeds_dir).glob("*.txt")}
    named = set().union(*(expected for _, expected, _ in queries))
    assert len(queries) >= 50
    assert named == seeds
    assert len({q for q, _, _ in queries}) == len(queries), "a query is listed twice"


@pytest.fixture
def seeded(es, index_names, seeds_dir) -> str:
    rebuild(es, index_names, [str(seeds_dir)])
    return index_names


def test_every_spelling_variant_finds_every_seed_it_names(es, seeded):
    misses = []
    for query, expected, variant in variant_queries():
        result = es.search(index=seeded, query=full_text_query(query), size=10, _source=[schema.PATH])
        found = {Path(hit["_source"][schema.PATH]).name for hit in result["hits"]["hits"]}
        if not expected <= found:
            misses.append(f"{query!r} ({variant}) missed {', '.join(sorted(expected - found))}")
    assert not misses, "\n".join(misses)
