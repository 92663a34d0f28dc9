"""Atom and JSON Feed twins of searches against a real node: valid against their specifications (the elements
RFC 4287 and JSON Feed 1.1 require), newest first, the same results as the search, article text escaped."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import pytest

from dateline.service.app import create_app

from . import corpus

ATOM = "{http://www.w3.org/2005/Atom}"
DOCS = corpus.articles()
BY_URL = {f"http://localhost/articles/{doc['id']}": doc for doc in DOCS}


@pytest.fixture(scope="module")
def client(corpus_settings):
    return create_app(corpus_settings).test_client()


def rfc3339(value: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def atom(client, query) -> ET.Element:
    response = client.get("/feeds/search.atom?" + urlencode(query, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def json_feed(client, query) -> dict:
    response = client.get("/feeds/search.json?" + urlencode(query, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/feed+json"
    return json.loads(response.data)


def expected_urls(q=None, country=None) -> list[str]:
    """The newest 50 matching articles (each is its own story in this corpus), newest first."""
    found = [doc for doc in DOCS if (q is None or corpus.has_word(doc, q))
             and (country is None or doc["dateline"]["country"] == country)]
    found.sort(key=lambda doc: doc["id"])
    found.sort(key=lambda doc: doc["published"], reverse=True)
    return [f"http://localhost/articles/{doc['id']}" for doc in found[:50]]


@pytest.mark.parametrize("query", [{}, {"q": "harvest"},
                                   {"q": "summit", "country": "Georgia", "sort": "oldest"}])
def test_atom_feed_has_what_rfc_4287_requires_newest_first(client, query):
    feed = atom(client, query)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1 and feed.find(f"{ATOM}{name}").text
    assert feed.find(f"{ATOM}author/{ATOM}name").text  # an author for the feed, so entries need none
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert urlsplit(links["self"]).path == "/feeds/search.atom"
    assert urlsplit(links["alternate"]).path == "/search"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}id").text for entry in entries] == expected_urls(query.get("q"),
                                                                                 query.get("country"))
    updated = [rfc3339(entry.find(f"{ATOM}updated").text) for entry in entries]
    assert updated == sorted(updated, reverse=True)
    assert rfc3339(feed.find(f"{ATOM}updated").text) == updated[0]
    for entry in entries:
        doc = BY_URL[entry.find(f"{ATOM}id").text]
        assert entry.find(f"{ATOM}title").text == doc["headline"]
        assert entry.find(f"{ATOM}link").get("href") == entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}updated").text == f"{doc['published']}T00:00:00Z"
        assert entry.find(f"{ATOM}content").get("type") == "html"


@pytest.mark.parametrize("query", [{}, {"q": "harvest"}, {"q": "summit", "country": "Georgia"}])
def test_json_feed_has_what_json_feed_1_1_requires_newest_first(client, query):
    feed = json_feed(client, query)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"].startswith("dateline")
    assert urlsplit(feed["feed_url"]).path == "/feeds/search.json"
    assert [item["id"] for item in feed["items"]] == expected_urls(query.get("q"), query.get("country"))
    for item in feed["items"]:
        assert isinstance(item["id"], str) and ("content_html" in item or "content_text" in item)
        assert item["title"] == BY_URL[item["id"]]["headline"]
        rfc3339(item["date_published"])
    dates = [item["date_published"] for item in feed["items"]]
    assert dates == sorted(dates, reverse=True)


def test_article_text_is_escaped_in_both_feeds(client):
    raw = client.get("/feeds/search.atom?q=zanzibarite").data.decode()
    assert "<script>" not in raw and "<b>" not in raw
    entry = ET.fromstring(raw).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == corpus.SCRIPT_HEADLINE
    content = entry.find(f"{ATOM}content").text  # HTML, itself escaped inside the XML
    assert "&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt;" in content and "&lt;b&gt;bold" in content
    assert html.unescape(re.sub(r"</?p>", "\n", content)).split() == BY_URL[
        entry.find(f"{ATOM}id").text]["body"].split()

    item = json_feed(client, {"q": "zanzibarite"})["items"][0]
    assert item["title"] == corpus.SCRIPT_HEADLINE
    assert "<script>" not in item["content_html"] and "&lt;script&gt;" in item["content_html"]
    assert re.findall(r"</?\w+", item["content_html"]) == ["<p", "</p", "<p", "</p"]


def test_the_search_page_links_its_feeds_and_they_answer(client):
    text = client.get("/search?q=harvest&country=Armenia&page=2").get_data(as_text=True)
    for media_type in ("application/atom+xml", "application/feed+json"):
        link = rf'<link rel="alternate" type="{re.escape(media_type)}"[^>]*href="([^"]+)"'
        href = html.unescape(re.search(link, text)[1])
        assert href.endswith("?q=harvest&country=Armenia")  # the search, whatever page it was on
        assert re.search(rf'<a href="{re.escape(html.escape(href))}" type="{re.escape(media_type)}">', text)
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype == media_type


@pytest.mark.parametrize(("url", "json_answer"), [("/feeds/search.atom?sort=best", False),
                                                  ("/feeds/search.json?from=yesterday", True)])
def test_bad_parameters_of_a_feed_are_a_400_naming_them(client, url, json_answer):
    response = client.get(url)
    assert response.status_code == 400
    assert response.is_json == json_answer
    assert ("sort" if "sort" in url else "from") in response.get_data(as_text=True)
