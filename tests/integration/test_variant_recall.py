"""Spelling-variant recall: other spellings, alphabets and names of the seeds' places, names and terms find
the seeds that mention them, through the query the search box sends.

Two lists (``tests/relevance/``): ``variant_queries.tsv`` is the tuning list (Azerbaijani Latin, Russian-style
transliteration, Cyrillic, alternative names, quotes, possessives, and spellings synonyms.txt does not list),
every row of which must pass; ``variant_queries_heldout.tsv`` was written before the name skeletons from other
romanization systems and alphabets and was never tuned on: at least 95 % of it must pass.

Place spellings from geographic data (``core/analysis/place_spellings.txt``): ``place_spellings_heldout.tsv``
asks for cities and countries the operator's file does not list, in other scripts and languages, over one
article per place; at least 90 % must find their article first.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench.names import PLACE_RECALL, VARIANT_LISTS, place_recall, read_variants, variant_misses
from dateline import schema
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


def test_held_out_place_spellings_find_the_article_that_names_the_place_in_english(es):
    figures = place_recall(es, f"test-{uuid.uuid4().hex[:10]}")
    assert figures["recall"] >= PLACE_RECALL, "\n".join(figures["misses"])


def test_the_operators_spellings_of_a_place_are_searched_with_those_of_the_data(es, seeded):
    tokens = es.indices.analyze(index=seeded, body={"analyzer": "dateline_search", "text": "Бакы"})["tokens"]
    assert {"baki", "baku", "bakou", "баку"} <= {t["token"] for t in tokens}  # bakou: GeoNames only


def test_an_index_records_the_contract_it_was_built_with(es, seeded):
    index = next(iter(es.indices.get_alias(name=seeded)))
    assert es.indices.get_mapping(index=index)[index]["mappings"]["_meta"][schema.CONTRACT] == schema.CONTRACT_VERSION
