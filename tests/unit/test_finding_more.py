"""The requests and views behind finding more, without a server: collapsing on stories, the zero-results
rescue, values that start with a prefix, autocomplete and feeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from werkzeug.datastructures import MultiDict

from dateline import schema
from dateline.service.alternatives import Alternatives, any_of_the_words
from dateline.service.cursor import Cursor
from dateline.service.facets import FACETS_BY_NAME
from dateline.service.feeds import atom, json_feed
from dateline.service.params import SearchParams
from dateline.service.query import build_search, plain_words
from dateline.service.suggest import build_suggest, suggest_view

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(query) -> SearchParams:
    return SearchParams.from_args(MultiDict(query))


def test_results_collapse_on_the_story_with_the_versions_counted_in_the_same_request():
    request = build_search(parse({"q": "gold", "country": "Georgia"}))
    assert request["collapse"]["field"] == schema.STORY
    assert request["collapse"]["inner_hits"]["size"] == 0
    stories = request["aggs"]["stories"]
    assert stories["filter"]["bool"]["filter"] == [{"terms": {f"{schema.COUNTRY}.{schema.FOLDED}": ["Georgia"]}}]
    assert stories["aggs"]["count"]["cardinality"]["field"] == schema.STORY
    assert request["track_total_hits"] is True


def test_one_storys_versions_and_pages_after_a_cursor_are_not_collapsed():
    story = build_search(parse({"story": "s1"}))
    assert "collapse" not in story and "stories" not in story["aggs"]
    assert {"term": {schema.STORY: "s1"}} in story["query"]["bool"]["filter"]
    after = build_search(SearchParams(sort="newest"), Cursor("articles-1", (5, "a"), 10_000, "f"))
    assert "collapse" not in after and "from_" not in after and after["search_after"] == [5, "a"]


@pytest.mark.parametrize(("q", "words", "any_word"), [
    ("pipelnie", "pipelnie", None),
    ("harvst festivl", "harvst festivl", "harvst OR festivl"),
    ('"solr frm" oil', "solr frm oil", '"solr frm" OR oil'),
    ("oil -gas", "oil", None),
    ("oil | gas", "oil gas", None),
    ("oil OR gas", "oil gas", None),
    ("(oil gas) +coal", "oil gas coal", None),
    ("Lachin-Khankendi road", "Lachin-Khankendi road", "Lachin-Khankendi OR road"),
    ('"unbalanced oil', "unbalanced oil", None),
])
def test_the_words_to_correct_and_the_words_joined_by_or(q, words, any_word):
    assert plain_words(q) == words
    assert any_of_the_words(q) == any_word


def test_the_rescue_tries_each_filter_away_and_keeps_user_values_out_of_the_template():
    params = parse([("q", "oil gas"), ("country", "Georgia"), ("city", "{{#x}}"), ("from", "2022-01-01")])
    rescue = Alternatives(params)
    assert [(kind, text) for kind, text, _ in rescue.alternatives] == [
        ("without_filter", "Country: Georgia"), ("without_filter", "City: {{#x}}"),
        ("without_filter", "Published 2022-01-01 – …"), ("any_word", "oil OR gas")]
    request = rescue.request()
    assert len(request["aggs"]) == 4 and request["size"] == 0
    collate = request["suggest"]["spelling"]["phrase"]["collate"]
    assert "{{suggestion}}" in collate["query"]["source"] and "{{#x}}" not in collate["query"]["source"]
    assert {"terms": {f"{schema.CITY}.{schema.FOLDED}": ["{{#x}}"]}} in collate["params"]["filters"]
    json.loads(collate["query"]["source"].replace("{{#toJson}}filters{{/toJson}}", "[]"))
    assert Alternatives(SearchParams()).request() is None


def test_the_rescue_offers_only_what_finds_something_in_order():
    params = parse([("q", "pipelnie oil"), ("country", "Georgia")])
    answer = {"suggest": {"spelling": [{"options": [{"text": "pipelnie oil"}, {"text": "pipeline oil"}]}]},
              "aggregations": {"alternative0": {"doc_count": 0}, "alternative1": {"doc_count": 7}}}
    offers = Alternatives(params).view(answer, lambda p: "?" + p.q)
    assert [(o["kind"], o["text"], o["count"]) for o in offers] == [
        ("spelling", "pipeline oil", None), ("any_word", "pipelnie OR oil", 7)]


def bucket(value: str, count: int, highlighted: list[str]) -> dict:
    hits = [{"highlight": {"entities.people.autocomplete": highlighted}}]
    return {"key": value, "doc_count": count, "match": {"hits": {"hits": hits}}}


def test_values_found_by_prefix_are_those_that_match_themselves_and_selected_ones_stay():
    person = FACETS_BY_NAME["person"]
    aggregation = person.aggregation(("Louis Bono",), [], "ni")
    assert aggregation["aggs"]["found"]["filter"] == {
        "match_phrase": {"entities.people.autocomplete": {"query": "ni", "slop": 3}}}
    result = {"found": {"values": {"buckets": [
        bucket("Nikol Pashinyan", 9, ["Nikol Pashinyan"]),
        bucket("Ilham Aliyev", 5, ["Nikol Pashinyan"]),  # in the same articles, but not a match
        bucket("Nino Burjanadze", 2, ["Nino Burjanadze", "Nikol Pashinyan"]),
    ]}}, "selected": {"buckets": {"Louis Bono": {"doc_count": 0}}}}
    assert person.rows(result, ("Louis Bono",)) == [
        {"value": "Nikol Pashinyan", "count": 9, "selected": False},
        {"value": "Nino Burjanadze", "count": 2, "selected": False},
        {"value": "Louis Bono", "count": 0, "selected": True},
    ]


def test_autocomplete_keeps_headline_hits_apart_from_the_names():
    request = build_suggest("gizil")
    headlines = {"match": {"headline.autocomplete": {"query": "gizil", "operator": "and"}}}
    assert request["post_filter"] == headlines
    assert len(request["query"]["bool"]["should"]) == 4 and set(request["aggs"]) == {"place", "org", "person"}
    answer = {"hits": {"hits": [
        {"_source": {"id": "a", "headline": "Same words", "published": "2022-01-01"}},
        {"_source": {"id": "b", "headline": "Same words", "published": "2022-01-02"}},
        {"_source": {"id": "c", "headline": "Other words", "published": "2022-01-03"}},
    ]}}
    view = suggest_view("gizil", answer, lambda i: f"/articles/{i}", lambda f, v: f"/search?{f}={v}")
    assert [(h["id"], h["url"]) for h in view["headlines"]] == [("a", "/articles/a"), ("c", "/articles/c")]
    assert view["places"] == view["organizations"] == view["people"] == []


FEED_ANSWER = {"hits": {"hits": [{"_source": {
    "id": "a1", "headline": 'Gold <b>&</b> "more"\x0b', "lede": "First <i>paragraph</i>.",
    "body": "First <i>paragraph</i>.\n\nSecond & last.", "published": "2022-12-13",
    "dateline": {"city": "Baku", "country": "Azerbaijan"}, "source": "Trend"}}]}}


def test_the_atom_document_has_the_required_elements_and_escapes_article_text():
    document = atom("dateline: “gold”", "http://x/search?q=gold", "http://x/feeds/search.atom?q=gold",
                    FEED_ANSWER, lambda i: f"http://x/articles/{i}")
    feed = ET.fromstring(document)
    assert [feed.find(f"{ATOM}{name}").text for name in ("id", "title", "updated")] == [
        "http://x/search?q=gold", "dateline: “gold”", "2022-12-13T00:00:00Z"]
    entry = feed.find(f"{ATOM}entry")
    # Text again, without the character XML cannot hold.
    assert entry.find(f"{ATOM}title").text == 'Gold <b>&</b> "more"'
    assert entry.find(f"{ATOM}content").text == (
        "<p>First &lt;i&gt;paragraph&lt;/i&gt;.</p><p>Second &amp; last.</p>")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Trend"


def test_an_empty_feed_is_still_a_valid_feed():
    feed = ET.fromstring(atom("t", "http://x/", "http://x/f", {}, str))
    assert feed.find(f"{ATOM}updated").text and feed.find(f"{ATOM}entry") is None
    assert json_feed("t", "http://x/", "http://x/f", {}, str)["items"] == []
