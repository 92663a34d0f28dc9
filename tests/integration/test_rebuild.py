"""`dateline index rebuild` against a real node: what operators and analysts rely on."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from dateline import schema
from dateline.indexer.rebuild import RebuildError, live_index, new_index_name, rebuild, rollback, versions


def _docs(es, alias):
    result = es.search(index=alias, size=100, sort=[{schema.PUBLISHED: "asc"}])
    return [hit["_source"] for hit in result["hits"]["hits"]]


def test_seeds_become_two_documents_with_their_derived_fields(es, index_names, seeds_dir):
    report = rebuild(es, index_names, [str(seeds_dir)])

    assert (report.indexed, report.skipped) == (2, [])
    docs = _docs(es, index_names)
    assert [d["published"] for d in docs] == ["2022-12-13", "2023-02-01"]
    for doc in docs:
        assert doc["dateline"] == {"city": "Baku", "country": "Azerbaijan"}
        assert doc["source"] == "Trend"
        assert doc["headline"] and doc["body"].startswith(doc["lede"])
    assert docs[0]["story"] != docs[1]["story"]


def test_rebuilding_twice_keeps_two_documents_and_moves_the_alias(es, index_names, seeds_dir):
    first = rebuild(es, index_names, [str(seeds_dir)])
    ids = {d["id"] for d in _docs(es, index_names)}
    second = rebuild(es, index_names, [str(seeds_dir)])

    assert second.previous == first.index
    assert live_index(es, index_names) == second.index
    assert es.count(index=index_names)["count"] == 2
    assert {d["id"] for d in _docs(es, index_names)} == ids


def test_the_same_article_met_twice_is_one_document(es, index_names, seeds_dir, tmp_path):
    for copy in ("a", "b"):
        shutil.copytree(seeds_dir, tmp_path / copy)
    report = rebuild(es, index_names, [str(tmp_path)])
    assert (report.parsed, report.indexed) == (4, 2)
    assert es.count(index=index_names)["count"] == 2


def test_old_versions_beyond_keep_are_deleted_and_rollback_returns_to_the_previous_one(
        es, index_names, seeds_dir):
    built = [rebuild(es, index_names, [str(seeds_dir)], keep=1).index for _ in range(3)]

    kept = [v.index for v in versions(es, index_names)]
    assert kept == built[1:]
    assert rollback(es, index_names) == (built[2], built[1])
    assert live_index(es, index_names) == built[1]
    assert es.count(index=index_names)["count"] == 2


@pytest.mark.parametrize("text", ["‘Gizilbulagh’", "'Gizilbulagh'", "Gizilbulagh", "“Gizilbulagh”"])
def test_quote_forms_analyze_to_one_token(es, index_names, seeds_dir, text):
    rebuild(es, index_names, [str(seeds_dir)])
    for field in (schema.BODY, schema.HEADLINE):
        tokens = es.indices.analyze(index=index_names, body={"field": field, "text": text})["tokens"]
        assert [t["token"] for t in tokens] == ["gizilbulagh"]


@pytest.mark.parametrize("query", [
    "Qızılbulaq", "Kyzylbulak", "Gizilbulag", "Xankəndi", "Stepanakert", "Ханкенди", "Laçın", "Qarabağ",
    "Karabagh", "Azərbaycan", "Şuşa", "Dəmirli", "Demirli",
])
def test_spelling_variants_of_places_find_the_seeds_with_a_plain_match_query(es, index_names, seeds_dir, query):
    rebuild(es, index_names, [str(seeds_dir)])
    result = es.search(index=index_names, query={"match": {schema.BODY: query}})
    assert result["hits"]["total"]["value"] >= 1, query


def test_exact_spelling_ranks_before_a_folded_match(es, make_index, index_names):
    make_index([
        {schema.ID: "folded", schema.BODY: "Inspectors reached Qizilbulaq on Monday."},
        {schema.ID: "exact", schema.BODY: "Inspectors reached Qızılbulaq on Monday."},
    ])
    result = es.search(index=index_names, query={"match": {schema.BODY: "Qızılbulaq"}})
    assert [h["_id"] for h in result["hits"]["hits"]] == ["exact", "folded"]


def test_broken_files_are_named_and_every_good_article_is_indexed(es, index_names, seeds_dir, tmp_path):
    shutil.copytree(seeds_dir, tmp_path / "good")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "no-dateline.txt").write_text("Just some words without a place or date.\n\nMore words.\n")
    (bad / "latin1.txt").write_bytes("LONDON, March 3, 2021 - Caf\xe9 owners protested on Tuesday.\n".encode("latin-1"))
    good_line = {"body": "BAKU, Azerbaijan, May 5. Talks resumed in Baku on May 5, 2023, Trend reports."}
    (bad / "feed.jsonl").write_text(json.dumps(good_line) + "\n{not json\n")

    report = rebuild(es, index_names, [str(tmp_path)])

    reasons = {(s.path.rsplit("/", 1)[-1], s.line): s.reason for s in report.skipped}
    assert set(reasons) == {("binary.txt", None), ("empty.txt", None), ("feed.jsonl", 2)}
    assert all(reasons.values())
    assert [(p.rsplit("/", 1)[-1], enc) for p, enc in report.fallback_decodings] == [("latin1.txt", "cp1252")]
    assert es.count(index=index_names)["count"] == report.indexed == 5  # no-dateline.txt: undated, not lost
    assert report.undated == 1


def test_strict_rebuild_fails_on_a_skip_and_leaves_the_alias_serving_the_old_index(
        es, index_names, seeds_dir, tmp_path):
    before = rebuild(es, index_names, [str(seeds_dir)]).index
    shutil.copytree(seeds_dir, tmp_path / "src")
    (tmp_path / "src" / "empty.txt").write_bytes(b"")

    with pytest.raises(RebuildError, match="empty.txt"):
        rebuild(es, index_names, [str(tmp_path / "src")], strict=True)

    assert live_index(es, index_names) == before
    assert [v.index for v in versions(es, index_names)] == [before]


def test_an_index_left_by_a_killed_rebuild_is_removed_by_the_next_one(es, index_names, seeds_dir):
    served = rebuild(es, index_names, [str(seeds_dir)]).index
    orphan = new_index_name(index_names)
    body = schema.index_body()
    es.indices.create(index=orphan, **body)  # no "complete" mark, as after a SIGKILL

    assert live_index(es, index_names) == served
    report = rebuild(es, index_names, [str(seeds_dir)])
    assert orphan in report.deleted
    assert not es.indices.exists(index=orphan)


def test_twenty_thousand_json_lines_articles_index_with_none_lost(es, index_names, tmp_path):
    path = tmp_path / "corpus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n in range(20_000):
            out.write(json.dumps({
                "id": f"art-{n}",
                "headline": f"Report number {n} on grain shipments",
                "published": f"2021-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                "source": "Reuters" if n % 2 else "Trend",
                "dateline": {"city": ["Baku", "London", "Tbilisi"][n % 3], "country": None},
                "body": f"Shipment {n} left port {n % 97} carrying {n * 7 % 1000} tonnes of wheat and barley. "
                        f"Officials said inspection {n % 13} found nothing unusual.",
            }) + "\n")

    report = rebuild(es, index_names, [str(path)])

    assert report.skipped == []
    assert report.indexed == 20_000
    assert es.count(index=index_names)["count"] == 20_000


def test_a_mistake_in_the_gazetteer_or_synonyms_fails_the_rebuild_with_its_reason_before_any_index(
        es, index_names, seeds_dir, tmp_path, monkeypatch):
    bad_synonyms = tmp_path / "synonyms.txt"
    bad_synonyms.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(RebuildError):
        rebuild(es, index_names, [str(seeds_dir)], synonyms=bad_synonyms)
    with pytest.raises(RebuildError, match="missing.txt"):
        rebuild(es, index_names, [str(seeds_dir)], synonyms=tmp_path / "missing.txt")
    assert versions(es, index_names) == []


def test_a_truncated_gzip_file_is_skipped_and_named_not_a_crash(es, index_names, seeds_dir, tmp_path):
    whole = gzip.compress(b'{"body": "BAKU, Azerbaijan, May 5. Talks resumed on May 5, 2023."}\n' * 50)
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    report = rebuild(es, index_names, [str(seeds_dir), str(tmp_path)])
    assert report.indexed >= 2
    assert any(skip.path.endswith("cut.jsonl.gz") for skip in report.skipped)
