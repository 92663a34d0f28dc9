"""Property tests of the article parser: any bytes give an article or a reason, never an exception, and
articles written in the formats it documents come back out as written.

Also the hostile inputs these properties led to: inputs that crashed a whole rebuild (a JSON line nested too
deeply, a number too long for Python, a folder tree deeper than the recursion limit) or made the parser
quadratic (a long paragraph of abbreviations).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.indexer.article import PUBLISHED_RULES, Article, Skip
from dateline.indexer.derive import _BLANKS, MONTH_PATTERN, _single_spaced
from dateline.indexer.readers import iter_articles
from dateline.indexer.readers.jsonl import parse_record
from dateline.indexer.readers.text import parse_text

MONTHS = "January February March April May June July August September October November December".split()
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- articles in the documented formats ---------------------------------------------------------------------

_MONTH_WORD = re.compile(rf"{MONTH_PATTERN}\b")
names = st.one_of(
    st.sampled_from(["Baku", "Tbilisi", "Qızılbulaq", "Xankəndi", "Şuşa", "New York", "Los Angeles"]),
    st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9})?", fullmatch=True),
).filter(lambda name: not _MONTH_WORD.match(name))
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzəışçğöü0123456789", min_size=1, max_size=12)
sentences = st.lists(words, min_size=1, max_size=12).map(lambda ws: " ".join(ws) + ".")
paragraphs = st.lists(st.lists(sentences, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=5)


@st.composite
def articles(draw) -> tuple[str, dict]:
    """An article as text in one of the documented layouts, and the fields it must parse into."""
    city, country = draw(names), draw(st.none() | names)
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
    body = draw(paragraphs)
    shouted = city.upper()  # wire style; the parser gives it back in title case
    if shouted.lower() == city.lower() and draw(st.booleans()):
        city_as_written = shouted
    else:
        city_as_written = city
    place = city_as_written + (f", {country}" if country else "")
    when = f"{MONTHS[day.month - 1]} {day.day}"
    if draw(st.booleans()):
        text, rule = f" date {day.isoformat()}\n{place}, {when}. " + "\n\n".join(body), "header"
    else:
        text, rule = f"{place}, {when}, {day.year} - " + "\n\n".join(body), "dateline"
    return text, {"city": city, "country": country, "published": day.isoformat(), "published_rule": rule,
                  "body": "\n\n".join(body), "source": None}


@given(articles())
@FUZZ
def test_articles_in_the_documented_formats_round_trip(case):
    text, expected = case
    article = parse_text(text.encode(), "a.txt")
    assert isinstance(article, Article), article
    assert {key: getattr(article, key) for key in expected} == expected
    assert article.encoding == "utf-8"
    first = expected["body"].split("\n\n")[0]
    if len(first) <= 600:
        assert article.lede == first


@st.composite
def damaged(draw) -> bytes:
    """A well-formed article with bytes inserted, deleted and overwritten, in any encoding."""
    text, _ = draw(articles())
    raw = bytearray(text.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), errors="replace"))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(raw)))
        edit = draw(st.sampled_from(["insert", "delete", "overwrite"]))
        chunk = draw(st.binary(min_size=1, max_size=8))
        if edit == "insert":
            raw[at:at] = chunk
        elif edit == "delete":
            del raw[at:at + len(chunk)]
        else:
            raw[at:at + len(chunk)] = chunk
    return bytes(raw)


any_input = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    damaged(),
)


def _check(result: Article | Skip) -> None:
    """What every caller of the parser relies on, whatever the input was."""
    if isinstance(result, Skip):
        assert isinstance(result.reason, str) and result.reason.strip()
        return
    assert isinstance(result, Article)
    if result.published is None:
        assert result.published_rule == "none"
    else:
        assert date.fromisoformat(result.published[:10]).isoformat() == result.published[:10]
    assert result.published_rule in PUBLISHED_RULES
    assert codecs.lookup(result.encoding).name == result.encoding
    for text in (result.headline, result.lede, result.body):
        assert text.strip() and not CONTROL.search(text)
        assert text == unicodedata.normalize("NFC", text)
    json.dumps(result.__dict__)  # goes into a bulk request as it is


@given(any_input)
@example(b".")  # a full stop alone once gave an empty headline
@FUZZ
def test_any_bytes_give_an_article_or_a_reason(raw):
    _check(parse_text(raw, "a.txt"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    | st.sampled_from(["2023-02-01", "2023-02-30", "BAKU, Azerbaijan, May 5. Text.", "   "]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
records = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={key: json_values for key in (
        "id", "headline", "body", "published", "source", "url", "dateline", "entities")}),
)


@given(records)
@FUZZ
def test_any_json_value_gives_an_article_or_a_reason(record):
    result = parse_record(record, "dump.jsonl:7")
    _check(result)
    if isinstance(result, Skip):
        assert (result.path, result.line) == ("dump.jsonl", 7)


clean_text = st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=40).filter(
    lambda t: unicodedata.normalize("NFC", t).strip())


@given(id=clean_text, headline=clean_text, source=clean_text, url=clean_text, body=clean_text,
       published=st.dates(min_value=date(1, 1, 1)))
@FUZZ
def test_given_fields_of_a_record_are_kept(id, headline, source, url, body, published):
    record = {"id": id, "headline": headline, "source": source, "url": url, "body": body,
              "published": published.isoformat()}
    article = parse_record(json.loads(json.dumps(record)), "dump.jsonl:1")
    assert isinstance(article, Article), article
    kept = {key: unicodedata.normalize("NFC", value).strip() for key, value in record.items()
            if key not in ("body", "published")}
    assert {key: getattr(article, key) for key in kept} == kept
    assert (article.published, article.published_rule) == (published.isoformat(), "given")


@given(st.lists(st.binary(max_size=300).map(lambda line: line.replace(b"\n", b" ")), max_size=12))
@settings(max_examples=150, deadline=None)
def test_a_json_lines_file_gives_one_result_for_each_line_with_content(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "dump.jsonl")
        path.write_bytes(b"\n".join(lines) + b"\n")
        found = list(iter_articles([path]))
    for item in found:
        _check(item)
    with_content = [n for n, line in enumerate(lines, 1) if line.strip()]
    if with_content:
        assert [item.line if isinstance(item, Skip) else int(item.path.rsplit(":", 1)[1])
                for item in found] == with_content
    else:
        assert [(item.line, item.reason) for item in found] == [(None, "empty file")]


# --- hostile inputs -----------------------------------------------------------------------------------------

GOOD = json.dumps({"body": "LONDON, May 5 - Oil rose.", "published": "2023-05-05"})


def test_json_lines_python_cannot_read_are_named_and_the_file_goes_on(tmp_path):
    lines = [GOOD, "[" * 100_000 + "]" * 100_000, '{"id": ' + "1" * 5000 + "}", GOOD]
    (tmp_path / "dump.jsonl").write_text("\n".join(lines) + "\n")
    found = list(iter_articles([tmp_path]))
    assert [type(item).__name__ for item in found] == ["Article", "Skip", "Skip", "Article"]
    assert found[1].reason == "unreadable JSON: nested too deeply"
    assert found[2].reason.startswith("unreadable JSON: Exceeds the limit (4300 digits)")


def test_a_folder_tree_deeper_than_the_recursion_limit_is_read(tmp_path):
    # One level at a time, made and removed: os.makedirs and shutil.rmtree are recursive themselves.
    folders = [str(tmp_path / "d")]
    for _ in range(1200):
        folders.append(os.path.join(folders[-1], "d"))
    for folder in folders:
        os.mkdir(folder)
    deep = Path(folders[-1], "a.txt")
    deep.write_bytes(b" date 2023-02-01\nBAKU, Azerbaijan, February 1. Deep down.\n")
    (tmp_path / "b.txt").write_bytes(b" date 2023-02-01\nBAKU, Azerbaijan, February 1. Next to it.\n")
    try:
        found = list(iter_articles([tmp_path]))
    finally:
        deep.unlink()
        for folder in reversed(folders):
            os.rmdir(folder)
    assert [(type(item).__name__, item.body) for item in found] == [("Article", "Next to it."),
                                                                    ("Article", "Deep down.")]


@pytest.mark.timeout(120)  # a hang guard, not a speed target: linear takes about a second, quadratic hours
def test_a_megabyte_of_abbreviations_parses_in_linear_time():
    # Each "Mr." is a full stop that does not end a sentence; a parser that rescans the text before each one
    # takes about half a minute for 64 KB and hours for a megabyte.
    raw = b" date 2023-02-01\nBAKU, Azerbaijan, February 1. " + b"Mr. " * 250_000 + b"U.S. " * 50_000
    assert isinstance(parse_text(raw, "a.txt"), Article)


@given(st.text(alphabet=st.sampled_from("ab \t\u00a0\u2003\u3000\n.")))
def test_blank_runs_collapse_to_one_space_with_or_without_the_fast_path(text):
    assert _single_spaced(text) == _BLANKS.sub(" ", text)
