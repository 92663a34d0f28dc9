"""The HTML pages against a real node over the generated corpus: same numbers as the JSON twin, escaping,
links that carry the state, accessible markup without inline script or style, and error pages."""

from __future__ import annotations

import dataclasses
import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from dateline.service.app import create_app

from . import corpus

FACET_ROW = re.compile(
    r'<input id="([^"]+)" type="checkbox" name="(\w+)" value="([^"]*)" form="search"( checked)?>\s*'
    r'<label for="([^"]+)"><span class="facet__label">([^<]*)</span> <span class="count">([\d,]+)</span>'
)
BAR = re.compile(r'<a href="([^"]+)"\s+aria-label="([^"]+): ([\d,]+) articles?">')


@pytest.fixture(scope="module")
def client(corpus_settings):
    return create_app(corpus_settings).test_client()


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def json_twin(client, text: str) -> dict:
    """The JSON the page links to as its twin."""
    href = html.unescape(re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', text)[1])
    assert href.startswith("/api/")
    return client.get(href).json


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_page_shows_the_counts_and_selections_of_its_json_twin(client):
    query = [("q", "harvest"), ("country", "Armenia"), ("country", "Georgia"), ("source", "Trend")]
    text = page(client, "/search?" + urlencode(query))
    twin = json_twin(client, text)
    assert twin["query"]["country"] == ["Armenia", "Georgia"] and twin["query"]["q"] == "harvest"
    shown = {}
    for row_id, name, value, checked, label_for, label, count in FACET_ROW.findall(text):
        assert row_id == label_for and html.unescape(value) == html.unescape(label)
        shown.setdefault(name, []).append(
            {"value": html.unescape(value), "count": number(count), "selected": bool(checked)})
    assert shown == {name: rows for name, rows in twin["facets"].items() if rows}
    total = re.search(r'<span class="total">([\d,]+)</span>', text)[1]
    assert number(total) == twin["total"]["value"] > 0
    assert len(re.findall(r'<li class="hit">', text)) == len(twin["hits"])


def test_clear_all_removes_every_filter_and_keeps_the_words(client):
    text = page(client, "/search?" + urlencode([("q", "harvest"), ("country", "Armenia"), ("source", "Trend")]))
    href = html.unescape(re.search(r'<a class="chips__clear" href="([^"]+)">Clear all</a>', text)[1])
    assert parse_qsl(urlsplit(href).query) == [("q", "harvest")]
    assert json_twin(client, page(client, href))["restrictions"] == []


def test_histogram_bars_link_to_their_dates_and_hold_their_counts(client):
    text = page(client, "/search?q=pipeline")
    bars = BAR.findall(text)
    assert bars and json_twin(client, text)["histogram"]["interval"] == "month"
    href, label, count = bars[0]
    target = dict(parse_qsl(urlsplit(html.unescape(href)).query))
    assert target["q"] == "pipeline" and target["from"].endswith("-01") and target["to"] >= target["from"]
    narrowed = page(client, html.unescape(href))
    twin = json_twin(client, narrowed)
    assert twin["total"]["value"] == number(count)
    assert twin["histogram"]["interval"] == "day"  # a month's bar drills down to its days
    assert {hit["published"][:7] for hit in twin["hits"]} == {target["from"][:7]}


def test_pages_link_forward_and_back(client):
    pages = -(-sum(corpus.has_word(doc, "railway") for doc in corpus.articles()) // 5)
    first = page(client, "/search?q=railway&size=5")
    assert f"Page 1 of {pages}" in first
    next_href = html.unescape(re.search(r'<a class="pager__link" rel="next" href="([^"]+)">', first)[1])
    second = page(client, next_href)
    assert f"Page 2 of {pages}" in second and 'rel="prev"' in second
    ids = [re.findall(r'<h2 class="hit__title"><a href="/articles/(\w+)">', t) for t in (first, second)]
    assert len(ids[0]) == len(ids[1]) == 5 and not set(ids[0]) & set(ids[1])


def test_article_text_and_the_query_are_escaped_everywhere(client):
    hostile = '<script>alert("headline")</script> zanzibarite'
    text = page(client, "/search?" + urlencode({"q": hostile}))
    assert "<script>alert" not in text and "</script> zanzibarite" not in text
    # The article's headline, highlighted, and the query in the search box and the title.
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(&quot;<mark>headline</mark>&quot;)" in text
    assert 'value="&lt;script&gt;alert(&#34;headline&#34;)&lt;/script&gt; zanzibarite"' in text
    assert "<title>&lt;script&gt;" in text
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/search.js" defer>',
                                                  '<script src="/static/autocomplete.js" defer>']
    article = page(client, f"/articles/{corpus.SCRIPT_ID}")
    assert "<script>alert" not in article and "&lt;b&gt;bold&lt;/b&gt;" in article


def test_pages_have_no_inline_script_style_or_event_handlers(client):
    for url in ("/", "/search?q=summit&person=Ilham+Aliyev&from=2021-01-01&to=2023-12-31",
                f"/articles/{corpus.PHRASE_ID}", "/search?size=0", "/articles/unknown"):
        text = client.get(url).get_data(as_text=True)
        assert not re.search(r"<[^>]+\s(style|on\w+)=", text), url
        assert not re.search(r"<style", text), url
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", text)), url


def test_the_page_is_a_form_that_works_without_javascript_with_labels_and_landmarks(client):
    text = page(client, "/search?q=vaccine")
    assert '<form id="search" class="search-form" role="search" action="/search" method="get">' in text
    for landmark in ("<header", "<main", "<footer", "<aside", "<nav"):
        assert landmark in text
    ids = set(re.findall(r'<(?:input|select) id="([^"]+)"', text))
    assert ids and ids <= set(re.findall(r'<label for="([^"]+)"', text))
    assert '<button class="apply" type="submit" form="search">' in text
    assert re.search(r'<a href="/api/search\?q=vaccine">This page as JSON</a>', text)


def test_an_empty_query_lists_the_newest_articles(client):
    text = page(client, "/")
    newest = max(doc["published"] for doc in corpus.articles())
    first_date = re.search(r'<time datetime="([\d-]+)">', text)[1]
    assert first_date == newest and "newest first" in text


def test_an_article_page_links_its_facets_and_its_json_twin(client):
    doc = next(d for d in corpus.articles() if d["entities"]["people"] and d["dateline"]["city"])
    text = page(client, f"/articles/{doc['id']}")
    assert html.escape(doc["headline"], quote=False) in text
    person = doc["entities"]["people"][0]
    assert f'href="/search?{urlencode({"person": person})}"' in text
    assert f'<link rel="alternate" type="application/json" href="/api/articles/{doc["id"]}">' in text


def test_bad_parameters_and_unknown_articles_get_error_pages(client):
    text = page(client, "/search?page=0", status=400)
    assert "The parameter &#39;page&#39; is invalid" in text
    text = page(client, "/search?from=2023-02-30", status=400)
    assert "&#39;from&#39;" in text and "YYYY-MM-DD" in text
    assert "no article with this id" in page(client, "/articles/does-not-exist", status=404)


def test_503_page_when_elasticsearch_is_down(es_settings):
    settings = dataclasses.replace(es_settings, es_urls=("http://127.0.0.1:1",), es_timeout=1)
    client = create_app(settings).test_client()
    for url in ("/", "/search?q=oil", "/articles/abc"):
        text = page(client, url, status=503)
        assert "The archive cannot be searched right now (cannot reach Elasticsearch)" in text
        assert "Traceback" not in text


def test_an_article_whose_id_holds_a_slash_is_reachable_from_its_result_link(make_index, test_settings):
    from dateline.service.app import create_app

    make_index([{"id": "reuters/1987/12", "headline": "Cocoa review", "body": "Showers continued in Bahia.",
                 "published": "1987-02-26", "story": "reuters/1987/12"}])
    client = create_app(test_settings).test_client()
    hit = client.get("/api/search?q=cocoa").get_json()["hits"][0]
    assert client.get(hit["url"]).status_code == 200
    assert client.get("/api/articles/reuters/1987/12").get_json()["id"] == "reuters/1987/12"


def test_the_search_form_keeps_a_story_filter_when_sorting_or_ticking_a_facet(make_index, test_settings):
    from dateline.service.app import create_app

    make_index([{"id": "a", "headline": "Grain talks", "body": "Grain talks resumed.", "published": "2023-01-02",
                 "story": "s1"}])
    page = create_app(test_settings).test_client().get("/search?story=s1").get_data(as_text=True)
    assert '<input type="hidden" name="story" value="s1">' in page
