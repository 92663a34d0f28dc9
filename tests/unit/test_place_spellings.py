"""Place spellings from geographic data for search: the generated file, and how the operator's synonyms win
over it and extend with it."""

from __future__ import annotations

from dateline import schema
from dateline.indexer.enrich.spellings import STOP_WORDS, fold, render


def _groups() -> list[list[str]]:
    return [rule.split(", ") for rule in schema.read_synonyms(schema.PLACE_SPELLINGS)]


def test_the_committed_place_spellings_are_what_the_data_makes():
    # A data package upgrade that changes them needs the file regenerated and CONTRACT_VERSION bumped.
    assert schema.PLACE_SPELLINGS.read_text(encoding="utf-8") == render()


def test_place_groups_are_disjoint_and_free_of_stop_words():
    spellings = [s for group in _groups() for s in group]
    assert len(spellings) == len(set(spellings)), "a spelling stands for two places"
    assert not [s for s in spellings if STOP_WORDS & set(s.replace("-", " ").split())]


def test_a_city_has_its_names_in_other_scripts_and_languages_with_their_folded_forms():
    moscow = next(g for g in _groups() if g[0] == "moscow")
    assert {"москва", "moskva", "moskau", "moscou"} <= set(moscow)
    munich = next(g for g in _groups() if g[0] == "munich")
    assert {"münchen", "munchen"} <= set(munich)
    assert fold("Bakı") == "baki" and fold("Ağdərə") == "agdara" and fold("Москва") == "москва"


def test_the_operators_group_extends_with_the_same_places_spellings():
    operator = ["bakı, baki, baku, баку", "şəki, seki, shaki, sheki"]
    places = ["baku, bakou, bakı, баку, բաքու", "berlin, берлин"]
    rules = schema.spelling_rules(operator, places)
    assert rules == ["bakı, baki, baku, баку, bakou, բաքու", "şəki, seki, shaki, sheki", "berlin, берлин"]


def test_a_spelling_the_operator_gives_one_place_is_taken_from_every_other_place():
    operator = ["şəki, seki, shaki, sheki"]
    places = ["oyo, shaki, oyo town", "saki, shaki"]
    assert schema.spelling_rules(operator, places) == ["şəki, seki, shaki, sheki", "oyo, oyo town"]


def test_an_operators_one_way_rule_is_kept_as_written():
    assert schema.spelling_rules(["tbilisi => tbilisi, tiflis"], ["tbilisi, тбилиси"]) == \
        ["tbilisi => tbilisi, tiflis"]


def test_searches_get_the_place_spellings_and_autocomplete_only_the_operators():
    body = schema.index_body(["bakı, baki, baku"])
    filters = body["settings"]["analysis"]["filter"]
    assert any("moskau" in rule.split(", ") for rule in filters["place_synonyms"]["synonyms"])
    assert filters["autocomplete_synonyms"]["synonyms"] == ["bakı, baki, baku"]
    assert body["mappings"]["_meta"] == {schema.CONTRACT: schema.CONTRACT_VERSION}
