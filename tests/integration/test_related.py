"""Related articles on the article page against a real node: more like this over headline and body, never the
article's own versions, each other story once; for the two seed articles, each is the other's first."""

from __future__ import annotations

import dataclasses
import html
import re
import uuid

import pytest

from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app

from . import stories

DOCS = stories.articles()


@pytest.fixture(scope="module")
def client(module_client):
    return module_client


@pytest.fixture(scope="module")
def seeds(es, es_settings, seeds_dir):
    """The seed articles, indexed as ``dateline index rebuild`` indexes them."""
    alias = f"test-{uuid.uuid4().hex[:10]}"
    report = rebuild(es, alias, [str(seeds_dir)], keep=0)
    yield create_app(dataclasses.replace(es_settings, alias=alias)).test_client(), report.index
    es.indices.delete(index=report.index)


def test_each_seed_is_the_others_first_related_article(seeds, es):
    client, index = seeds
    ids = [hit["_id"] for hit in es.search(index=index, _source=False)["hits"]["hits"]]
    assert len(ids) == 2
    for article_id, other in (ids, ids[::-1]):
        article = client.get(f"/api/articles/{article_id}").json
        assert article["related"][0]["id"] == other
        assert article["related"][0]["url"] == f"/articles/{other}"
        text = client.get(f"/articles/{article_id}").get_data(as_text=True)
        related = re.search(r'<section class="related".*?</section>', text, re.S)[0]
        assert re.findall(r'<li><a href="/articles/([^"]+)">', related)[0] == other


def test_related_articles_are_other_stories_each_once(client):
    for doc in DOCS:
        related = client.get(f"/api/articles/{doc['id']}").json["related"]
        assert related, doc["id"]
        story_of = {d["id"]: d["story"] for d in DOCS}
        found = [story_of[item["id"]] for item in related]
        assert doc["story"] not in found
        assert len(found) == len(set(found))


def test_related_articles_share_the_articles_topic_first(client):
    for doc in DOCS[:12]:
        topic = next(topic for topic in stories.TOPICS if topic in doc["body"])
        first = client.get(f"/api/articles/{doc['id']}").json["related"][0]
        assert topic in next(d for d in DOCS if d["id"] == first["id"])["body"]


def test_the_article_page_links_the_versions_of_its_story(client):
    counts = stories.versions(DOCS)
    several = next(doc for doc in DOCS if counts[doc["story"]] > 2)
    article = client.get(f"/api/articles/{several['id']}").json
    assert article["versions"]["count"] == counts[several["story"]]
    versions = client.get(article["versions"]["url"]).json
    story = several["story"]
    assert {hit["id"] for hit in versions["hits"]} == {d["id"] for d in DOCS if d["story"] == story}
    text = client.get(f"/articles/{several['id']}").get_data(as_text=True)
    href = re.search(rf'<a href="([^"]+)">{counts[several["story"]]} versions of this story</a>', text)[1]
    assert html.unescape(href) == f"/search?story={several['story']}"

    single = next(doc for doc in DOCS if counts[doc["story"]] == 1)
    assert client.get(f"/api/articles/{single['id']}").json["versions"] == {"count": 1, "url": None}
