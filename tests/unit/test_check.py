"""The JSON Lines schema that `dateline index check` applies, and progress lines for logs."""

import logging

from jsonschema import Draft202012Validator

from dateline.indexer.check import article_schema, schema_errors
from dateline.indexer.progress import ProgressLines


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(article_schema().schema)


def test_a_record_with_only_a_body_is_valid_and_types_are_named_by_field():
    assert schema_errors({"body": "BAKU, Feb 1 - Text."}, "a.jsonl", 1) == []
    assert schema_errors({"body": "x", "published": "2023-02-01T10:00:00Z", "dateline": None}, "a.jsonl", 1) == []
    errors = schema_errors({"body": " ", "entities": {"people": "Ada"}, "published": "1 Feb 2023"}, "a.jsonl", 7)
    assert [(e.line, e.field) for e in errors] == [(7, "/body"), (7, "/published"), (7, "/entities/people")]
    assert errors[0].message == "' ' is not some text, not only blanks"
    assert [e.field for e in schema_errors({"headline": "no body"}, "a.jsonl", 1)] == [""]


def test_progress_lines_say_how_far_and_end_with_a_total(caplog):
    caplog.set_level(logging.INFO, logger="dateline.indexer.progress")
    with ProgressLines(total=4, what="articles", every=0) as progress:
        progress.update()
        progress.update()
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("1 articles of about 4 (25%)") and "left" in messages[0]
    assert messages[-1].startswith("read 2 articles in ")
    assert caplog.records[-1].done == 2
