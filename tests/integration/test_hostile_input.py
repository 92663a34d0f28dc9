"""Hostile input: markup in queries, facet values and article text; oversized requests; Elasticsearch syntax
in ``q``; and the credentials each process uses.

- Every page, error page and feed is parsed, and nothing in it may run script: no inline script, no event
  handler attribute, no ``javascript:`` URL, no frame, whatever the articles and the URL hold.
- Requests too large for the production server (``dateline serve``) are refused before they reach the app;
  the limits of the app's own parameters are in ``tests/unit/test_params.py``.
- ``q`` is words for ``simple_query_string`` only: it cannot name another index, run a script, expand a
  wildcard or regular expression, or change the aggregations.
- The service sends the credentials it is given on every request, and only reads the alias (and its
  versioned indices); the indexer sends its own.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline import schema
from dateline.service.app import create_app
from dateline.service.params import SearchParams
from dateline.service.query import build_search

from .es_relay import Relay

DATELINE = str(Path(sys.executable).with_name("dateline"))

SCRIPT = '<script>alert("dl")</script>'
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(1)>"
CDATA = "]]></content><script>alert(2)</script>"
RAW_MARKUP = ("<script>alert", "<img src=x onerror", "<svg onload")
HOSTILE_ID = 'x"><svg onload=alert(3)>'


def _document(n: int, article_id: str) -> dict:
    return {
        schema.ID: article_id,
        schema.HEADLINE: f"Zanzibarite {SCRIPT} {n}",
        schema.LEDE: f"Zanzibarite lede {IMG}",
        schema.BODY: f"Zanzibarite lede {IMG}\n\nA second paragraph {SVG} {CDATA} {SCRIPT}",
        schema.PUBLISHED: f"2023-01-0{n}",
        schema.PUBLISHED_RULE: "given",
        "dateline": {"city": IMG, "country": SVG},
        schema.SOURCE: SCRIPT,
        schema.URL: "javascript:alert(4)",
        schema.PATH: f"hostile.jsonl:{n}",
        "entities": {"organizations": [SCRIPT], "places": [IMG], "people": [SVG]},
        schema.STORY: IMG,  # both articles are versions of one story
    }


@pytest.fixture
def hostile_settings(make_index, test_settings):
    make_index([_document(1, "hostile-1"), _document(2, HOSTILE_ID)])
    return test_settings


@pytest.fixture
def client(hostile_settings):
    return create_app(hostile_settings).test_client()


class _ActiveContent(HTMLParser):
    """What in an HTML document could run script."""

    URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("iframe", "frame", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        if tag == "script":
            self.in_script = True
            if not attributes.get("src"):
                self.found.append("an inline <script>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            url = (value or "").strip().lower()
            if name in self.URL_ATTRIBUTES and url.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append("script text")


def assert_inert(html: str, where: str) -> None:
    parser = _ActiveContent()
    parser.feed(html)
    parser.close()
    assert parser.found == [], where
    assert not [raw for raw in RAW_MARKUP if raw in html], where


def _pages() -> list[str]:
    facets = [(name, value) for name, value in
              [("country", SVG), ("city", IMG), ("source", SCRIPT), ("org", SCRIPT), ("place", IMG),
               ("person", SVG)]]
    return [
        "/", "/search?q=zanzibarite", "/search?" + urlencode({"q": SCRIPT}),
        "/search?" + urlencode([("q", "zanzibarite"), *facets]),
        "/search?" + urlencode({"q": "zanzibarite", "place_prefix": IMG, "person_prefix": SVG}),
        "/search?" + urlencode({"story": IMG}),
        "/articles/hostile-1", "/articles/" + quote(HOSTILE_ID, safe=""),
        "/search?" + urlencode({"sort": SCRIPT}), "/search?" + urlencode({"from": SVG}),  # 400 pages
        "/articles/" + quote(IMG, safe=""),  # 404 page
    ]


def test_no_page_runs_what_articles_or_urls_hold(client):
    for url in _pages():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        assert_inert(response.get_data(as_text=True), url)
    article = client.get("/articles/hostile-1").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in article  # the hostile text is shown, as text
    assert 'href="javascript:' not in article  # an original URL that is not http(s) is not a link
    results = client.get("/search?q=zanzibarite").get_data(as_text=True)
    assert results.count("&lt;script&gt;") >= 2


@pytest.mark.parametrize("query", [{"q": "zanzibarite"}, {"q": SCRIPT, "country": SVG, "org": SCRIPT}])
def test_feeds_escape_article_text_and_stay_well_formed(client, query):
    atom = client.get("/feeds/search.atom?" + urlencode(query))
    assert atom.status_code == 200
    feed = ET.fromstring(atom.data)  # well-formed although the articles try to close a CDATA section
    contents = [entry.find("{http://www.w3.org/2005/Atom}content") for entry in
                feed.iter("{http://www.w3.org/2005/Atom}entry")]
    items = client.get("/feeds/search.json?" + urlencode(query)).json["items"]
    if query["q"] == "zanzibarite":
        assert len(contents) == len(items) == 1  # one entry per story
    for html in [content.text for content in contents] + [item["content_html"] for item in items]:
        assert_inert(html, "feed content")
        assert "&lt;script&gt;" in html


# --- oversized requests -------------------------------------------------------------------------------------


@pytest.fixture
def server(hostile_settings, es_settings):
    """``dateline serve`` (granian, as in production) on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATELINE_ALIAS": hostile_settings.alias, "ES_URL": es_settings.es_urls[0]}
    process = subprocess.Popen([DATELINE, "serve", "--port", str(port), "--workers", "1"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while _status(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") != 200:
        assert time.monotonic() < deadline and process.poll() is None, "dateline serve did not start"
        time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=30)


def _status(port: int, request: bytes) -> int | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(request)
            head = conn.recv(64)
    except OSError:
        return None
    return int(head.split()[1]) if head.startswith(b"HTTP/") else None


def test_the_production_server_refuses_oversized_requests_before_the_app(server):
    huge_q = b"GET /api/search?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    huge_header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    many_headers = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(500))
    many_headers += b"\r\n"
    for name, request in [("request line", huge_q), ("header", huge_header), ("headers", many_headers)]:
        started = time.monotonic()
        assert _status(server, request) in (400, 413, 414, 431), name
        assert time.monotonic() - started < 10, name  # refused at once, not after a hang
    assert _status(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == 200  # and it goes on serving


def test_deeply_nested_or_repeated_parameters_are_answered_quickly(client):
    cases = [
        ({"q": "(" * 244 + "zanzibarite" + ")" * 245}, 200),  # nested groups, within the 500 characters
        ({"q": '"' * 500}, 200),
        ({"q": "-" * 500}, 200),
        ({"a[b][c][d][e][f][g]": "1", "x[" * 200: "1"}, 200),  # nesting in names means nothing here
        ([("place", f"place {n}") for n in range(5000)], 400),  # far more values than may be selected
        ([("place", "same")] * 5000, 200),  # one value, repeated
    ]
    for query, status in cases:
        started = time.monotonic()
        response = client.get("/api/search?" + urlencode(query))
        assert response.status_code == status, (str(query)[:60], response.get_data(as_text=True)[:200])
        assert time.monotonic() - started < 10, str(query)[:60]  # no pathological parse or query


# --- Elasticsearch syntax in q ------------------------------------------------------------------------------


@pytest.fixture
def other_index(es, hostile_settings):
    """An index beside the alias (not behind it) holding a document nobody may find through the service."""
    name = f"{hostile_settings.alias}-other"
    es.indices.create(index=name, **schema.index_body())
    secret = {schema.ID: "secret", schema.HEADLINE: "Classified zanzibarite",
              schema.BODY: "classified zanzibarite", schema.PUBLISHED: "2023-01-01"}
    es.index(index=name, id="secret", document=secret, refresh="true")
    return name


def test_query_syntax_cannot_reach_other_indices_or_scripts(client, other_index):
    probes = [
        f"_index:{other_index}", f"_index:{other_index} classified", f"{other_index}:classified",
        "classified", "_id:secret", "id:secret", "*:*", "*", "_all:classified", "headline:classified",
        "classif*", "/classif.*/", "/.*/", "script:1", '{"script": {"source": "1"}}',
        '{"query": {"match_all": {}}, "size": 10000}', f'{{"index": "{other_index}"}}',
    ]
    for q in probes:
        for route in ("/api/search", "/api/export", "/feeds/search.json", "/api/suggest"):
            response = client.get(route + "?" + urlencode({"q": q}))
            assert response.status_code == 200, (route, q)
            assert "Classified" not in response.get_data(as_text=True), (route, q)  # the other index's


# (A fuzzy spelling by another consonant: one that only doubles a letter or changes a vowel is another
# spelling of the same name, which the name skeletons find on purpose.)
@pytest.mark.parametrize("q", ["zanzib*", "/zanzib.*/", "zanz?barite", "zanzibarike~"])
def test_wildcards_regexes_and_fuzziness_are_not_expanded(client, q):
    assert client.get("/api/search?q=zanzibarite").json["total"]["value"] == 2  # the word itself is found
    assert client.get("/api/search?" + urlencode({"q": q})).json["total"]["value"] == 0


def _words_blanked(value):
    """The request with the text of every simple_query_string and multi_match clause replaced by "…"."""
    if isinstance(value, dict):
        for kind in ("simple_query_string", "multi_match"):
            if kind in value:
                return {kind: {**value[kind], "query": "…"}}
        return {key: _words_blanked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_words_blanked(item) for item in value]
    return value


@given(q=st.text(min_size=1, max_size=500).filter(str.strip))
@settings(max_examples=300, deadline=None)
def test_whatever_q_holds_only_the_words_of_the_request_change(q):
    """Plain words and words with operators make two shapes of request; any ``q`` gives one of them, with only
    the text of its simple_query_string and multi_match clauses different: no other index, script, query type,
    aggregation or size can come from it."""
    shapes = [_words_blanked(build_search(SearchParams(q=words))) for words in ("zanzibar", "-zanzibar")]
    assert _words_blanked(build_search(SearchParams(q=q))) in shapes


# --- credentials --------------------------------------------------------------------------------------------


def test_the_service_sends_its_read_only_credentials_and_only_reads_the_alias(hostile_settings, es_settings):
    with Relay(es_settings.es_urls[0]) as relay:
        settings = dataclasses.replace(hostile_settings, es_urls=(relay.url,), es_username="dateline_search",
                                       es_password="s3cret")
        client = create_app(settings).test_client()
        for url in _pages() + ["/api/search?q=zanzibarite", "/api/articles/hostile-1", "/healthz",
                               "/api/suggest?q=zan", "/api/facets/place?prefix=a", "/api/export?q=zan",
                               "/feeds/search.atom", "/feeds/search.json"]:
            assert client.get(url).status_code in (200, 400, 404), url
    alias = hostile_settings.alias
    expected = "Basic " + base64.b64encode(b"dateline_search:s3cret").decode()
    assert relay.requests
    for method, path, headers in relay.requests:
        assert headers.get("authorization") == expected, path
        endpoint = path.split("?")[0]
        searches = (endpoint.startswith((f"/{alias}/", f"/{alias}-"))
                    and endpoint.endswith(("/_search", "/_count")))
        scrolls = endpoint == "/_search/scroll" and method in ("POST", "DELETE")  # hybrid ranking's vectors
        takedown_lookup = endpoint.startswith(f"/{schema.takedowns_index(alias)}/_doc/") and method == "HEAD"
        reads = (endpoint == "/" and method == "GET"  # the client's check that it talks to Elasticsearch
                 or endpoint in (f"/_alias/{alias}", f"/{alias}/_mapping") and method == "GET"
                 or searches and method in ("GET", "POST") or scrolls or takedown_lookup)
        assert reads, (method, path)


def test_the_indexer_sends_its_own_credentials_and_touches_only_its_alias_and_versions(
        hostile_settings, es_settings, seeds_dir):
    alias = hostile_settings.alias + "-rebuilt"
    with Relay(es_settings.es_urls[0]) as relay:
        env = {**os.environ, "ES_URL": relay.url, "DATELINE_ALIAS": alias, "ES_API_KEY": "aW5kZXhlcjprZXk="}
        for _ in range(2):  # the second rebuild also moves the alias away from the first
            result = subprocess.run([DATELINE, "index", "rebuild", "--source", str(seeds_dir)], env=env,
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stderr
    assert {headers.get("authorization") for _, _, headers in relay.requests} == {"ApiKey aW5kZXhlcjprZXk="}
    # What the indexer's role must allow (docs/operations.md): the alias and <alias>-*, bulk writes, alias
    # moves, and cluster health.
    index = re.escape(alias) + r"(-[^/,]+)?"
    allowed = [r"GET /", rf"(HEAD|GET) /_alias/{index}", rf"(GET|HEAD|PUT|DELETE) /{index}(,{index})*",
               rf"(PUT|GET) /{index}/_(settings|mapping)(/index\.uuid)?",
               rf"(POST|GET) /{index}/_(refresh|count|search)", r"(POST|DELETE) /_search/scroll",
               r"(POST|PUT) /_bulk", r"POST /_aliases",
               rf"GET /_cluster/health/{index}"]
    for method, path, _ in relay.requests:
        request = f"{method} {path.split('?')[0]}"
        assert any(re.fullmatch(pattern, request) for pattern in allowed), request
