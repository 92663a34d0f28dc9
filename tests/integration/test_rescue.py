"""Zero results against a real node: the page says so and offers, in order, the corrected words, the search
without each active filter (with its count) and the words joined by OR; every offer finds articles, and the
JSON twin carries the same offers. A search that finds something stays one request to Elasticsearch."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest

from dateline.client import connect
from dateline.service.app import create_app

from . import corpus

DOCS = corpus.articles()


class CountingClient:
    """The real Elasticsearch client, counting the searches sent through it."""

    def __init__(self, client):
        self.client = client
        self.searches = 0

    def search(self, **kwargs):
        self.searches += 1
        return self.client.search(**kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture(scope="module")
def es_client(corpus_settings):
    return CountingClient(connect(corpus_settings))


@pytest.fixture(scope="module")
def client(corpus_settings, es_client):
    return create_app(corpus_settings, client=es_client).test_client()


def search(client, query) -> dict:
    response = client.get("/api/search?" + urlencode(query, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def count(q=None, **filters) -> int:
    """The articles a short query (any of its words) finds under ``filters``."""
    return sum((q is None or any(corpus.has_word(doc, w) for w in q.split()))
               and all(value in corpus.facet_values(doc, facet) for facet, value in filters.items())
               for doc in DOCS)


def test_a_misspelt_word_is_corrected_and_the_correction_finds_articles(client):
    answer = search(client, {"q": "pipelnie"})
    assert answer["total"]["value"] == 0
    assert answer["suggestions"] == [{"kind": "spelling", "text": "pipeline", "count": None,
                                      "url": "/api/search?q=pipeline"}]
    assert client.get(answer["suggestions"][0]["url"]).json["total"]["value"] == count("pipeline") > 0


def test_several_words_and_phrases_are_corrected_together(client):
    assert search(client, {"q": "harvst festivl"})["suggestions"][0]["text"] == "harvest festival"
    assert search(client, {"q": '"solr frm"'})["suggestions"][0]["text"] == "solar farm"


def test_each_active_filter_is_offered_for_removal_with_its_count(client):
    answer = search(client, [("q", "harvest"), ("country", "Turkey"), ("city", "Baku")])
    assert answer["total"]["value"] == 0
    assert answer["suggestions"] == [
        {"kind": "without_filter", "text": "Country: Turkey", "count": count("harvest", city="Baku"),
         "url": "/api/search?q=harvest&city=Baku"},
        {"kind": "without_filter", "text": "City: Baku", "count": count("harvest", country="Turkey"),
         "url": "/api/search?q=harvest&country=Turkey"},
    ]
    for offer in answer["suggestions"]:
        assert client.get(offer["url"]).json["total"]["value"] == offer["count"]


def test_without_an_article_holding_every_word_the_words_joined_by_or_come_after_the_filters(client):
    answer = search(client, [("q", "pipeline harvest"), ("country", "Turkey")])
    either = sum((corpus.has_word(doc, "pipeline") or corpus.has_word(doc, "harvest"))
                 and doc["dateline"]["country"] == "Turkey" for doc in DOCS)
    assert answer["total"]["value"] == either and answer["notice"]["kind"] == "most_words"
    assert [(offer["kind"], offer["text"], offer["count"]) for offer in answer["suggestions"]] == [
        ("without_filter", "Country: Turkey", count("pipeline harvest")),
        ("any_word", "pipeline OR harvest", either),
    ]
    assert client.get(answer["suggestions"][-1]["url"]).json["total"]["value"] == either


def test_a_correction_that_finds_nothing_under_the_filters_is_not_offered(client):
    # "pipeline" exists, but not among the versions of this story.
    answer = search(client, {"q": "pipelnie", "story": corpus.SCRIPT_ID})
    assert answer["total"]["value"] == 0 and answer["suggestions"] == []


def test_the_page_offers_the_same_in_the_same_order_and_the_first_one_finds_articles(client):
    query = [("q", "pipeline harvest"), ("country", "Turkey")]
    text = client.get("/search?" + urlencode(query)).get_data(as_text=True)
    assert "No article has every word; showing articles with most of them." in text
    offers = search(client, query)["suggestions"]
    offer_link = r'<li class="rescue__offer[^"]*">[^<]*<a href="([^"]+)"'
    links = [html.unescape(href) for href in re.findall(offer_link, text)]
    assert links == [offer["url"].replace("/api/search", "/search") for offer in offers]
    assert len(links) >= 2
    follow = client.get(links[0]).get_data(as_text=True)
    assert int(re.search(r'<span class="total">([\d,]+)</span>', follow)[1].replace(",", "")) > 0


def test_a_search_that_finds_something_is_one_request(client, es_client):
    for query in ({"q": "harvest"}, {"q": "summit", "country": "Georgia", "person_prefix": "ni"}, {}):
        before = es_client.searches
        answer = search(client, query)
        assert answer["total"]["value"] > 0 and answer["suggestions"] == []
        assert es_client.searches - before == 1
    before = es_client.searches
    search(client, {"q": "pipelnie"})
    assert es_client.searches - before == 3  # as written, in any spelling, then the alternatives
