"""The JSON API against a real node over the generated corpus: counts, sorting, paging, errors, outages.

Expected numbers are computed from the corpus documents themselves (``corpus.py``), never from the service.
"""

from __future__ import annotations

import dataclasses
import random
import re
import socket
import threading
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest

from dateline.service.app import create_app

from . import corpus

DOCS = corpus.articles()
BY_ID = {doc["id"]: doc for doc in DOCS}
FACETS = ("country", "city", "source", "org", "place", "person")
FACET_SIZE = 10


@pytest.fixture(scope="module")
def client(corpus_settings):
    return create_app(corpus_settings).test_client()


def search(client, query=(), status: int = 200) -> dict:
    response = client.get("/api/search?" + urlencode(query, doseq=True))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.json


def matching(q=None, filters=None, date_from=None, date_to=None, skip=None) -> list[dict]:
    """The corpus articles a search should find; ``skip`` leaves one facet's selection out."""
    found = []
    for doc in DOCS:
        if q and not corpus.has_word(doc, q):
            continue
        if (date_from and doc["published"] < date_from) or (date_to and doc["published"] > date_to):
            continue
        if any(not set(values) & set(corpus.facet_values(doc, facet))
               for facet, values in (filters or {}).items() if facet != skip):
            continue
        found.append(doc)
    return found


def _combinations(count: int) -> list[dict]:
    rng = random.Random(42)
    values = {facet: sorted({v for doc in DOCS for v in corpus.facet_values(doc, facet)}) for facet in FACETS}
    combos = []
    for _ in range(count):
        filters = {facet: rng.sample(values[facet], rng.choice([1, 2, 3]))
                   for facet in rng.sample(FACETS, rng.choice([0, 1, 1, 2, 2, 3]))}
        combo = {"q": rng.choice([None, None, *corpus.TOPICS]), "filters": filters}
        if rng.random() < 0.3:
            year = rng.choice([2021, 2022, 2023])
            month = rng.randrange(1, 9)
            combo.update(date_from=f"{year}-{month:02d}-01", date_to=f"{year}-{month + 4:02d}-15")
        combos.append(combo)
    return combos


@pytest.mark.parametrize("combo", _combinations(30), ids=lambda c: repr(c)[:80])
def test_total_hits_facet_counts_and_histogram_agree_with_the_corpus(client, combo):
    q, filters = combo["q"], combo["filters"]
    dates = {k: combo[k] for k in ("date_from", "date_to") if k in combo}
    query = [("size", "100")] + ([("q", q)] if q else [])
    query += [(facet, v) for facet, values in filters.items() for v in values]
    query += [("from", dates["date_from"]), ("to", dates["date_to"])] if dates else []
    answer = search(client, query)

    expected = matching(q, filters, **dates)
    assert answer["total"] == {"value": len(expected), "relation": "eq"}
    assert len(answer["hits"]) == min(100, len(expected))
    assert {hit["id"] for hit in answer["hits"]} <= {doc["id"] for doc in expected}

    for facet in FACETS:
        selected = set(filters.get(facet, []))
        truth = Counter(v for doc in matching(q, filters, skip=facet, **dates)
                        for v in corpus.facet_values(doc, facet))
        rows = answer["facets"][facet]
        assert [row["count"] for row in rows] == [truth[row["value"]] for row in rows]
        assert {row["value"] for row in rows if row["selected"]} == selected
        listed = {row["value"] for row in rows}
        unlisted = [count for value, count in truth.items() if value not in listed]
        top = [row["count"] for row in rows if not row["selected"]]
        assert len([v for v in listed if truth[v]]) >= min(FACET_SIZE, len(truth))
        assert not unlisted or (top and max(unlisted) <= min(top))

    buckets = answer["histogram"]["buckets"]
    assert sum(bucket["count"] for bucket in buckets) == len(expected)
    starts = [bucket["start"] for bucket in buckets] + ["9999-12-31"]
    for bucket, end in zip(buckets, starts[1:], strict=False):
        assert bucket["count"] == sum(bucket["start"] <= doc["published"] < end for doc in expected), bucket


def test_a_selected_value_outside_the_top_ten_stays_listed_with_its_count(client):
    rare = "Amir Nazim"
    assert rare not in [row["value"] for row in search(client)["facets"]["person"]]
    rows = search(client, {"person": rare})["facets"]["person"]
    truth = sum(rare in corpus.facet_values(doc, "person") for doc in DOCS)
    assert {"value": rare, "count": truth, "selected": True} in rows
    assert len(rows) == FACET_SIZE + 1


def test_a_selected_value_that_matches_nothing_stays_listed_at_zero(client):
    answer = search(client, [("country", "Turkey"), ("city", "Baku")])
    assert answer["total"]["value"] == 0 and answer["hits"] == []
    assert {"value": "Baku", "count": 0, "selected": True} in answer["facets"]["city"]


def test_the_unfiltered_count_next_to_a_value_is_the_total_after_ticking_it(client):
    before = search(client, {"q": "harvest"})
    for row in before["facets"]["country"]:
        after = search(client, {"q": "harvest", "country": row["value"]})
        assert after["total"]["value"] == row["count"]


def test_an_empty_query_lists_the_newest_articles_with_facets(client):
    answer = search(client)
    newest = sorted(DOCS, key=lambda doc: doc["published"], reverse=True)[0]["published"]
    assert answer["hits"][0]["published"] == newest
    assert answer["total"]["value"] == len(DOCS)
    assert all(answer["facets"][facet] for facet in FACETS)
    assert answer["query"]["sort"] == "relevance" and answer["query"]["page"] == 1


def _all_pages(client, query: dict) -> list[dict]:
    """Every hit of a search, following the JSON twin's ``next`` links from page one."""
    hits = []
    url = "/api/search?" + urlencode(query)
    while url:
        response = client.get(url)
        assert response.status_code == 200
        hits += response.json["hits"]
        url = response.json["pages"]["next"]
    return hits


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorting_by_date_holds_across_pages_without_overlap(client, sort):
    hits = _all_pages(client, {"sort": sort, "size": 40})
    dates = [hit["published"] for hit in hits]
    assert dates == sorted(dates, reverse=sort == "newest")
    assert len({hit["id"] for hit in hits}) == len(hits) == len(DOCS)


def test_relevance_pages_have_falling_scores_no_overlap_and_every_match(client):
    hits = _all_pages(client, {"q": "summit", "size": 7})
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert [hit["id"] for hit in hits] == list(dict.fromkeys(hit["id"] for hit in hits))
    assert {hit["id"] for hit in hits} == {doc["id"] for doc in matching("summit")}


def test_previous_page_link_leads_back(client):
    second = search(client, {"q": "vaccine", "size": 5, "page": 2})
    first = client.get(second["pages"]["prev"]).json
    assert first["pages"]["page"] == 1 and first["pages"]["prev"] is None
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_a_word_in_the_headline_ranks_above_the_same_word_in_the_body(client):
    hits = search(client, {"q": "railway", "size": 100})["hits"]
    in_headline = sum("railway" in BY_ID[hit["id"]]["headline"] for hit in hits)
    assert 0 < in_headline < len(hits)
    assert all("railway" in BY_ID[hit["id"]]["headline"] for hit in hits[:in_headline])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"solar farm"', {corpus.PHRASE_ID}),
        ("solar farm", {corpus.PHRASE_ID, corpus.SCATTERED_ID}),
        ("solar -panels", {corpus.PHRASE_ID}),
        ('zanzibarite OR "solar farm"', {corpus.SCRIPT_ID, corpus.PHRASE_ID}),
        ("solar | zanzibarite", {corpus.SCRIPT_ID, corpus.PHRASE_ID, corpus.SCATTERED_ID}),
        ("(solar | zanzibarite) +opened", {corpus.PHRASE_ID}),
    ],
)
def test_phrases_exclusions_and_alternatives(client, q, expected):
    assert {hit["id"] for hit in search(client, {"q": q})["hits"]} == expected


ODD_QUERIES = ['"unbalanced', "((", "-", "|||", "AND OR NOT", "gold*", "peace~2", "oil^3", "\\", "title:oil",
               "/[a-z]+/", "<>&\"'", "Qızılbulaq ‘Gizilbulagh’", "\u0000x"]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_no_query_is_a_syntax_error(client, q):
    search(client, {"q": q})


def test_highlights_escape_the_article_text_and_mark_the_words(client):
    hit = search(client, {"q": "zanzibarite"})["hits"][0]
    assert hit["id"] == corpus.SCRIPT_ID
    for html in (hit["headline_html"], hit["snippet_html"]):
        assert set(re.findall(r"<[^>]*>", html)) == {"<mark>", "</mark>"}
        assert "&lt;script&gt;" in html
    assert hit["headline_html"].startswith("<mark>Zanzibarite</mark> &lt;script&gt;")
    assert hit["headline"] == corpus.SCRIPT_HEADLINE


def test_hits_carry_the_documented_fields(client):
    hit = search(client, {"q": "festival", "sort": "oldest"})["hits"][0]
    doc = BY_ID[hit["id"]]
    assert set(hit) == {"id", "url", "headline", "headline_html", "snippet_html", "published", "dateline",
                        "source", "score", "story", "versions", "versions_url"}
    assert (hit["story"], hit["versions"], hit["versions_url"]) == (doc["story"], 1, None)
    assert hit["url"] == f"/articles/{doc['id']}"
    assert hit["published"] == doc["published"] and hit["source"] == doc["source"]
    assert hit["dateline"] == doc["dateline"]
    assert "<mark>festival</mark>" in hit["snippet_html"]


@pytest.mark.parametrize(
    ("query", "param"),
    [({"size": "0"}, "size"), ({"size": "500"}, "size"), ({"page": "x"}, "page"), ({"sort": "best"}, "sort"),
     ({"from": "yesterday"}, "from"), ({"from": "2023-02-01", "to": "2023-01-01"}, "to"),
     ({"page": "201", "size": "50"}, "page"), ({"q": "a" * 501}, "q"),
     ([("person", f"p{n}") for n in range(21)], "person")],
)
def test_invalid_parameters_get_a_400_naming_them(client, query, param):
    error = search(client, query, status=400)["error"]
    assert error["status"] == 400 and error["parameter"] == param
    assert repr(param) in error["message"]


def test_unknown_parameters_are_ignored(client):
    assert search(client, {"q": "harvest", "ref": "newsletter"})["total"]["value"] == len(matching("harvest"))


def test_an_article_in_full_and_404_for_an_unknown_id(client):
    doc = DOCS[7]
    article = client.get(f"/api/articles/{doc['id']}").json
    assert (article["id"], article["headline"], article["body"]) == (doc["id"], doc["headline"], doc["body"])
    assert article["entities"] == doc["entities"] and article["original_url"] == doc["url"]
    for unknown in ("nope", "x" * 600):
        response = client.get(f"/api/articles/{unknown}")
        assert response.status_code == 404 and response.json["error"]["status"] == 404


def test_healthz_names_the_alias_its_index_and_the_count(client, corpus_settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "alias": corpus_settings.alias,
                             "index": f"{corpus_settings.alias}-corpus", "documents": len(DOCS)}


def test_security_headers_on_every_answer(client):
    for url in ("/api/search", "/api/search?size=0", "/healthz"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


# Elasticsearch unavailable -------------------------------------------------------------------------------


@pytest.fixture
def unreachable_client(es_settings):
    """An app whose Elasticsearch address has nothing listening."""
    settings = dataclasses.replace(es_settings, es_urls=("http://127.0.0.1:1",), es_timeout=1)
    return create_app(settings).test_client()


@pytest.mark.parametrize("url", ["/api/search?q=oil", "/api/articles/abc", "/healthz"])
def test_503_with_a_plain_message_when_elasticsearch_is_down(unreachable_client, url):
    response = unreachable_client.get(url)
    assert response.status_code == 503
    assert response.json["error"]["message"].startswith("The archive cannot be searched right now")
    assert "Traceback" not in response.get_data(as_text=True)


def test_503_while_no_index_is_behind_the_alias(test_settings):
    client = create_app(test_settings).test_client()  # a fresh alias that nothing was loaded into
    for url in ("/api/search", "/healthz"):
        response = client.get(url)
        assert response.status_code == 503
        assert f"no article index is behind the alias {test_settings.alias!r}" in response.json["error"]["message"]


class Proxy:
    """A TCP proxy before Elasticsearch: refuses connections until opened, then forwards or swallows them."""

    def __init__(self, target_url: str):
        target = urlsplit(target_url)
        self.target = (target.hostname, target.port or 9200)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.sockets: list[socket.socket] = []

    def open(self, forward: bool = True) -> None:
        self.forward = forward
        self.listener.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.sockets.append(conn)
            if self.forward:
                upstream = socket.create_connection(self.target)
                self.sockets.append(upstream)
                threading.Thread(target=self._pipe, args=(conn, upstream), daemon=True).start()
                threading.Thread(target=self._pipe, args=(upstream, conn), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        for sock in [self.listener, *self.sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


@pytest.fixture
def proxy(es_settings):
    proxy = Proxy(es_settings.es_urls[0])
    yield proxy
    proxy.close()


def test_search_recovers_by_itself_when_elasticsearch_comes_back(proxy, corpus_settings):
    app = create_app(dataclasses.replace(corpus_settings, es_urls=(proxy.url,), es_timeout=2))
    client = app.test_client()
    assert client.get("/api/search?q=harvest").status_code == 503
    assert client.get("/healthz").status_code == 503
    proxy.open()
    assert search(client, {"q": "harvest"})["total"]["value"] == len(matching("harvest"))
    assert client.get("/healthz").status_code == 200


def test_503_when_elasticsearch_does_not_answer_in_time(proxy, corpus_settings):
    proxy.open(forward=False)
    settings = dataclasses.replace(corpus_settings, es_urls=(proxy.url,), es_timeout=1)
    client = create_app(settings).test_client()
    response = client.get("/api/search?q=harvest")
    assert response.status_code == 503
    assert "did not answer in time" in response.json["error"]["message"]


def test_facet_values_match_whatever_their_case_and_accents_and_show_as_the_archive_spells_them(client):
    value, count = Counter(doc["dateline"]["country"] for doc in DOCS if doc["dateline"]["country"]).most_common(1)[0]
    accented = value.lower().replace("a", "á", 1).replace("e", "é", 1)
    for typed in (value.lower(), value.upper(), accented):
        answer = search(client, {"country": typed})
        assert answer["total"]["value"] == count, typed
        assert {"value": value, "count": count, "selected": True} in answer["facets"]["country"]
        assert answer["query"]["country"] == [value]


def test_articles_with_every_word_of_a_short_query_come_first_then_those_with_some(client):
    first, second = "harvest", "pipeline"
    both = [doc for doc in DOCS if corpus.has_word(doc, first) and corpus.has_word(doc, second)]
    either = [doc for doc in DOCS if corpus.has_word(doc, first) or corpus.has_word(doc, second)]
    assert 0 < len(both) < len(either)
    answer = search(client, {"q": f"{first} {second}", "size": 100})
    ids = [hit["id"] for hit in answer["hits"]]
    assert answer["total"]["value"] == len(either) and answer["notice"] is None
    tier = [BY_ID[i] for i in ids[: len(both)]]  # every article is a story of its own
    assert all(corpus.has_word(doc, first) and corpus.has_word(doc, second) for doc in tier)


def test_when_no_article_has_every_word_the_articles_with_most_of_them_come_with_a_notice(client):
    answer = search(client, {"q": "harvest zanzibarquux"})
    assert answer["total"]["value"] == len(matching("harvest"))
    assert answer["notice"] == {"kind": "most_words",
                                "text": "No article has every word; showing articles with most of them"}
    assert all(corpus.has_word(BY_ID[hit["id"]], "harvest") for hit in answer["hits"])
    assert "any_word" in [offer["kind"] for offer in answer["suggestions"]]
