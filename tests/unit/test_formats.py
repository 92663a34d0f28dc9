"""Every input format: the fields each article keeps, content sniffing, --format, and named skips for bad files
(truncated, wrongly encoded, hostile XML, not what the suffix says)."""

from __future__ import annotations

import gzip
import os
import time

import pytest

from dateline.indexer.article import Article, Skip
from dateline.indexer.readers import FORMATS, ReadOptions, format_of, iter_articles
from dateline.indexer.readers.given import moment
from dateline.indexer.readers.jsonl import parse_record
from tests import formats


def read(path, **options) -> list[Article | Skip]:
    return list(iter_articles([path], options=ReadOptions(**options)))


def only(path, **options) -> Article:
    [article] = read(path, **options)
    assert isinstance(article, Article), article
    return article


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return formats.write_all(tmp_path_factory.mktemp("formats"))


def test_html_page_keeps_the_article_and_its_metadata_not_menus_ads_comments_or_footer(samples):
    article = only(samples["html"])
    assert article.headline == "Caspian ferry line resumes after storm"  # JSON-LD over <title>
    assert (article.published, article.published_at) == ("2023-02-01", "2023-02-01T10:15:00+04:00")
    assert (article.byline, article.source, article.language) == ("Leyla Aliyeva", "Harbour Times", "en-GB")
    assert article.url == "https://harbour.example/2023/02/ferry"
    assert article.topics == ("Transport",)
    assert (article.city, article.source) == ("Baku", "Harbour Times")
    assert article.body.startswith("The ferry line between Baku and Turkmenbashi")
    assert "Shipping on the Caspian Sea" in article.body
    for noise in ("Sport", "Advertisement", "zanzibarcomment", "Footertoken", "buy now", "Caspian ferry resumes |"):
        assert noise not in article.body


def test_rss_entries_with_html_in_their_descriptions(samples):
    first, second = read(samples["feed"])
    assert (first.id, first.url) == ("trend-4711", "https://trend.example/news/1")
    assert first.headline == "Azerbaijan opens new wind farm"
    assert first.published_at == "2023-02-01T10:15:00+04:00" and first.published == "2023-02-01"
    assert (first.byline, first.source, first.language) == ("Nigar Abbasova", "Trend News Agency", "en")
    assert first.topics == ("Energy", "Economy")
    # content:encoded wins over the description; its markup and scripts are gone, the dateline read.
    assert first.body.startswith("The Khizi-Absheron wind farm") and "48 turbines" in first.body
    assert "<" not in first.body and "alert" not in first.body
    assert (first.city, first.country) == ("Baku", "Azerbaijan")
    assert second.body == ("The tariff council approved new electricity tariffs for households on Thursday.\n\n"
                           "They take effect in March.")
    assert second.id == second.url == "https://trend.example/news/2"
    assert second.path.endswith("trend.rss:2")


def test_atom_entry(samples):
    article = only(samples["atom"])
    assert (article.id, article.url, article.byline) == ("urn:uuid:atom-1", "https://exemple.example/port",
                                                          "Jeanne Martin")
    assert article.published_at == "2023-02-03T12:00:00+01:00"
    assert article.headline == "Le port de Marseille reprend son activité"


def test_nitf_takes_the_first_hl1_the_byline_the_dateline_and_the_issue_date(samples):
    article = only(samples["nitf"])
    assert article.id == "APA-2023-0207-001"
    assert article.headline == "Record grain harvest expected"
    assert article.byline == "Rashad Guliyev, APA correspondent"
    assert (article.city, article.country, article.source) == ("Ganja", "Azerbaijan", "APA")
    assert article.published_at == "2023-02-07T14:15:00+04:00"
    assert article.url == "https://apa.example/grain" and article.language == "en"
    assert article.topics == ("Economy", "Agriculture", "wheat")
    assert article.body == ("Farmers in the Ganja region expect a record wheat harvest this year, the agriculture "
                            "ministry said.\n\nRainfall in autumn was twice the average.")


def test_newsml_g2_package_of_three_items_gives_three_articles(samples):
    articles = read(samples["newsml"])
    assert [a.headline for a in articles] == ["Sumgait port handles more cargo", "Lankaran tea harvest begins",
                                              "Shaki silk factory reopens"]
    first = articles[0]
    assert first.id == "urn:newsml:trend.example:2023-02-01:story1"
    assert first.published_at == "2023-02-01T11:00:00+04:00"  # firstCreated, not versionCreated
    assert (first.city, first.country, first.source) == ("Sumgait", "Azerbaijan", "Trend")
    assert (first.byline, first.language, first.topics) == ("Staff reporter 1", "en", ("transport",))
    assert first.body == "Cargo through the port of Sumgait grew.\n\nSecond paragraph of item 1."
    assert [a.path.rsplit(":", 1)[1] for a in articles] == ["1", "2", "3"]


def test_reuters_sgml_keeps_date_title_dateline_topics_and_places_and_names_documents_without_a_body(samples):
    first, brief, third = read(samples["reuters"])
    assert (first.id, first.headline, first.source) == ("reuters-1", "BAHIA COCOA REVIEW", "Reuters")
    assert (first.published, first.published_at) == ("1987-02-26", "1987-02-26T15:01:01")
    assert first.city == "Salvador"
    assert (first.topics, first.places) == (("cocoa",), ("El Salvador", "USA"))
    assert first.body == ("Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought "
                          "since early January <and> improving prospects for the coming temporao.\n\n"
                          "The dry period means the temporao will be late this year.")
    assert brief == Skip(str(samples["reuters"]), 22, 'NEWID 2: no <BODY> (TYPE="BRIEF")')
    assert third.topics == ("earn", "acq") and third.headline == "TEXAS COMMERCE BANCSHARES <TCB> FILES PLAN"


def test_csv_with_quoted_newlines_and_a_mapped_column(samples):
    first, second = read(samples["csv"], csv_columns={"published": "when"})
    assert (first.id, first.headline, first.city) == ("csv-1", "Bridge opens in Ganja", "Ganja")
    assert first.published_at == "2023-03-01T08:00:00+04:00"
    assert first.body == ("The new bridge over the Ganja river opened on Wednesday.\n\n"
                          'Traffic is expected to ease, officials said, adding "a great day".')
    assert first.topics == ("Transport", "Infrastructure")
    assert (second.id, second.published, second.published_at) == ("csv-2", "2023-03-02", None)
    assert second.path.endswith("sheet.csv:5")  # the line the row starts on


def test_csv_without_the_mapping_derives_or_names_what_is_missing(samples, tmp_path):
    # Unmapped, "when" is just another column: the rows have no date and no dateline that gives one, so they
    # are indexed undated.
    rows = read(samples["csv"])
    assert rows and all((item.published, item.published_rule) == (None, "none") for item in rows)
    [skip] = read(samples["csv"], csv_columns={"published": "date"})
    assert "no column date (--csv-column published=date)" in skip.reason
    (tmp_path / "t.tsv").write_text("headline\ttext\nH\tBAKU, March 3, 2023 - Text.\n")
    [skip] = read(tmp_path / "t.tsv")
    assert 'no column body' in skip.reason
    assert only(tmp_path / "t.tsv", csv_columns={"body": "text"}).published == "2023-03-03"


def test_warc_reads_the_html_response_and_counts_the_image_as_a_skip(samples):
    article, image = read(samples["warc"])
    assert article.headline == "Caspian ferry line resumes after storm"
    assert article.url == "https://harbour.example/2023/02/ferry?utm=feed"  # no canonical link: the target URI
    assert article.path.endswith("crawl.warc.gz:2")
    assert isinstance(image, Skip) and image.reason.startswith("not an HTML page: image/jpeg")


def test_warc_date_stands_in_when_the_page_gives_none(tmp_path):
    page = formats.HTML_PAGE.replace('"datePublished": "2023-02-01T10:15:00+04:00",', "").replace(
        '<meta property="article:published_time" content="2023-02-01T09:30:00+04:00">', "")
    (tmp_path / "c.warc.gz").write_bytes(formats.warc_bytes(page))
    article = read(tmp_path / "c.warc.gz")[0]
    assert (article.published, article.published_at) == ("2023-02-05", "2023-02-05T06:07:08+00:00")


def test_every_format_is_read_from_gzip_too(samples, tmp_path):
    for kind in ("html", "feed", "nitf", "newsml", "csv"):
        path = samples[kind]
        zipped = tmp_path / (path.name + ".gz")
        zipped.write_bytes(gzip.compress(path.read_bytes()))
        options = {"csv_columns": {"published": "when"}} if kind == "csv" else {}
        plain = [a.headline for a in read(path, **options)]
        assert [a.headline for a in read(zipped, **options)] == plain and plain, kind


def test_xml_without_a_telling_suffix_is_sniffed_by_its_root(samples, tmp_path):
    for kind, data in (("feed", formats.RSS), ("nitf", formats.NITF), ("newsml", formats.NEWSML),
                       ("html", formats.HTML_PAGE), ("reuters", formats.REUTERS)):
        path = tmp_path / f"{kind}-file.xml"
        path.write_text(data, encoding="latin-1" if kind == "reuters" else "utf-8")
        assert format_of(str(path)).name == kind
        bare = tmp_path / f"{kind}-bare"
        bare.write_text(data, encoding="latin-1" if kind == "reuters" else "utf-8")
        assert format_of(str(bare)).name == kind
    (tmp_path / "notes").write_text("BAKU, March 3, 2023 - Plain text.")
    assert format_of(str(tmp_path / "notes")).name == "text"
    (tmp_path / "other.xml").write_text("<catalog><book/></catalog>")
    [skip] = read(tmp_path / "other.xml")
    assert "no feed, NITF or NewsML-G2" in skip.reason


def test_format_option_forces_a_reader_for_files_whose_name_does_not_tell(tmp_path):
    (tmp_path / "export.dat").write_text("headline,body\nFrom a sheet,\"BAKU, March 3, 2023 - Sheet text.\"\n")
    (tmp_path / "a.txt").write_text("BAKU, March 3, 2023 - Plain text.")
    assert read(tmp_path / "export.dat") == [Skip(str(tmp_path / "export.dat"), None, "unsupported file type (.dat)")]
    found = read(tmp_path, format="csv")
    assert sorted(a.headline for a in found) == ["From a sheet", "Plain text"]  # a.txt stays a text file


@pytest.mark.parametrize("kind", ["nitf", "rss", "newsml"])
@pytest.mark.parametrize("attack", ["laughs", "xxe"])
def test_hostile_xml_is_refused_quickly_and_reads_nothing(kind, attack, tmp_path):
    suffix = {"nitf": ".nitf", "rss": ".rss", "newsml": ".xml"}[kind]
    path = tmp_path / f"hostile{suffix}"
    path.write_text(formats.hostile(kind, attack))
    started = time.process_time()
    [skip] = read(path)
    assert time.process_time() - started < 5  # a generous bound: expanding 10^9 "lol"s would take minutes
    assert isinstance(skip, Skip) and skip.reason.startswith("refused:"), skip
    assert ("/etc/passwd" in skip.reason) == (attack == "xxe")
    assert "root:" not in skip.reason


def test_bad_files_of_every_format_are_named_skips(samples, tmp_path):
    truncated = {
        "cut.nitf": formats.NITF[:600], "cut.rss": formats.RSS[:300], "cut.newsml": formats.NEWSML[:700],
        "cut.sgm": formats.REUTERS[:1200], "cut.html": formats.HTML_PAGE[:300],
    }
    for name, text in truncated.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "cut.warc.gz").write_bytes(formats.warc_bytes()[:300])
    (tmp_path / "cut.csv").write_text('id,body\n1,"never closed\n')
    # Not what the suffix says.
    (tmp_path / "photo.html").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 50)
    (tmp_path / "feed.rss").write_text(formats.NITF)
    (tmp_path / "story.nitf").write_text(formats.RSS)
    (tmp_path / "items.newsml").write_text(formats.NITF)
    (tmp_path / "notes.sgm").write_text("just some notes, no documents")
    (tmp_path / "text.warc").write_text("not a web archive at all")
    (tmp_path / "plain.html").write_text("just words, no markup at all")
    (tmp_path / "image.csv").write_bytes(b"\x00\x01\x02" * 100)
    # Declared UTF-8, written in latin-1: XML is refused by name; a page is read by what its bytes are.
    (tmp_path / "latin.nitf").write_bytes(formats.NITF.replace("Ganja", "Gäncä").encode("latin-1"))
    (tmp_path / "latin.html").write_bytes(formats.HTML_PAGE.replace("Baku and", "Bakü and").encode("latin-1"))

    found = {os.path.basename(item.path): item for item in read(tmp_path)}
    reasons = {name: item.reason for name, item in found.items() if isinstance(item, Skip)}
    assert reasons["cut.nitf"].startswith("broken XML")
    assert reasons["cut.newsml"].startswith("broken XML")
    assert "broken XML: no element found" in reasons["cut.rss"]
    assert reasons["cut.sgm"].startswith("truncated")
    assert reasons["cut.warc.gz"]
    assert reasons["cut.csv"].startswith("broken CSV")
    assert reasons["photo.html"] == "binary file, not an HTML page"
    assert reasons["feed.rss"].startswith("not an RSS or Atom feed")
    assert reasons["story.nitf"] == "not NITF: the root element is <rss>"
    assert reasons["items.newsml"] == "not NewsML-G2: the root element is <nitf>"
    assert reasons["notes.sgm"].startswith("no <REUTERS> documents")
    assert reasons["text.warc"].startswith("not a WARC file")
    assert reasons["plain.html"].startswith("not an HTML page")
    assert reasons["image.csv"] == "binary file, not CSV"
    # cut.html still has its head: a page cut short is read as far as it goes, or named.
    assert isinstance(found["cut.html"], Skip | Article)
    assert reasons["latin.nitf"].startswith("broken XML: not well-formed (invalid token)")
    assert found["latin.html"].encoding == "cp1252" and "Bakü and" in found["latin.html"].body


def test_every_format_has_a_reader_that_the_sniffing_or_a_suffix_reaches():
    assert len({f.name for f in FORMATS}) == len(FORMATS)
    assert all(f.suffixes for f in FORMATS)


@pytest.mark.parametrize(("published", "day", "stamp"), [
    ("2023-02-01", "2023-02-01", None),
    ("2023-02-01T23:30:00-05:00", "2023-02-01", "2023-02-01T23:30:00-05:00"),  # the day at its own offset
    ("2023-02-01T10:15:00Z", "2023-02-01", "2023-02-01T10:15:00+00:00"),
])
def test_json_lines_published_takes_a_day_or_a_time_stamp_with_its_offset(published, day, stamp):
    article = parse_record({"body": "Text.", "published": published, "byline": "By A. Writer",
                            "topics": ["Energy", " ", "Energy"], "language": "en"}, "a.jsonl:1")
    assert (article.published, article.published_at) == (day, stamp)
    assert (article.byline, article.topics, article.language) == ("By A. Writer", ("Energy",), "en")


def test_json_lines_topics_must_be_a_list_of_strings():
    skip = parse_record({"body": "Text.", "published": "2023-02-01", "topics": "Energy"}, "a.jsonl:3")
    assert skip == Skip("a.jsonl", 3, '"topics" must be a list of strings')


@pytest.mark.parametrize(("value", "expected"), [
    ("Wed, 01 Feb 2023 10:15:00 +0400", "2023-02-01T10:15:00+04:00"),
    ("20230207T141500+0400", "2023-02-07T14:15:00+04:00"),
    ("2023-02-07", "2023-02-07"),
    ("yesterday", None),
    ("", None),
])
def test_dates_sources_give_are_read_with_their_offset(value, expected):
    assert moment(value) == expected
