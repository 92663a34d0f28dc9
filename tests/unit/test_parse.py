"""Parsing articles: plain text with a dateline, JSON Lines records, and every kind of bad input."""

import gzip
import json
import os

import pytest

from dateline.indexer.article import Article, Skip
from dateline.indexer.readers import iter_articles
from dateline.indexer.readers.jsonl import parse_record
from dateline.indexer.readers.text import parse_text


def parse(text: str) -> Article | Skip:
    return parse_text(text.encode(), "a.txt")


def articles(items) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def skips(items) -> dict[str, Skip]:
    return {os.path.basename(item.path) + (f":{item.line}" if item.line else ""): item
            for item in items if isinstance(item, Skip)}


# --- the seeds ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(seeds_dir) -> dict[str, Article]:
    found = list(iter_articles([seeds_dir]))
    assert all(isinstance(a, Article) for a in found), found
    return {a.path.rsplit("/", 1)[1][:3]: a for a in found}


def test_seed_000_takes_its_date_from_the_header_on_the_dateline_line(seeds):
    article = seeds["000"]
    assert (article.published, article.published_rule) == ("2023-02-01", "header")
    assert (article.city, article.country, article.source) == ("Baku", "Azerbaijan", "Trend")
    assert article.body.startswith("Members of the Russian Community of Azerbaijan")
    assert "date 2023" not in article.body and "BAKU" not in article.body


def test_seed_003_infers_the_year_from_a_full_date_in_the_text(seeds):
    article = seeds["003"]
    assert (article.published, article.published_rule) == ("2022-12-13", "dateline-year-from-text")
    assert (article.city, article.country, article.source) == ("Baku", "Azerbaijan", "Trend")


def test_seed_headline_lede_and_body(seeds):
    article = seeds["000"]
    assert article.lede == article.body.split("\n\n")[0]
    assert article.lede.endswith("Trend reports.")
    assert article.body.count("\n\n") == 6  # seven paragraphs
    assert article.headline.startswith("Members of the Russian Community of Azerbaijan")
    assert article.headline.endswith("…") and len(article.headline) <= 151
    assert not article.headline[:-1].endswith(" ")  # cut at a word boundary
    assert article.encoding == "utf-8" and article.id is None
    assert article.path.endswith("seeds/000_176b7342f17675ed.txt")


# --- datelines ----------------------------------------------------------------------------------------------

def test_london_dateline_without_a_country():
    article = parse(" date 1987-03-03\nLONDON, March 3 - Oil prices rose, dealers said.")
    assert (article.city, article.country, article.published) == ("London", None, "1987-03-03")
    assert article.body == "Oil prices rose, dealers said."


def test_reuters_agency_in_the_dateline():
    article = parse(" date 1987-03-03\nWASHINGTON (Reuters) - The Treasury said it would sell bonds.")
    assert (article.city, article.source) == ("Washington", "Reuters")
    assert article.body == "The Treasury said it would sell bonds."


def test_reuters_wire_copy_with_month_abbreviation_and_indented_paragraphs():
    article = parse("    NEW YORK, Feb 26 - Shares fell on Feb 25, 1987, in\nheavy trading.\n"
                    "    Volume was light, traders said.\n")
    assert (article.city, article.country) == ("New York", None)
    assert (article.published, article.published_rule) == ("1987-02-26", "dateline-year-from-text")
    assert article.body == "Shares fell on Feb 25, 1987, in heavy trading.\n\nVolume was light, traders said."
    assert article.lede == "Shares fell on Feb 25, 1987, in heavy trading."


@pytest.mark.parametrize("dash", ["-", "–", "—", "--"])
def test_any_dash_ends_a_dateline(dash):
    article = parse(f"PARIS, March 3, 1987 {dash} Bread rose.")
    assert (article.city, article.published, article.published_rule) == ("Paris", "1987-03-03", "dateline")
    assert article.body == "Bread rose."


def test_us_state_in_the_dateline_is_kept_as_written():
    article = parse("    SAN MATEO, Calif., March 2, 1987 - Net rose.")
    assert (article.city, article.country) == ("San Mateo", "Calif.")


def test_agency_credited_in_the_lede():
    article = parse("BAKU, Azerbaijan, December 13. The committee told Trend on December 13, 2022 that ...")
    assert article.source == "Trend"


def test_year_from_a_recent_date_in_another_month():
    article = parse("BAKU, Azerbaijan, February 1. Protests have gone on since December 12, 2022.")
    assert (article.published, article.published_rule) == ("2023-02-01", "dateline-year-from-recent-date")


def test_no_year_anywhere_is_indexed_undated_not_guessed():
    article = parse("BAKU, Azerbaijan, February 1. Protests went on, as in the 2020 war.")
    assert (article.published, article.published_rule, article.city) == (None, "none", "Baku")


def test_a_dateline_without_a_date_is_undated_unless_the_path_has_one():
    article = parse("WASHINGTON (Reuters) - The Treasury said it would sell bonds.")
    assert (article.published, article.published_rule, article.source) == (None, "none", "Reuters")
    dated = parse_text(b"WASHINGTON (Reuters) - The Treasury said it would sell bonds.", "wire/1987-10-19-bonds.txt")
    assert (dated.published, dated.published_rule) == ("1987-10-19", "path")


def test_a_year_in_the_path_completes_a_dateline_month_and_day():
    for path in ("archive/2005/08/18/story.txt", "2005-08-18-title.txt", "archive/2005/story.txt"):
        article = parse_text(b"LONDON, August 18 (BBC) - Rain fell across the country.", path)
        assert (article.published, article.published_rule) == ("2005-08-18", "dateline-year-from-path")


def test_impossible_dates_are_noted_and_the_article_kept():
    header = parse(" date 2023-02-30\nBAKU, Azerbaijan, February 1. Text.")
    assert (header.published, header.published_rule) == (None, "none")
    assert header.notes == ("date header: '2023-02-30' is not a date",)
    dateline = parse("BAKU, Azerbaijan, February 30, 2023. Text.")
    assert (dateline.published, dateline.notes) == (None, ("the dateline gives February 30, 2023, which does not "
                                                           "exist",))


def test_text_without_a_dateline_is_an_article():
    article = parse(" date 2023-02-01\nAnalysts said prices would rise.")
    assert (article.headline, article.published, article.city) == ("Analysts said prices would rise", "2023-02-01",
                                                                   None)


@pytest.mark.parametrize("text, published, city, source", [
    ("МОСКВА, 7 февраля 2023 (ТАСС) - Президент выступил.", "2023-02-07", "Москва", "ТАСС"),
    ("PARIS, 3 mars 2023 (AFP) - Le président a parlé.", "2023-03-03", "Paris", "AFP"),
    ("BAKI, 1 fevral 2023 (Trend) - Prezident çıxış edib.", "2023-02-01", "Baki", "Trend"),
    ("ANKARA, 1 Şubat 2023 (AA) - Cumhurbaşkanı konuştu.", "2023-02-01", "Ankara", "AA"),
    ("BERLIN, 3. März 2023 (dpa) - Der Kanzler sprach.", "2023-03-03", "Berlin", "dpa"),
    ("MADRID, 3 de marzo de 2023 (EFE) - El presidente habló.", "2023-03-03", "Madrid", "EFE"),
    ("LONDON, 1 Feb 2023 - The minister spoke.", "2023-02-01", "London", None),
])
def test_datelines_in_other_languages(text, published, city, source):
    article = parse(text)
    assert (article.published, article.published_rule, article.city, article.source) == (published, "dateline",
                                                                                           city, source)


def test_capital_datelines_in_any_script_become_title_case():
    assert [parse(f"{city}, 1 Şubat 2023 (AA) - Metin.").city for city in ("İZMİR", "SANKT-PETERBURG", "GƏNCƏ")] \
        == ["İzmir", "Sankt-Peterburg", "Gəncə"]


def test_a_written_date_header_in_another_language():
    article = parse(" date: 7 февраля 2023\nМОСКВА (ТАСС) - Текст.")
    assert (article.published, article.published_rule, article.city) == ("2023-02-07", "header", "Москва")


# --- headlines ----------------------------------------------------------------------------------------------

def test_headline_is_the_first_sentence_not_cut_at_abbreviations():
    article = parse(" date 1987-12-07\nWASHINGTON (Reuters) - Mr. Baker told the U.S. Senate on Dec. 5 that "
                    "rates would fall. He gave no date.")
    assert article.headline == "Mr. Baker told the U.S. Senate on Dec. 5 that rates would fall"


def test_long_headline_is_cut_at_a_word_boundary():
    words = " ".join(["protest"] * 40)
    article = parse(f" date 2023-02-01\nBAKU, Azerbaijan, February 1. {words}.")
    assert article.headline.endswith("protest…") and len(article.headline) <= 151


# --- JSON Lines records -------------------------------------------------------------------------------------

def test_given_fields_are_kept_and_missing_ones_derived():
    record = {"id": "r-1", "headline": "BAHIA COCOA REVIEW", "published": "1987-02-26T15:01:01Z",
              "url": "https://example.org/1", "body": "    SALVADOR, Feb 26 - Showers continued.",
              "entities": {"places": ["Brazil"]}}
    article = parse_record(record, "dump.jsonl:3")
    assert (article.id, article.headline, article.url) == ("r-1", "BAHIA COCOA REVIEW", "https://example.org/1")
    assert (article.published, article.published_rule) == ("1987-02-26", "given")
    assert (article.city, article.body, article.path) == ("Salvador", "Showers continued.", "dump.jsonl:3")
    assert article.entities == {"places": ["Brazil"]}


def test_a_given_dateline_wins_over_the_body():
    record = {"body": "LONDON, March 3, 1987 - Text.", "dateline": {"city": "Leeds", "country": None}}
    article = parse_record(record, "dump.jsonl:1")
    assert (article.city, article.country, article.published) == ("Leeds", None, "1987-03-03")


@pytest.mark.parametrize("record, reason", [
    ({"headline": "x"}, 'no "body"'),
    ({"body": 12}, '"body" must be a string, not int'),
    ({"body": "x", "published": "2023-01-01", "dateline": "Baku"}, '"dateline" must be an object'),
])
def test_bad_records_are_skipped_with_the_line_and_reason(record, reason):
    skip = parse_record(record, "dump.jsonl:7")
    assert (skip.path, skip.line) == ("dump.jsonl", 7)
    assert skip.reason.startswith(reason)


@pytest.mark.parametrize("published, day, moment", [
    ("2023-02-01T10:00:00+04:00", "2023-02-01", "2023-02-01T10:00:00+04:00"),
    ("Wed, 01 Feb 2023 10:00:00 +0400", "2023-02-01", "2023-02-01T10:00:00+04:00"),
    ("February 1, 2023", "2023-02-01", None),
    ("1 Feb 2023", "2023-02-01", None),
    ("1 февраля 2023", "2023-02-01", None),
    (1675245600, "2023-02-01", "2023-02-01T10:00:00+00:00"),
    ("1675245600", "2023-02-01", "2023-02-01T10:00:00+00:00"),
    ("2023-02-01", "2023-02-01", None),
    ("25/12/2023", "2023-12-25", None),
])
def test_given_published_forms(published, day, moment):
    article = parse_record({"body": "Text.", "published": published}, "dump.jsonl:1")
    assert (article.published, article.published_at, article.published_rule, article.notes) == (
        day, moment, "given", ())


@pytest.mark.parametrize("published, note", [
    ("01/02/2023", "\"published\" is ambiguous: '01/02/2023' could be day/month or month/day"),
    ("3 March", "\"published\" is not a date: '3 March'"),
    ("2023-02-30", "\"published\" is not a date: '2023-02-30'"),
])
def test_an_unreadable_published_is_noted_and_the_article_indexed_undated(published, note):
    article = parse_record({"body": "Some text.", "published": published}, "dump.jsonl:7")
    assert (article.published, article.published_rule) == (None, "none")
    assert article.notes == (f"{note}; the date is read from the text instead",)


def test_a_record_without_any_date_is_indexed_undated():
    article = parse_record({"id": "x", "headline": "Talks", "body": "Some text."}, "dump.jsonl:1")
    assert (article.id, article.published, article.published_rule) == ("x", None, "none")


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-16"])
def test_cyrillic_files_in_legacy_encodings_read_without_mojibake(tmp_path, encoding):
    text = ("МОСКВА, 7 февраля 2023 (ТАСС) - Президент России заявил о поддержке протестов в регионах страны, "
            "сообщили в пресс-службе.")
    (tmp_path / "a.txt").write_bytes(text.encode(encoding))
    [article] = iter_articles([tmp_path])
    assert (article.encoding, article.city, article.published) == (encoding, "Москва", "2023-02-07")
    assert article.body.startswith("Президент России заявил")


# --- files and folders: bad input is reported, never raised -------------------------------------------------

SEED_LIKE = b" date 2023-02-01\nBAKU, Azerbaijan, February 1. Text of the article.\n"


def test_every_kind_of_bad_file_is_named_with_its_reason(tmp_path):
    (tmp_path / "good.txt").write_bytes(SEED_LIKE)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "controls.txt").write_bytes(bytes(range(1, 9)) * 100)
    (tmp_path / "big.txt").write_bytes(SEED_LIKE + b"x" * 2000)
    (tmp_path / "nodateline.txt").write_bytes(b"Just a note.\n")
    (tmp_path / "notes.md").write_bytes(b"# notes")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (tmp_path / "reut2-000.sgm.gz").write_bytes(gzip.compress(b"<REUTERS>"))
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    found = list(iter_articles([tmp_path, tmp_path / "missing"], max_bytes=1000))
    assert [a.path for a in articles(found)] == [str(tmp_path / "good.txt"), str(tmp_path / "nodateline.txt")]
    reasons = {name: skip.reason for name, skip in skips(found).items()}
    assert reasons == {
        "big.txt": "file larger than 1000 bytes",
        "blank.txt": "empty file",
        "controls.txt": "binary file",
        "empty.txt": "empty file",
        "image.txt": "binary file",
        "notes.md": "unsupported file type (.md)",
        "photo.jpg": "unsupported file type (.jpg)",
        "reut2-000.sgm.gz:1": "truncated: a <REUTERS> document without its </REUTERS>",
        "missing": "no such file or folder (or a broken symlink)",
    }


def test_default_size_limit_is_named_in_megabytes(tmp_path):
    (tmp_path / "big.txt").write_bytes(SEED_LIKE + b"x" * 2**20)
    [skip] = iter_articles([tmp_path / "big.txt"], max_bytes=2**20)
    assert skip.reason == "file larger than 1 MB"


def test_legacy_encodings_are_detected_and_named(tmp_path):
    latin1 = " date 2023-02-01\nPARIS, February 1 - Le café fermé.".encode("latin-1")
    (tmp_path / "cafe.txt").write_bytes(latin1)
    (tmp_path / "c1.txt").write_bytes(b" date 2023-02-01\nPARIS, February 1 - Odd \x81 byte.")
    (tmp_path / "bom.txt").write_bytes("\ufeff date 2023-02-01\nPARIS, February 1 - Café.".encode())
    found = {os.path.basename(a.path): a for a in iter_articles([tmp_path])}
    assert (found["cafe.txt"].encoding, found["cafe.txt"].body) == ("cp1252", "Le café fermé.")
    assert found["c1.txt"].encoding not in ("utf-8", "cp1252") and "Odd" in found["c1.txt"].body
    assert (found["bom.txt"].encoding, found["bom.txt"].published) == ("utf-8", "2023-02-01")


def test_a_broken_json_line_is_named_and_the_good_lines_still_come_out(tmp_path):
    good = {"body": "LONDON, March 3 - Oil rose.", "published": "1987-03-03"}
    lines = [json.dumps(good), '{"body": "x" "published": 1}', "", json.dumps({**good, "id": "b"})]
    (tmp_path / "dump.jsonl").write_text("\n".join(lines) + "\n")
    found = list(iter_articles([tmp_path / "dump.jsonl"]))
    dump = tmp_path / "dump.jsonl"
    assert [a.path for a in articles(found)] == [f"{dump}:1", f"{dump}:4"]
    [skip] = [item for item in found if isinstance(item, Skip)]
    assert (skip.line, skip.reason) == (2, "broken JSON: Expecting ',' delimiter at column 14")


def test_gzipped_json_lines_and_a_truncated_gzip(tmp_path):
    body = "\n".join(json.dumps({"body": f"LONDON, March 3 - Item {n}.", "published": "1987-03-03"})
                     for n in range(50)).encode()
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(body))
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(body)[:-30])
    found = list(iter_articles([tmp_path]))
    assert len([a for a in articles(found) if a.path.startswith(str(tmp_path / "a.jsonl.gz"))]) == 50
    [skip] = [item for item in found if isinstance(item, Skip)]
    assert skip.path.endswith("b.jsonl.gz") and skip.reason.startswith("broken gzip data")


def test_an_overlong_json_line_is_skipped_and_reading_goes_on(tmp_path):
    good = json.dumps({"body": "LONDON, March 3 - Oil rose.", "published": "1987-03-03"})
    long = json.dumps({"body": "LONDON, March 3 - " + "x" * 500, "published": "1987-03-03"})
    (tmp_path / "d.jsonl").write_text(f"{long}\n{good}\n")
    found = list(iter_articles([tmp_path], max_bytes=200))
    assert [(s.line, s.reason) for s in skips(found).values()] == [(1, "line larger than 200 bytes")]
    assert len(articles(found)) == 1


def test_empty_json_lines_file(tmp_path):
    (tmp_path / "e.jsonl").write_text("\n\n")
    assert list(iter_articles([tmp_path])) == [Skip(str(tmp_path / "e.jsonl"), None, "empty file")]


def test_symlink_loops_do_not_hang(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_bytes(SEED_LIKE)
    (tmp_path / "news" / "again").symlink_to(tmp_path / "news")
    (tmp_path / "news" / "self").symlink_to(tmp_path / "news" / "self")
    found = list(iter_articles([tmp_path]))
    assert len(articles(found)) == 1
    assert {name: skip.reason.split(" (")[0] for name, skip in skips(found).items()} == {
        "again": "symlink loop", "self": "symlink loop"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_files_and_folders_are_skipped(tmp_path):
    (tmp_path / "locked").mkdir()
    (tmp_path / "secret.txt").write_bytes(SEED_LIKE)
    (tmp_path / "secret.txt").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        reasons = {name: skip.reason for name, skip in skips(iter_articles([tmp_path])).items()}
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert reasons == {"locked": "cannot read folder: permission denied",
                       "secret.txt": "cannot read file: permission denied"}


def test_folders_are_read_recursively_in_sorted_order_with_relative_paths(tmp_path, monkeypatch):
    for name in ("b/2.txt", "b/1.txt", "a.txt", ".hidden/x.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(SEED_LIKE.replace(b"Text", name.encode()))
    monkeypatch.chdir(tmp_path)
    assert [a.path for a in iter_articles(["./"])] == ["a.txt", "b/1.txt", "b/2.txt"]


def test_articles_stream_one_at_a_time(tmp_path):
    (tmp_path / "1.txt").write_bytes(SEED_LIKE)
    (tmp_path / "2.txt").write_bytes(SEED_LIKE)
    stream = iter_articles([tmp_path])
    assert isinstance(next(stream), Article)
    (tmp_path / "2.txt").unlink()  # a reader that had read everything up front would not notice
    [skip] = stream
    assert skip.reason.startswith("no such file")


def test_a_given_id_longer_than_elasticsearch_allows_is_skipped_with_the_reason():
    skip = parse_record({"id": "x" * 600, "body": "BAKU, Azerbaijan, May 5. Talks on May 5, 2023."}, "feed.jsonl:3")
    assert isinstance(skip, Skip) and (skip.path, skip.line) == ("feed.jsonl", 3)
    assert "512 bytes" in skip.reason
