"""Every input format end to end: files of each format rebuild into the index with the fields their sources
give, searches find them, hostile and broken files are named skips, and an export rebuilds to the same
articles."""

from __future__ import annotations

import dataclasses

import pytest

from dateline.indexer.readers import ReadOptions
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app
from tests import formats

from .test_cli import run

CSV_COLUMNS = {"published": "when"}
# Fields an export carries and a rebuild of it must give back unchanged.
ROUND_TRIP = ("id", "headline", "lede", "body", "published", "published_at", "byline", "topics", "language",
              "source", "url", "dateline", "entities")


@pytest.fixture
def archive(es, es_settings, index_names, tmp_path):
    """(report, test client) of one file of every format, plus hostile XML, rebuilt behind this test's alias."""
    folder = tmp_path / "archive"
    formats.write_all(folder)
    for kind in formats.HOSTILE_BODIES:
        (folder / f"laughs-{kind}.xml").write_text(formats.hostile(kind, "laughs"))
        (folder / f"xxe-{kind}.xml").write_text(formats.hostile(kind, "xxe"))
    report = rebuild(es, index_names, [str(folder)], options=ReadOptions(csv_columns=CSV_COLUMNS))
    settings = dataclasses.replace(es_settings, alias=index_names)
    return report, create_app(settings).test_client()


def _sources(es, alias: str) -> dict[str, dict]:
    hits = es.search(index=alias, size=100, sort=[{"id": "asc"}])["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def test_every_format_is_indexed_with_what_its_source_gives(es, index_names, archive):
    report, _ = archive
    # html 1, rss 2, atom 1, nitf 1, newsml 3, reuters 2 of 3, csv 2, warc 1 (the image record is a skip)
    assert report.indexed == 13
    reasons = sorted(skip.reason.split(" (")[0] for skip in report.skipped)
    assert reasons == sorted(['NEWID 2: no <BODY>', "not an HTML page: image/jpeg"]
                             + ["refused: the XML declares an entity"] * 3
                             + ["refused: the XML declares an external entity"] * 3)
    docs = _sources(es, index_names)
    nitf = docs["APA-2023-0207-001"]
    assert nitf["byline"] == "Rashad Guliyev, APA correspondent"
    assert nitf["published_at"] == "2023-02-07T14:15:00+04:00" and nitf["published"] == "2023-02-07"
    assert nitf["topics"] == ["Economy", "Agriculture", "wheat"] and nitf["language"] == "en"
    assert nitf["dateline"] == {"city": "Ganja", "country": "Azerbaijan"}
    assert docs["reuters-1"]["topics"] == ["cocoa"] and "El Salvador" in docs["reuters-1"]["entities"]["places"]
    assert docs["trend-4711"]["url"] == "https://trend.example/news/1"
    package = [doc for doc in docs.values() if doc["id"].startswith("urn:newsml:")]
    assert [doc["dateline"]["city"] for doc in package] == ["Sumgait", "Lankaran", "Sheki"]
    assert {doc["source"] for doc in package} == {"Trend"}
    assert not any("root:" in doc["body"] or "lollol" in doc["body"] for doc in docs.values())


@pytest.mark.parametrize(("query", "expected"), [
    ("turbines", "trend-4711"),  # RSS content:encoded
    ("Turkmenbashi", None),  # the HTML page: no id, so a content hash
    ("Aktau", None),  # the WARC's page
    ("silk factory", "urn:newsml:trend.example:2023-02-03:story3"),
    ("temporao", "reuters-1"),
    ("Harris County", "reuters-3"),
    ("Rainfall autumn", "APA-2023-0207-001"),
    ("great day bridge", "csv-1"),
    ("Marseille", "urn:uuid:atom-1"),
])
def test_search_finds_articles_of_every_format(archive, query, expected):
    _, client = archive
    hits = client.get("/api/search", query_string={"q": query}).json["hits"]
    assert hits, query
    if expected:
        assert hits[0]["id"] == expected


def test_topics_are_a_facet(archive):
    _, client = archive
    answer = client.get("/api/search", query_string={"topic": "cocoa"}).json
    assert [hit["id"] for hit in answer["hits"]] == ["reuters-1"]
    counts = {row["value"]: row["count"] for row in client.get("/api/search").json["facets"]["topic"]}
    assert counts["transport"] == 3 and counts["earn"] == 1


def test_page_furniture_and_comments_are_not_searchable(archive):
    _, client = archive
    for word in ("zanzibarcomment", "Footertoken", "Advertisement"):
        assert client.get("/api/search", query_string={"q": word}).json["hits"] == [], word


def test_an_export_rebuilds_to_the_same_articles(es, index_names, archive, tmp_path):
    _, client = archive
    export = tmp_path / "export.jsonl"
    export.write_bytes(client.get("/api/export").get_data())
    again = f"{index_names}-again"
    report = rebuild(es, again, [str(export)])
    assert report.indexed == 13 and not report.skipped

    def kept(docs: dict[str, dict]) -> dict[str, dict]:
        return {doc_id: {key: doc.get(key) for key in ROUND_TRIP} for doc_id, doc in docs.items()}

    def stories(docs: dict[str, dict]) -> set[frozenset[str]]:
        # The same grouping; a story's key is its first article in reading order, which an export changes.
        keys = {doc["story"] for doc in docs.values()}
        return {frozenset(i for i, doc in docs.items() if doc["story"] == key) for key in keys}

    before, after = _sources(es, index_names), _sources(es, again)
    assert kept(after) == kept(before)
    assert stories(after) == stories(before)


def test_rebuild_command_takes_format_and_csv_columns(index_names, es_settings, tmp_path):
    (tmp_path / "sheet.dat").write_text(formats.CSV)
    (tmp_path / "grain.nitf").write_text(formats.NITF)  # a telling suffix keeps its reader
    result = run("index", "rebuild", "--source", str(tmp_path), "--format", "csv", "--csv-column",
                 "published=when", alias=index_names, es_url=es_settings.es_urls[0])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Indexed 3 articles"), result.stdout

    bad = run("index", "rebuild", "--source", str(tmp_path), "--format", "pdf", alias=index_names,
              es_url=es_settings.es_urls[0])
    assert bad.returncode == 2 and "'pdf' is not one of: text, jsonl, html, feed" in bad.stderr
    bad = run("index", "rebuild", "--source", str(tmp_path), "--csv-column", "when", alias=index_names,
              es_url=es_settings.es_urls[0])
    assert bad.returncode == 2 and "give FIELD=COLUMN" in bad.stderr


def test_rebuild_help_names_every_format():
    from dateline.indexer.readers import FORMATS

    help_text = run("index", "rebuild", "--help", alias="unused", es_url="http://127.0.0.1:9").stdout
    assert all(f.name in help_text for f in FORMATS)
