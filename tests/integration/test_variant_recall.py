"""Spelling-variant recall: other spellings, alphabets and names of the seeds' places, names and terms find
the seeds that mention them, through the query the search box sends.

Two lists (``tests/relevance/``): ``variant_queries.tsv`` is the tuning list (Azerbaijani Latin, Russian-style
transliteration, Cyrillic, alternative names, quotes, possessives, and spellings synonyms.txt does not list),
every row of which must pass; ``variant_queries_heldout.tsv`` was written before the name skeletons from other
romanization systems and alphabets and was never tuned on: at least 95 % of it must pass.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench.names import VARIANT_LISTS, read_variants, variant_misses
from dateline.indexer.rebuild import rebuild

HELD_OUT_RECALL = 0.95


@pytest.mark.parametrize("name", VARIANT_LISTS)
def test_a_variant_list_names_only_existing_seeds_and_covers_each(seeds_dir, name):
    queries = read_variants(VARIANT_LISTS[name])
    seeds = {path.name for path in Path(seeds_dir).glob("*.txt")}
    named = set().union(*(expected for _, expected, _ in queries))
    assert len(queries) >= 30
    assert named == seeds
    assert len({q for q, _, _ in queries}) == len(queries), "a query is listed twice"


def test_the_held_out_list_shares_no_query_with_the_tuning_list():
    tuning = {q.casefold() for q, _, _ in read_variants(VARIANT_LISTS["tuning"])}
    assert not tuning & {q.casefold() for q, _, _ in read_variants(VARIANT_LISTS["held-out"])}


@pytest.fixture(scope="module")
def seeded(es, seeds_dir) -> str:
    alias = f"test-{uuid.uuid4().hex[:10]}"
    report = rebuild(es, alias, [str(seeds_dir)], keep=0)
    yield alias
    es.indices.delete(index=report.index)


def test_every_tuning_variant_finds_every_seed_it_names(es, seeded):
    misses = variant_misses(es, seeded, read_variants(VARIANT_LISTS["tuning"]))
    assert not misses, "\n".join(misses)


def test_held_out_variants_find_their_seeds(es, seeded):
    variants = read_variants(VARIANT_LISTS["held-out"])
    misses = variant_misses(es, seeded, variants)
    assert len(misses) <= (1 - HELD_OUT_RECALL) * len(variants), "\n".join(misses)
