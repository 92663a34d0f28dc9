"""Enrichment: entities, stable ids, story keys and the index document."""

import dataclasses
import json
import re

import pytest

from dateline import schema
from dateline.indexer.article import Article
from dateline.indexer.enrich.document import article_id, body_hash, to_document
from dateline.indexer.enrich.entities import entity_mentions, extract_entities, paragraph_mentions
from dateline.indexer.enrich.gazetteer import GazetteerError, load_gazetteer
from dateline.indexer.enrich.names import fold_quotes
from dateline.indexer.enrich.stories import StoryClusterer, signature
from dateline.indexer.pipeline import documents
from dateline.indexer.readers import iter_articles
from dateline.indexer.readers.jsonl import parse_record
from dateline.indexer.readers.text import parse_text


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="module")
def seeds(seeds_dir) -> list[Article]:
    return list(iter_articles([seeds_dir]))


def edited(article: Article) -> Article:
    """Another version of the same story: a paragraph dropped and a sentence reworded."""
    paragraphs = article.body.split("\n\n")
    del paragraphs[3]
    body = "\n\n".join(paragraphs).replace(
        "monitor various areas, organize cadastral property records,",
        "survey several areas and keep cadastral records,")
    assert body != article.body
    return dataclasses.replace(article, body=body, path="elsewhere/copy.txt")


# --- entities -----------------------------------------------------------------------------------------------

def test_seed_entities(seeds, gazetteer):
    for article in seeds:
        entities = to_document(article, gazetteer, "s")["entities"]
        assert {"AzerGold CJSC", "Ministry of Ecology and Natural Resources", "State Property Service",
                "Ministry of Economy", "Trend"} <= set(entities["organizations"])
        assert {"Baku", "Azerbaijan", "Karabakh", "Gizilbulagh", "Damirli"} <= set(entities["places"])
    first = to_document(seeds[0], gazetteer, "s")["entities"]
    assert "Lachin" in first["places"] and "Khankendi" in first["places"]
    assert first["people"] == ["Anastasia Lavrina"]
    assert "Russian Youth Association" in first["organizations"]
    second = to_document(seeds[1], gazetteer, "s")["entities"]
    assert "State Committee for Work with the Diaspora" in second["organizations"]
    assert "Shusha" in second["places"]


def test_curly_and_straight_quotes_give_one_value(gazetteer):
    curly = extract_entities("The ‘Gizilbulagh’ deposit, the People’s Bank of China and Côte d’Ivoire.",
                             gazetteer)
    straight = extract_entities("The 'Gizilbulagh' deposit, the People's Bank of China and Côte d'Ivoire.",
                                gazetteer)
    assert curly == straight
    assert curly["places"] == ["Gizilbulagh", "China", "Ivory Coast"]
    assert curly["organizations"] == ["People's Bank of China"]


def test_a_body_folded_once_gives_each_paragraph_its_own_mentions(seeds, gazetteer):
    body = seeds[0].body.replace("People's", "People\u2019s") + "\n\nE\u0301tienne met Stepanakert\u2019s mayor."
    assert paragraph_mentions(fold_quotes(body), gazetteer) == \
        [entity_mentions(paragraph, gazetteer) for paragraph in body.split("\n\n")]


def test_aliases_and_capitals_give_the_canonical_name(gazetteer):
    found = extract_entities("AZERBAIJAN and Azərbaycan. Officials in Bakı and Stepanakert met U.S. envoys.",
                             gazetteer)
    assert found["places"] == ["Azerbaijan", "Baku", "Khankendi", "United States"]


def test_heuristics_find_unknown_organisations_and_people(gazetteer):
    text = ("Finance Minister Dilson Funaro said Moody's Investors Service Inc and the Toronto Stock "
            "Exchange would meet the Ministry of Fisheries of Norway, said Anna Petrova, a spokeswoman.")
    found = extract_entities(text, gazetteer)
    assert found["people"] == ["Dilson Funaro", "Anna Petrova"]
    assert found["organizations"] == ["Moody's Investors Service Inc", "Toronto Stock Exchange",
                                      "Ministry of Fisheries of Norway"]
    assert found["places"] == ["Toronto", "Norway"]


def test_heuristics_prefer_precision(gazetteer):
    text = ("Standard Chartered said on Monday. The Soviet Union and Canada Ltd agreed. "
            "In March New Zealand Prime Minister said so. Wall Street rose.")
    found = extract_entities(text, gazetteer)
    assert found["people"] == []
    assert found["organizations"] == []


def test_operators_can_add_names(tmp_path):
    path = tmp_path / "gazetteer.txt"
    path.write_text("# mine\nperson | Jeyhun Bayramov | Bayramov\ncity | Baku | Bakı | Azərbaycan\n"
                    "country | Azerbaijan | Azərbaycan\n")
    gazetteer = load_gazetteer(path)
    found = extract_entities("Bayramov spoke in Bakı.", gazetteer)
    assert (found["people"], found["places"]) == (["Jeyhun Bayramov"], ["Baku"])
    assert gazetteer.lookup("BAKU").country == "Azerbaijan"  # the country column in its canonical form


@pytest.mark.parametrize("line, message", [
    ("plase | Baku", "line 2: unknown kind 'plase'"),
    ("city | Baku | Bakı | Azerbaijan | extra", "line 2: expected 'kind | name | aliases | country'"),
    ("city | baku", "line 2: 'baku' must start with a capital letter"),
    ("city | Ganja | Bakı", "line 2: 'Bakı' already stands for 'Baku' (line 1)"),
    ("city | Ganja | | Azerbajan", "line 2: unknown country 'Azerbajan'"),
])
def test_gazetteer_mistakes_are_named_by_line(tmp_path, line, message):
    path = tmp_path / "gazetteer.txt"
    path.write_text(f"city | Baku | Bakı | Azerbaijan\n{line}\ncountry | Azerbaijan | Azərbaycan\n")
    with pytest.raises(GazetteerError, match=re.escape(message)):
        load_gazetteer(path)


# --- ids ----------------------------------------------------------------------------------------------------

def test_an_id_is_the_given_id_else_the_url_else_the_path_relative_to_the_source(tmp_path):
    record = {"id": "reuters-17", "url": "https://news.example/17", "body": "Text.", "published": "1987-03-03"}
    assert article_id(parse_record(record, "d.jsonl:1")) == "reuters-17"
    assert article_id(parse_record({**record, "id": None}, "d.jsonl:1")) == "https://news.example/17"
    folder = tmp_path / "inbox"
    (folder / "2024").mkdir(parents=True)
    path = str(folder / "2024" / "a.txt")
    article = parse_text(b" date 1987-03-03\nLONDON, March 3 - Oil rose.", path)
    assert article_id(article, str(folder)) == "2024/a.txt"
    assert article_id(article, path) == "a.txt"  # a file given as the source: its own name
    lines = parse_record({"body": "Text.", "published": "1987-03-03"}, f"{folder}/2024/d.jsonl:12")
    assert article_id(lines, str(folder)) == "2024/d.jsonl:12"
    assert len(article_id(parse_record({**record, "id": None, "url": "https://x/" + "y" * 600}, "d:1"))) == 40


def test_a_correction_keeps_its_id_and_changes_its_body_hash(seeds):
    corrected = dataclasses.replace(seeds[0], body=seeds[0].body + " A correction.")
    assert article_id(corrected, "seeds") == article_id(seeds[0], "seeds")
    assert body_hash(corrected) != body_hash(seeds[0])
    assert body_hash(dataclasses.replace(seeds[0], body=seeds[0].body.replace("'", "’"))) == body_hash(seeds[0])
    assert body_hash(dataclasses.replace(seeds[0], published="2023-02-02")) != body_hash(seeds[0])


def test_the_same_article_from_text_and_json_lines_is_one_document(seeds, tmp_path):
    raw = open(seeds[0].path, "rb").read()
    (tmp_path / "copy.txt").write_bytes(raw)
    (tmp_path / "d.jsonl").write_text(json.dumps({"body": raw.decode().split("2023-02-01 ", 1)[1],
                                                  "published": "2023-02-01"}) + "\n")
    found = list(documents([seeds[0].path, str(tmp_path)]))
    assert [(d.id, d.duplicate_of) for d in found] == [
        ("000_176b7342f17675ed.txt", None), ("copy.txt", "000_176b7342f17675ed.txt"),
        ("d.jsonl:1", "000_176b7342f17675ed.txt")]


# --- story keys ---------------------------------------------------------------------------------------------

def test_two_stories_sharing_a_background_paragraph_get_different_keys(seeds):
    clusterer = StoryClusterer()
    keys = [clusterer.assign(article_id(a), a.body) for a in seeds]
    assert keys == [article_id(seeds[0]), article_id(seeds[1])]


def test_an_edited_version_joins_the_story_of_the_original(seeds):
    clusterer = StoryClusterer()
    originals = [clusterer.assign(article_id(a), a.body) for a in seeds]
    for original, key in zip(seeds, originals, strict=True):
        version = edited(original)
        assert clusterer.assign(article_id(version), version.body) == key
        assert clusterer.assign(article_id(original), original.body) == key  # met again


def test_story_keys_are_the_same_in_a_new_process(seeds):
    # No salted hash(): a fresh clusterer fed the same stream gives the same keys.
    stream = [seeds[1], edited(seeds[1]), seeds[0]]
    runs = [[c.assign(article_id(a), a.body) for a in stream] for c in (StoryClusterer(), StoryClusterer())]
    assert runs[0] == runs[1] == [article_id(seeds[1])] * 2 + [article_id(seeds[0])]


def test_typography_and_capitals_leave_a_story_signature_as_it_was():
    plain = "Oil prices rose on Monday after OPEC said it would cut output, traders said. Brent gained 2 percent."
    typographic = plain.replace(",", " \u2026").replace(" said", "\u00a0SAID").replace("OPEC", "\u201cOPEC\u201d")
    assert plain.isascii() and not typographic.isascii()
    assert signature(typographic) == signature(plain) != signature(plain.replace("rose", "fell"))


def test_short_and_empty_texts_start_their_own_stories():
    clusterer = StoryClusterer()
    assert [clusterer.assign(k, t) for k, t in [("a", "Oil rose."), ("b", "Gold fell."), ("c", ""),
                                                 ("d", "Oil rose.")]] == ["a", "b", "c", "a"]


def test_every_story_of_a_long_run_is_still_found_by_its_versions():
    """Thousands of stories: the clusterer's tables grow many times over and lose none of them."""
    words = [f"w{n}" for n in range(3000)]
    texts = [" ".join(words[(n * 7 + k * k) % len(words)] for k in range(200)) + f" story {n}"
             for n in range(2000)]
    clusterer = StoryClusterer()
    assert [clusterer.assign(f"s{n}", text) for n, text in enumerate(texts)] == [f"s{n}" for n in range(2000)]
    versions = [text.replace(" story ", " updated story ") for text in texts]
    assert [clusterer.assign(f"v{n}", text) for n, text in enumerate(versions)] == [f"s{n}" for n in range(2000)]


# --- documents ----------------------------------------------------------------------------------------------

def _paths(mapping: dict, prefix: str = "") -> set[str]:
    names = set()
    for name, spec in mapping["properties"].items():
        names.add(prefix + name)
        if "properties" in spec:
            names |= _paths(spec, f"{prefix}{name}.")
    return names


def _leaves(document: dict, prefix: str = "") -> set[str]:
    names = set()
    for name, value in document.items():
        names |= _leaves(value, f"{prefix}{name}.") if isinstance(value, dict) else {prefix + name}
    return names


def test_document_has_exactly_the_schema_fields(seeds, gazetteer):
    document = to_document(seeds[0], gazetteer, "story-1")
    leaves = _leaves(document)
    assert leaves <= _paths(schema.MAPPINGS)
    assert leaves == {schema.ID, schema.HEADLINE, schema.LEDE, schema.BODY, schema.PUBLISHED,
                      schema.PUBLISHED_RULE, schema.CITY, schema.COUNTRY, schema.SOURCE, schema.URL,
                      schema.PATH, schema.ORGANIZATIONS, schema.PLACES, schema.PEOPLE, schema.STORY,
                      schema.PUBLISHED_AT, schema.BYLINE, schema.TOPICS, schema.LANGUAGE,
                      schema.BODY_HASH, schema.STORY_BANDS, schema.STORY_SIGNATURE}
    assert document["dateline"] == {"city": "Baku", "country": "Azerbaijan"}
    assert (document["id"], document["story"], document["published"]) == (article_id(seeds[0]), "story-1",
                                                                           "2023-02-01")


def test_a_missing_country_comes_from_the_city(gazetteer):
    article = parse_text(b" date 1987-03-03\nLONDON, March 3 - Oil rose.", "a.txt")
    assert to_document(article, gazetteer, "s")["dateline"] == {"city": "London", "country": "United Kingdom"}
    article = parse_text(b" date 1987-03-03\n    SAN MATEO, Calif., March 2 - Net rose.", "a.txt")
    document = to_document(article, gazetteer, "s")
    assert document["dateline"] == {"city": "San Mateo", "country": "United States"}
    assert document["entities"]["places"][:3] == ["San Mateo", "California", "United States"]
    # A city the geographic data knows gives its country (every Springfield there is in the United States).
    article = parse_text(b" date 1987-03-03\nSPRINGFIELD, March 2 - Net rose.", "a.txt")
    assert to_document(article, gazetteer, "s")["dateline"] == {"city": "Springfield",
                                                                 "country": "United States"}
    article = parse_text(b" date 1987-03-03\nNOWHERESVILLE, March 2 - Net rose.", "a.txt")
    assert to_document(article, gazetteer, "s")["dateline"] == {"city": "Nowheresville", "country": None}


def test_given_facet_values_are_normalised(gazetteer):
    record = {"body": "Text about Baku.", "published": "2023-02-01", "source": "REUTERS",
              "dateline": {"city": "BAKU", "country": "AZERBAIJAN"},
              "entities": {"organizations": ["AzerGold  CJSC", "AZERGOLD"], "people": ["Anastasia  Lavrina"],
                           "places": ["NEW  HAVEN"]}}
    document = to_document(parse_record(record, "d.jsonl:1"), gazetteer, "s")
    assert document["dateline"] == {"city": "Baku", "country": "Azerbaijan"}
    assert document["source"] == "Reuters"
    assert document["entities"] == {"organizations": ["AzerGold CJSC"], "people": ["Anastasia Lavrina"],
                                    "places": ["Baku", "Azerbaijan", "New Haven"]}


def test_a_templated_report_weeks_later_starts_a_new_story():
    text = ("The Federal Reserve entered the government securities market to supply temporary reserves "
            "via system repurchase agreements, a spokesman for the New York Fed said.")
    clusterer = StoryClusterer()
    first = clusterer.assign("a", text, "1987-03-02")
    assert clusterer.assign("b", text, "1987-03-04") == first
    assert clusterer.assign("c", text, "1987-04-20") == "c"
