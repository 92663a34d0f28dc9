"""Story versions against a real node: results are collapsed on the story, a hit says how many versions of its
story match and links to them, and every count says what it counts (articles) and agrees with the page."""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import urlencode

import pytest

from . import stories

DOCS = stories.articles()


@pytest.fixture(scope="module")
def client(module_client):
    return module_client


def search(client, query=()) -> dict:
    response = client.get("/api/search?" + urlencode(query, doseq=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def matching(topic=None, source=None) -> list[dict]:
    return [doc for doc in DOCS
            if (topic is None or topic in doc["body"]) and (source is None or doc["source"] == source)]


def test_the_corpus_has_stories_of_several_versions():
    assert max(stories.versions(DOCS).values()) > 2 and min(stories.versions(DOCS).values()) == 1


@pytest.mark.parametrize("query", [{}, {"q": "quarry"}, {"q": "orchard", "source": "Trend"},
                                   {"source": "APA"}])
def test_one_hit_per_story_with_the_number_of_its_matching_versions(client, query):
    expected = matching(query.get("q"), query.get("source"))
    per_story = stories.versions(expected)
    answer = search(client, {**query, "size": 100})
    assert answer["total"]["value"] == len(expected)  # the total counts articles
    assert answer["stories"] == len(per_story)
    assert answer["counts"] == "articles"
    assert len(answer["hits"]) == len(per_story)
    assert {hit["story"]: hit["versions"] for hit in answer["hits"]} == dict(per_story)
    for hit in answer["hits"]:
        assert (hit["versions_url"] is not None) == (hit["versions"] > 1)


def test_the_versions_link_lists_exactly_the_versions_it_counted(client):
    answer = search(client, {"q": "tunnel", "source": "Reuters", "size": 100})
    several = [hit for hit in answer["hits"] if hit["versions"] > 1]
    assert several
    for hit in several:
        versions = client.get(hit["versions_url"]).json
        ids = {doc["id"] for doc in matching("tunnel", "Reuters") if doc["story"] == hit["story"]}
        assert versions["total"]["value"] == hit["versions"] == len(ids)
        assert {h["id"] for h in versions["hits"]} == ids
        assert all(h["versions"] is None for h in versions["hits"])  # a story's versions are not collapsed
        assert versions["query"]["story"] == hit["story"]


def test_newest_first_shows_the_newest_version_of_each_story(client):
    newest = {}
    for doc in DOCS:
        if doc["story"] not in newest or doc["published"] > newest[doc["story"]]["published"]:
            newest[doc["story"]] = doc
    hits = search(client, {"sort": "newest", "size": 100})["hits"]
    assert {hit["id"] for hit in hits} == {doc["id"] for doc in newest.values()}
    dates = [hit["published"] for hit in hits]
    assert dates == sorted(dates, reverse=True)


def test_pages_go_through_every_story_once(client):
    seen, url = [], "/api/search?size=7&q=quarry"
    while url:
        answer = client.get(url).json
        seen += [hit["story"] for hit in answer["hits"]]
        url = answer["pages"]["next"]
    assert sorted(seen) == sorted(stories.versions(matching("quarry")))


def test_facet_counts_are_articles_and_ticking_a_value_gives_that_many_articles(client):
    answer = search(client, {"q": "orchard"})
    truth = Counter(doc["source"] for doc in matching("orchard"))
    rows = answer["facets"]["source"]
    assert {row["value"]: row["count"] for row in rows} == dict(truth)
    for row in rows:
        ticked = search(client, {"q": "orchard", "source": row["value"]})
        assert ticked["total"]["value"] == row["count"]
        assert ticked["stories"] == len(stories.versions(matching("orchard", row["value"])))


def test_the_page_says_articles_in_stories_and_links_the_versions(client):
    expected = matching("quarry")
    text = client.get("/search?q=quarry&size=100").get_data(as_text=True)
    heading = re.search(r'<h1 id="results-title".*?</h1>', text, re.S)[0]
    title = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", heading))
    assert f"{len(expected)} articles in {len(stories.versions(expected))} stories" in title
    assert "Counts are articles" in text
    links = re.findall(r'<p class="hit__versions"><a href="([^"]+)">(\d+) versions</a>', text)
    several = {story: n for story, n in stories.versions(expected).items() if n > 1}
    assert len(links) == len(several)
    for href, count in links:
        page = client.get(html.unescape(href)).get_data(as_text=True)
        assert re.search(rf'<span class="total">{count}</span>\s*articles', page)
        assert "Versions of one story" in page  # a chip removes the narrowing again


@pytest.mark.parametrize("query", [{"story": "s" * 257}, [("story", "a"), ("story", "b")]])
def test_a_bad_story_parameter_is_a_400_naming_it(client, query):
    response = client.get("/api/search?" + urlencode(query, doseq=True))
    assert response.status_code == 400 and response.json["error"]["parameter"] == "story"
