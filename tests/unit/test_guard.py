"""The shrink guard's rule, the reasons a refusal names, how the reader checks an export's framing, and the
export slots."""

from __future__ import annotations

import json

import pytest

from dateline import export_format
from dateline.indexer.article import Article, IncompleteExport, Skip
from dateline.indexer.readers import iter_articles
from dateline.indexer.rebuild import shrink_refusal, top_reasons
from dateline.service.export import MAX_CONCURRENT, ExportsBusy, capped, new_slots


@pytest.mark.parametrize(("new", "live", "min_ratio", "allow", "refused"), [
    (0, None, 0.9, False, False),  # a first rebuild
    (0, 0, 0.9, False, False),  # an empty archive stays empty
    (0, 1, 0.0, True, True),  # nothing replaces a non-empty archive with nothing
    (89, 100, 0.9, False, True),
    (90, 100, 0.9, False, False),
    (50, 100, 0.5, False, False),
    (1, 100, 0.9, True, False),
    (200, 100, 0.9, False, False),
])
def test_shrink_refusal(new, live, min_ratio, allow, refused):
    assert (shrink_refusal(new, live, min_ratio, allow) is not None) == refused


def test_top_reasons_count_and_locate_the_most_frequent_first():
    skipped = [Skip("a.txt", None, "empty file"), Skip("b.jsonl", 3, "broken JSON"),
               Skip("c.txt", None, "empty file"), Skip("d.txt", None, "empty file")]
    assert top_reasons(skipped, limit=1) == ["3 × empty file (first: a.txt)"]
    assert top_reasons(skipped)[1] == "1 × broken JSON (first: b.jsonl:3)"


ARTICLE = {"id": "x1", "published": "2021-01-02", "body": "Something happened in the town on Monday."}


def lines_of(tmp_path, *records) -> list:
    path = tmp_path / "export.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return list(iter_articles([str(path)]))


def opening():
    return export_format.opening("articles", "articles-1", "")


def test_a_whole_export_gives_its_articles_and_nothing_else(tmp_path):
    found = lines_of(tmp_path, opening(), ARTICLE, {**ARTICLE, "id": "x2"}, export_format.completion(2))
    assert [a.id for a in found] == ["x1", "x2"] and all(isinstance(a, Article) for a in found)
    assert lines_of(tmp_path, opening(), export_format.completion(0)) == []


@pytest.mark.parametrize(("records", "reason"), [
    ((opening(), ARTICLE), "cut short after 1 articles"),
    ((opening(), ARTICLE, export_format.failure(1, "node gone")), "ended with an error after 1 articles: node gone"),
    ((opening(), ARTICLE, "{broken", export_format.completion(1)), "counts 1 articles but 2 lines hold articles"),
    ((opening(), ARTICLE, opening(), export_format.completion(0)), "cut short after 1 articles"),  # joined files
])
def test_an_export_that_does_not_close_properly_is_an_incomplete_export(tmp_path, records, reason):
    found = lines_of(tmp_path, *records)
    [incomplete] = [s for s in found if isinstance(s, IncompleteExport)]
    assert reason in incomplete.reason


def test_plain_json_lines_and_a_stray_closing_record_are_not_exports(tmp_path):
    assert [a.id for a in lines_of(tmp_path, ARTICLE)] == ["x1"]
    found = lines_of(tmp_path, ARTICLE, export_format.completion(1))
    assert isinstance(found[1], Skip) and not isinstance(found[1], IncompleteExport)


def test_an_export_holds_its_slot_from_its_first_line_until_it_ends_or_is_closed():
    slots = new_slots()
    streams = [capped(slots, iter(["a", "b"])) for _ in range(MAX_CONCURRENT + 1)]
    assert [next(stream) for stream in streams[:MAX_CONCURRENT]] == ["a"] * MAX_CONCURRENT
    with pytest.raises(ExportsBusy):
        next(streams[MAX_CONCURRENT])
    streams[0].close()  # the client went away
    assert list(capped(slots, iter(["c"]))) == ["c"]
    assert list(streams[1]) == ["b"]  # read to the end
    assert all(slots.acquire(blocking=False) for _ in range(MAX_CONCURRENT))
