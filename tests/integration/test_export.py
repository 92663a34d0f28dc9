"""Deep paging and export against a real node, over an archive of 20,000 generated articles.

Paging past the first 10,000 results goes on with cursors (``search_after`` on the index that served the
previous page), in the same order, with the same parameters checked. Export streams every matching article as
JSON Lines in the indexer's input shape: an export of the whole archive re-indexes with
``dateline index rebuild --source export.jsonl`` to the same 20,000 articles, and memory stays flat while
it streams. The export opens and closes with its own records, the last one counting the articles; under
``dateline serve`` a process streams two exports at a time and answers a third with 429.

The archive is built once for the module (about 15 seconds). The last test moves its alias.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from dateline.indexer.article import Article
from dateline.indexer.readers.jsonl import parse_record
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app
from dateline.service.cursor import Cursor, encode, fingerprint
from dateline.service.params import SearchParams

from . import articles_jsonl, corpus

SIZE = 20_000
DATELINE = str(Path(sys.executable).with_name("dateline"))


def records(count: int, seed: int = 20_000) -> list[dict]:
    """Articles in the indexer's JSON Lines shape, each its own story: bodies of random words. Three in five
    mention "dispatch", one to three times, so a search for it finds more than 10,000 with varied scores."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abdeghiklmnoprstuvyz") for _ in range(rng.randrange(4, 10)))
                  for _ in range(3000)]
    found = []
    for n in range(count):
        words = rng.choices(vocabulary, k=50)
        if rng.random() < 0.6:
            words[5:5] = ["dispatch"] * rng.randrange(1, 4)
        found.append({
            "id": f"exp{n:06d}",
            "headline": " ".join(words[:6]).capitalize(),
            "published": (date(2015, 1, 1) + timedelta(days=rng.randrange(3000))).isoformat(),
            "source": rng.choice(["Trend", "Reuters", "APA", None]),
            "url": f"https://news.example/{n}",
            "dateline": {"city": "Baku", "country": "Azerbaijan"},
            "entities": {"organizations": [], "places": ["Baku", "Azerbaijan"], "people": []},
            "body": " ".join(words[:25]).capitalize() + ".\n\n" + " ".join(words[25:]).capitalize() + ".",
        })
    return found


RECORDS = records(SIZE)
NEWEST_FIRST = [r["id"] for r in sorted(sorted(RECORDS, key=lambda r: r["id"]), key=lambda r: r["published"],
                                        reverse=True)]


@pytest.fixture(scope="module")
def archive(es, es_settings, tmp_path_factory):
    """(alias, settings, test client) of the 20,000 articles, rebuilt as an operator would."""
    alias = f"test-{uuid.uuid4().hex[:10]}"
    source = articles_jsonl.write(tmp_path_factory.mktemp("archive") / "archive.jsonl", RECORDS)
    report = rebuild(es, alias, [str(source)], keep=2)
    assert report.indexed == SIZE and not report.skipped
    settings = dataclasses.replace(es_settings, alias=alias)
    yield alias, settings, create_app(settings).test_client()
    names = list(es.indices.get(index=f"{alias}-*", ignore_unavailable=True))
    if names:
        es.indices.delete(index=",".join(names), ignore_unavailable=True)


def ids_of(answer: dict) -> list[str]:
    return [hit["id"] for hit in answer["hits"]]


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.json


# Deep paging -----------------------------------------------------------------------------------------------


def test_past_10000_results_the_next_link_is_a_cursor_that_goes_on_in_order(archive):
    _, _, client = archive
    last_page = get(client, "/api/search?sort=newest&size=100&page=100")
    assert ids_of(last_page) == NEWEST_FIRST[9_900:10_000]
    url, seen = last_page["pages"]["next"], []
    assert "after=" in url and "page=" not in url
    for _ in range(3):
        answer = get(client, url)
        assert answer["pages"]["prev"] is None and answer["pages"]["page"] is None
        seen += ids_of(answer)
        url = answer["pages"]["next"]
    assert seen == NEWEST_FIRST[10_000:10_300]


def test_relevance_cursors_reach_every_result_once_with_falling_scores(archive):
    _, _, client = archive
    total = sum("dispatch" in r["body"] for r in RECORDS)
    assert total > 10_000
    last_page = get(client, "/api/search?q=dispatch&size=100&page=100")
    earlier = set(ids_of(last_page)) | set(ids_of(get(client, "/api/search?q=dispatch&size=100")))
    scores, ids, url = [last_page["hits"][-1]["score"]], [], last_page["pages"]["next"]
    while url:
        answer = get(client, url)
        scores += [hit["score"] for hit in answer["hits"]]
        ids += ids_of(answer)
        url = answer["pages"]["next"]
    assert scores == sorted(scores, reverse=True)
    assert len(ids) == len(set(ids)) == total - 10_000
    assert not earlier & set(ids)


def test_a_cursor_page_says_where_it_is(archive):
    _, _, client = archive
    cursor_url = get(client, "/api/search?sort=newest&size=100&page=100")["pages"]["next"]
    text = client.get(cursor_url.replace("/api/search", "/search")).get_data(as_text=True)
    assert "Results 10,001–10,100" in text
    assert "Past the first 10,000 results every version of a story is listed on its own." in text
    assert 'rel="next"' in text and 'href="/search?sort=newest&amp;size=100">← First page</a>' in text


def test_bad_cursors_are_a_400_naming_the_parameter(archive):
    alias, _, client = archive
    params = SearchParams(sort="newest", size=100)
    good = parse_qs(urlsplit(get(client, "/api/search?sort=newest&size=100&page=100")["pages"]["next"]).query)
    cursor = good["after"][0]
    forged = [
        encode(Cursor("other-archive", (1, "x"), 10, fingerprint(params))),  # an index outside the alias
        encode(Cursor(f"{alias}-other", (1, "x"), 10, fingerprint(params))),  # beside it, not a version of it
        encode(Cursor(f"{alias}-x", ("yesterday", "x"), 10, fingerprint(params))),  # a date that is not one
        encode(Cursor(f"{alias}-x", (1,), 10, fingerprint(params))),  # too few sort values
        encode(Cursor(f"{alias}-x", (1, "x"), -5, fingerprint(params))),
    ]
    bad = [{"after": "not a cursor!"}, {"after": "bm90IGpzb24"}, {"after": "x" * 2001},
           {"after": cursor, "q": "dispatch"},  # the cursor of another search
           {"after": cursor, "sort": "oldest"},
           {"after": cursor, "page": "2"},
           *({"after": token} for token in forged)]
    for query in bad:
        url = "/api/search?" + urlencode({"sort": "newest", "size": "100", **query})
        error = get(client, url, 400)["error"]
        assert error["parameter"] == "after", query
        page = client.get("/search?" + urlencode({"sort": "newest", "size": "100", **query}))
        assert page.status_code == 400 and "Traceback" not in page.get_data(as_text=True)


# Export ----------------------------------------------------------------------------------------------------


def stream(client, url: str) -> tuple[list[str], int]:
    """The lines of a streamed answer, and the peak of Python's memory while reading it."""
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        assert response.status_code == 200
        assert response.mimetype == "application/x-ndjson"
        ids = []
        for chunk in response.response:
            ids += [record["id"] for record in map(json.loads, chunk.splitlines()) if "id" in record]
        response.close()
        return ids, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_while_an_export_streams(archive):
    _, _, client = archive
    some, some_peak = stream(client, "/api/export?from=2015-01-01&to=2015-12-31")
    every, every_peak = stream(client, "/api/export")
    assert 2_000 < len(some) < 3_000 and len(every) == SIZE
    assert every_peak < 1.5 * some_peak, (some_peak, every_peak)  # ten times the articles, not the memory


def test_an_export_of_all_20000_reindexes_to_the_same_articles(archive, es, tmp_path):
    alias, settings, client = archive
    export = tmp_path / "export.jsonl"
    with export.open("wb") as out:
        response = client.get("/api/export", buffered=False)
        for chunk in response.response:
            out.write(chunk)
        response.close()
    opening, *lines, closing = export.read_text(encoding="utf-8").splitlines()
    assert json.loads(opening)["dateline_export"]["index"] == next(iter(es.indices.get_alias(name=alias)))
    assert json.loads(closing) == {"dateline_export": {"complete": True, "articles": SIZE}}
    assert len(lines) == SIZE and {json.loads(line)["id"] for line in lines} == {r["id"] for r in RECORDS}

    copy = f"{alias}-copy"
    done = subprocess.run([DATELINE, "index", "rebuild", "--source", str(export), "--keep", "0", "--strict"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DATELINE_ALIAS": copy, "ES_URL": settings.es_urls[0]})
    assert done.returncode == 0, done.stderr
    assert es.count(index=copy)["count"] == SIZE
    again = create_app(dataclasses.replace(settings, alias=copy)).test_client().get("/api/export")
    assert again.get_data(as_text=True).splitlines()[1:-1] == lines  # the same articles, field for field


def test_exported_lines_are_the_indexers_input_unchanged(corpus_settings):
    client = create_app(corpus_settings).test_client()
    response = client.get("/api/export?" + urlencode({"q": "harvest"}))
    assert response.headers["Content-Disposition"] == 'attachment; filename="export.jsonl"'
    by_id = {doc["id"]: doc for doc in corpus.articles()}
    opening, *lines, closing = response.get_data(as_text=True).splitlines()
    assert json.loads(opening)["dateline_export"]["query"] == "q=harvest"
    assert json.loads(closing)["dateline_export"] == {"complete": True, "articles": len(lines)}
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        doc["id"] for doc in corpus.articles() if corpus.has_word(doc, "harvest"))
    for number, line in enumerate(lines, 1):
        record = json.loads(line)
        assert set(record) == {"id", "headline", "published", "source", "url", "byline", "language", "topics",
                               "dateline", "entities", "body"}
        article = parse_record(record, f"export.jsonl:{number}")
        doc = by_id[record["id"]]
        assert isinstance(article, Article), article
        given = (article.id, article.headline, article.published, article.source, article.url, article.body)
        assert given == tuple(doc[key] for key in ("id", "headline", "published", "source", "url", "body"))
        assert (article.city, article.country, article.entities) == (
            doc["dateline"]["city"], doc["dateline"]["country"], doc["entities"])


def test_an_export_of_nothing_holds_no_article_and_bad_parameters_are_a_400(corpus_settings):
    client = create_app(corpus_settings).test_client()
    opening, closing = map(json.loads, client.get("/api/export?q=xqzvw").get_data().splitlines())
    assert opening["dateline_export"]["index"] is None
    assert closing == {"dateline_export": {"complete": True, "articles": 0}}
    response = client.get("/api/export?from=someday")
    assert response.status_code == 400 and response.json["error"]["parameter"] == "from"


def _export_request(port: int) -> socket.socket:
    """An export asked for over a socket that reads its first bytes and then nothing: the server stays busy
    sending it (the small receive window holds the rest of the 20,000 articles back)."""
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.settimeout(60)
    conn.connect(("127.0.0.1", port))
    conn.sendall(b"GET /api/export HTTP/1.1\r\nHost: x\r\n\r\n")
    return conn


def _answer_head(conn: socket.socket) -> bytes:
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(1024)
    return head


def _get(port: int, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers (their names in any case) and body of a GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        conn.close()


def test_beyond_two_concurrent_exports_a_worker_answers_429_with_retry_after(archive, es_settings):
    alias, _, _ = archive
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATELINE_ALIAS": alias, "ES_URL": es_settings.es_urls[0]}
    server = subprocess.Popen([DATELINE, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    held = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "dateline serve did not start"
            time.sleep(0.2)
        held = [_export_request(port) for _ in range(2)]
        for conn in held:
            assert _answer_head(conn).startswith(b"HTTP/1.1 200")
        status, headers, body = _get(port, "/api/export")
        assert (status, headers["Retry-After"]) == (429, "30")
        assert "2 exports are running already" in json.loads(body)["error"]["message"]

        held.pop().close()  # the client goes away: its slot is freed once the server notices
        deadline = time.monotonic() + 30
        while (again := _get(port, "/api/export?from=2015-01-01&to=2015-01-31"))[0] == 429:
            assert time.monotonic() < deadline, "the slot of a closed export was never freed"
            time.sleep(0.5)
        assert again[0] == 200
        assert json.loads(again[2].splitlines()[-1])["dateline_export"]["complete"] is True
    finally:
        for conn in held:
            conn.close()
        server.terminate()
        server.wait(timeout=30)


# Last: this moves the archive's alias ----------------------------------------------------------------------


def test_a_cursor_keeps_paging_through_its_archive_while_a_rebuild_moves_the_alias(archive, es, tmp_path):
    alias, _, client = archive
    cursor_url = get(client, "/api/search?sort=newest&size=100&page=100")["pages"]["next"]
    old_index = next(iter(es.indices.get_alias(name=alias)))
    rebuild(es, alias, [str(articles_jsonl.write(tmp_path / "small.jsonl", records(30, seed=1)))], keep=2,
            allow_shrink=True)
    assert get(client, "/api/search")["total"]["value"] == 30
    assert ids_of(get(client, cursor_url)) == NEWEST_FIRST[10_000:10_100]  # the archive it started in

    es.indices.delete(index=old_index)  # that version is gone now: the cursor cannot go on
    error = get(client, cursor_url, 400)["error"]
    assert error["parameter"] == "after" and "start the search again" in error["message"]
