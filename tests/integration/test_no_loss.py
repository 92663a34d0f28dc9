"""Every readable article is indexed, whatever its date, language or encoding (against a real node)."""

from __future__ import annotations

import re

import pytest

from dateline import schema
from dateline.indexer.rebuild import rebuild
from dateline.service.query import full_text_query

from . import no_loss_corpus as corpus

# What text decoded in the wrong encoding looks like: UTF-8 or cp1251 bytes read as Latin-1 or cp1252.
MOJIBAKE = re.compile(r"[ÃÂÐÑ][\u0080-\u00bf\u0152-\u0192\u2018-\u203a]|[\u00c0-\u00ff]{4,}|\ufffd")


@pytest.fixture(scope="module")
def built(es, tmp_path_factory):
    folder = tmp_path_factory.mktemp("no-loss")
    corpus.write(folder)
    alias = f"test-no-loss-{id(folder):x}"
    report = rebuild(es, alias, [str(folder)])
    hits = es.search(index=alias, size=100)["hits"]["hits"]
    docs = {}
    for hit in hits:
        path = hit["_source"][schema.PATH].removeprefix(f"{folder}/")
        docs[hit["_source"][schema.ID] if ".jsonl:" in path else path] = hit["_source"]
    yield report, docs, alias
    es.indices.delete(index=report.index)


def test_every_readable_article_is_indexed_once(built):
    report, docs, _ = built
    assert report.skipped == []
    assert report.indexed == len(docs) == len(corpus.CASES) + len(corpus.RECORDS)
    undated = [e for *_, e in corpus.CASES if e["published"] is None]
    undated += [e for _, e in corpus.RECORDS if e["published"] is None]
    assert report.undated == len(undated)


def _fields(doc: dict) -> dict:
    return {"published": doc.get(schema.PUBLISHED), "published_at": doc.get(schema.PUBLISHED_AT),
            "published_rule": doc[schema.PUBLISHED_RULE], "city": doc["dateline"]["city"],
            "country": doc["dateline"]["country"], "language": doc[schema.LANGUAGE], "source": doc[schema.SOURCE]}


@pytest.mark.parametrize("path, expected", [(path, expected) for path, _, expected in corpus.CASES])
def test_text_files_give_their_date_place_language_and_source(built, path, expected):
    _, docs, _ = built
    assert {k: v for k, v in _fields(docs[path]).items() if k in expected} == expected


@pytest.mark.parametrize("record, expected", corpus.RECORDS, ids=[r["id"] for r, _ in corpus.RECORDS])
def test_json_lines_published_forms(built, record, expected):
    _, docs, _ = built
    assert {k: v for k, v in _fields(docs[record["id"]]).items() if k in expected} == expected


def test_guessed_encodings_are_named_and_ambiguous_dates_reported(built):
    report, _, _ = built
    guessed = {path.rsplit("/", 1)[-1]: encoding for path, encoding in report.fallback_decodings}
    assert guessed == {"cp1251-protests.txt": "cp1251", "koi8-budget.txt": "koi8-r", "utf16-rail.txt": "utf-16",
                       "paris-greve.txt": "cp1252", "ankara-enflasyon.txt": "cp1254"}
    assert [(path.rsplit("/", 1)[-1], note) for path, note in report.notes] == [
        ("records.jsonl:8", "\"published\" is ambiguous: '01/02/2023' could be day/month or month/day; "
                            "the date is read from the text instead")]


def test_no_mojibake_in_any_stored_field(built):
    _, docs, _ = built
    for key, doc in docs.items():
        for field in (schema.HEADLINE, schema.LEDE, schema.BODY, schema.SOURCE):
            assert not MOJIBAKE.search(doc[field] or ""), (key, field, doc[field])


def _search(es, alias, words):
    hits = es.search(index=alias, query=full_text_query(words), size=10)["hits"]["hits"]
    return [hit["_source"][schema.PATH].rsplit("/", 1)[-1] for hit in hits]


@pytest.mark.parametrize("words", ["протесты", "протестами", "ПРОТЕСТОВ"])
def test_a_russian_word_in_another_inflection_finds_its_article(es, built, words):
    _, _, alias = built
    assert _search(es, alias, words) == ["cp1251-protests.txt"]


def test_one_query_searches_every_language_and_english_keeps_its_stemming(es, built):
    _, _, alias = built
    assert _search(es, alias, "afiliacion paro") == ["madrid-empleo.txt"]
    assert _search(es, alias, "neftin") == ["baki-neft.txt"]
    assert _search(es, alias, "reforme retraites") == ["paris-greve.txt"]  # accents folded, no stemmer needed
    assert _search(es, alias, "flooding roads")[0] == "bbc-rain.txt"  # articles with every word first


def test_languages_are_a_facet(es, built):
    _, _, alias = built
    buckets = es.search(index=alias, size=0, aggs={"l": {"terms": {"field": schema.LANGUAGE}}})
    counts = {b["key"]: b["doc_count"] for b in buckets["aggregations"]["l"]["buckets"]}
    assert counts == {"en": 14, "ru": 3, "fr": 1, "de": 1, "az": 1, "tr": 1, "es": 1}


def test_undated_articles_have_no_published_and_sort_last(es, built):
    _, docs, alias = built
    undated = {key for key, doc in docs.items() if doc.get(schema.PUBLISHED) is None}
    assert all(docs[key][schema.PUBLISHED_RULE] == "none" for key in undated)
    for order in ("asc", "desc"):
        hits = es.search(index=alias, size=100, sort=[{schema.PUBLISHED: order}])["hits"]["hits"]
        dated = [hit["_source"].get(schema.PUBLISHED) is not None for hit in hits]
        assert dated == sorted(dated, reverse=True)  # every dated article before every undated one


@pytest.fixture(scope="module")
def service(built, es_settings):
    import dataclasses

    from dateline.service.app import create_app

    _, _, alias = built
    return create_app(dataclasses.replace(es_settings, alias=alias)).test_client()


def _api(service, **args):
    answer = service.get("/api/search", query_string=args)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_json_says_how_many_matching_articles_are_undated(service):
    undated = len([e for *_, e in corpus.CASES if e["published"] is None and e["language"] == "en"])
    undated += len([e for _, e in corpus.RECORDS if e["published"] is None])
    answer = _api(service, language="en")
    assert answer["undated"]["count"] == answer["histogram"]["undated"] == undated
    assert answer["undated"]["left_out"] is None and "undated=1" in answer["undated"]["url"]


def test_a_date_range_leaves_undated_articles_out_and_says_how_many(service):
    everything = _api(service)
    ranged = _api(service, **{"from": "2000-01-01", "to": "2030-12-31"})
    assert ranged["total"]["value"] == everything["total"]["value"] - everything["undated"]["count"]
    assert ranged["undated"] == {"count": 0, "left_out": everything["undated"]["count"],
                                 "url": ranged["undated"]["url"]}
    page = service.get("/search", query_string={"from": "2000-01-01", "to": "2030-12-31"}).get_data(as_text=True)
    assert f"leaves out {everything['undated']['count']} matching articles whose date is unknown" in page


def test_undated_1_lists_just_the_undated_articles_and_the_page_says_date_unknown(service, built):
    _, docs, _ = built
    answer = _api(service, undated="1", size=50)
    assert {hit["id"] for hit in answer["hits"]} == {doc[schema.ID] for doc in docs.values()
                                                     if doc.get(schema.PUBLISHED) is None}
    assert all(hit["published"] is None for hit in answer["hits"])
    page = service.get("/search", query_string={"undated": "1"}).get_data(as_text=True)
    assert "date unknown" in page and "Date unknown" in page  # in each row, and the chip of the filter
    assert service.get("/api/search?undated=1&from=2023-01-01").status_code == 400


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_newest_and_oldest_put_undated_articles_last(service, sort):
    hits = _api(service, sort=sort, size=50)["hits"]
    dated = [hit["published"] for hit in hits if hit["published"]]
    assert [hit["published"] is not None for hit in hits] == [True] * len(dated) + [False] * (len(hits) - len(dated))
    assert dated == sorted(dated, reverse=sort == "newest")


def test_the_language_facet_and_a_russian_query_through_the_service(service):
    facet = {row["value"]: row["count"] for row in _api(service)["facets"]["language"]}
    assert facet["ru"] == 3 and facet["en"] == 14
    answer = _api(service, q="протестами")
    assert [hit["dateline"]["city"] for hit in answer["hits"]] == ["Moscow"]
    assert _api(service, language="ru")["total"]["value"] == 3


def test_held_out_articles_are_all_indexed_with_their_dates_and_languages(tmp_path):
    """The held-out corpus, written before the rules: every article in, every date, rule and language right.
    (Its places are scored, not asserted: the gazetteer knows only some of its cities.)"""
    from dateline.indexer.pipeline import documents

    from .no_loss_heldout import HELD_OUT, HELD_OUT_JSONL

    corpus.write(tmp_path, HELD_OUT, HELD_OUT_JSONL, "heldout/records.jsonl")
    expected = {str(tmp_path / path): e for path, _, e in HELD_OUT} | {r["id"]: e for r, e in HELD_OUT_JSONL}
    found = {}
    for item in documents([str(tmp_path)]):
        source = item.source
        key = item.id if ".jsonl:" in source[schema.PATH] else source[schema.PATH]
        found[key] = {"published": source[schema.PUBLISHED], "published_at": source[schema.PUBLISHED_AT],
                      "published_rule": source[schema.PUBLISHED_RULE], "language": source[schema.LANGUAGE]}
    assert set(found) == set(expected)
    for key, fields in found.items():
        assert {k: v for k, v in fields.items() if k in expected[key] or k == "published_at" and v} == {
            k: expected[key][k] for k in fields if k in expected[key]}, key


def test_a_one_day_range_holds_the_articles_timed_within_that_day(service):
    answer = _api(service, **{"from": "2023-02-01", "to": "2023-02-01"}, size=50)
    found = {hit["id"] for hit in answer["hits"] if hit["published"]}
    assert {"iso-offset", "rfc2822", "epoch", "month-first", "day-first"} <= found
    assert all(hit["published"][:10] == "2023-02-01" for hit in answer["hits"])
    assert sum(bar["count"] for bar in answer["histogram"]["buckets"]) == answer["total"]["value"]
