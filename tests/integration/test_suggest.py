"""Autocomplete (``/api/suggest``) and facet value search (``/api/facets/<name>``) against a real node.

The generated corpus, plus two articles about 'Gizilbulagh' written with curly quotes, whose Azerbaijani
spelling (Qızılbulaq) only the synonym rules know. Expected values and counts come from the documents.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import urlencode

import pytest

from . import corpus

GIZIL_HEADLINE = "Experts inspect the ‘Gizilbulagh’ gold deposit"
GIZIL_DOCS = [
    {**corpus.articles()[0], "id": "gizil0000000001", "headline": GIZIL_HEADLINE, "story": "gizil0000000001",
     "entities": {"organizations": ["AzerGold CJSC"], "places": ["Gizilbulagh", "Azerbaijan"],
                  "people": ["Anastasia Lavrina"]}},
    {**corpus.articles()[1], "id": "gizil0000000002", "headline": "Monitoring delayed again",
     "story": "gizil0000000002",
     "entities": {"organizations": [], "places": ["Baku", "Gizilbulagh"], "people": []}},
]
DOCS = corpus.articles() + GIZIL_DOCS
KINDS = {"places": "place", "organizations": "org", "people": "person"}


@pytest.fixture(scope="module")
def client(module_client):
    return module_client


def suggest(client, q: str) -> dict:
    response = client.get("/api/suggest?" + urlencode({"q": q}))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def truth(facet: str, docs: list[dict] = DOCS) -> Counter:
    return Counter(value for doc in docs for value in corpus.facet_values(doc, facet))


def starts_a_word(value: str, prefix: str) -> bool:
    return any(word.casefold().startswith(prefix.casefold()) for word in re.split(r"[\s\-]+", value))


# Autocomplete ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["Gizil", "gizil", "‘Gizil", "'gizil", "Qızıl", "QIZIL", "qizilbul",
                                    "Gizilbulagh", "Кызыл"])
def test_spelling_case_accents_and_quotes_do_not_matter(client, prefix):
    answer = suggest(client, prefix)
    assert answer["q"] == prefix
    assert answer["places"] == [{"value": "Gizilbulagh", "count": 2, "url": "/search?place=Gizilbulagh"}]
    assert [h["headline"] for h in answer["headlines"]] == [GIZIL_HEADLINE]
    assert answer["headlines"][0]["url"] == "/articles/gizil0000000001"


@pytest.mark.parametrize("prefix", ["ni", "ca", "ilham al", "wor", "red cr", "ar"])
def test_only_values_that_start_with_the_prefix_most_frequent_first_with_their_counts(client, prefix):
    answer = suggest(client, prefix)
    for key, facet in KINDS.items():
        counts = truth(facet)
        expected = sorted((v for v in counts if all(starts_a_word(v, p) for p in prefix.split())),
                          key=lambda v: (-counts[v], v))[:5]
        assert [row["value"] for row in answer[key]] == expected, key
        assert all(row["count"] == counts[row["value"]] for row in answer[key])


def test_headlines_match_every_word_and_show_each_headline_once(client):
    answer = suggest(client, "solar fa")
    assert {h["id"] for h in answer["headlines"]} == {corpus.PHRASE_ID, corpus.SCATTERED_ID}
    repeated = suggest(client, "ministers discuss reg")["headlines"]
    assert [h["headline"] for h in repeated] == ["Ministers discuss regional cooperation"]


def test_article_text_comes_back_as_text(client):
    headline = suggest(client, "zanzib")["headlines"][0]
    assert headline["headline"] == corpus.SCRIPT_HEADLINE and headline["id"] == corpus.SCRIPT_ID


def test_nothing_to_complete_gives_empty_lists(client):
    for prefix in ("", "   ", "!!!", "xqzvw"):
        answer = suggest(client, prefix)
        assert answer["headlines"] == answer["places"] == answer["organizations"] == answer["people"] == []


@pytest.mark.parametrize(("query", "param"), [({"q": "x" * 101}, "q"), ([("q", "a"), ("q", "b")], "q")])
def test_bad_autocomplete_parameters_are_a_400_naming_them(client, query, param):
    response = client.get("/api/suggest?" + urlencode(query, doseq=True))
    assert response.status_code == 400 and response.json["error"]["parameter"] == param


def test_the_page_works_without_javascript_and_names_where_suggestions_come_from(client):
    text = client.get("/").get_data(as_text=True)
    assert 'data-suggest="/api/suggest"' in text and 'role="combobox"' not in text
    assert '<script src="/static/autocomplete.js" defer></script>' in text
    assert "connect-src 'self'" in client.get("/").headers["Content-Security-Policy"]


# Facet value search ----------------------------------------------------------------------------------------


def values(client, name: str, query) -> dict:
    response = client.get(f"/api/facets/{name}?" + urlencode(query, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_a_rare_value_outside_the_top_ten_is_found_by_its_prefix(client):
    rare = "Amir Nazim"
    assert rare not in [row["value"] for row in client.get("/api/search").json["facets"]["person"]]
    answer = values(client, "person", {"prefix": "am"})
    assert answer["values"] == [{"value": rare, "count": truth("person")[rare], "selected": False,
                                 "url": "/search?person=Amir+Nazim"}]
    assert (answer["facet"], answer["prefix"], answer["counts"]) == ("person", "am", "articles")


def test_values_are_counted_within_the_search_as_the_facet_is(client):
    query = [("q", "harvest"), ("country", "Georgia"), ("country", "Armenia"), ("city", "Tbilisi")]
    found = [doc for doc in DOCS if corpus.has_word(doc, "harvest") and doc["dateline"]["country"] in
             ("Georgia", "Armenia")]  # the city selection does not count here: the city facet is disjunctive
    counts = truth("city", found)
    rows = values(client, "city", query + [("prefix", "g")])["values"]
    expected = sorted((v for v in counts if v.startswith("G")), key=lambda v: (-counts[v], v))
    tbilisi = {"value": "Tbilisi", "count": counts["Tbilisi"], "selected": True}
    assert [{k: row[k] for k in ("value", "count", "selected")} for row in rows] == sorted(
        [{"value": v, "count": counts[v], "selected": False} for v in expected] + [tbilisi],
        key=lambda row: (-row["count"], row["value"]))


def test_value_search_folds_spelling_like_autocomplete(client):
    rows = values(client, "place", {"prefix": "Qızıl"})["values"]
    assert [(row["value"], row["count"]) for row in rows] == [("Gizilbulagh", 2)]


def test_the_page_lists_the_values_found_and_its_json_twin_agrees(client):
    query = {"q": "summit", "person_prefix": "ni"}
    text = client.get("/search?" + urlencode(query)).get_data(as_text=True)
    twin = client.get("/api/search?" + urlencode(query)).json
    standalone = values(client, "person", {"q": "summit", "prefix": "ni"})["values"]
    rows = twin["facets"]["person"]
    assert rows and [row["value"] for row in rows] == [row["value"] for row in standalone]
    assert all(starts_a_word(row["value"], "ni") for row in rows)
    shown = re.findall(r'name="person" value="([^"]*)"', text)
    assert [html.unescape(v) for v in shown] == [row["value"] for row in rows]
    assert 'name="person_prefix" form="search"' in text and 'value="ni"' in text
    assert re.search(r'href="/search\?q=summit">most frequent</a>', text)


def test_a_prefix_that_finds_nothing_keeps_its_search_box(client):
    text = client.get("/search?org_prefix=zzz").get_data(as_text=True)
    assert "None start with “zzz”" in text and 'name="org_prefix"' in text


@pytest.mark.parametrize(("url", "status", "param"), [
    ("/api/facets/colour?prefix=a", 404, None),
    ("/api/facets/city?prefix=" + "x" * 101, 400, "prefix"),
    ("/api/facets/city?prefix=a&size=0", 400, "size"),
    ("/api/search?city_prefix=" + "x" * 101, 400, "city_prefix"),
])
def test_bad_facet_value_searches_are_refused(client, url, status, param):
    response = client.get(url)
    assert response.status_code == status and response.is_json
    assert response.json["error"].get("parameter") == param
