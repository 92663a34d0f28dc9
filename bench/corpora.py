"""Readers for the three public news corpora in ``shared/data``, yielding the indexer's JSON Lines records.

A record is what ``dateline index rebuild`` reads from a ``.jsonl`` line::

    {"id", "headline", "published": "YYYY-MM-DD", "source", "url", "dateline": {"city", "country"}, "body"}

with paragraphs of ``body`` separated by blank lines. What each corpus lacks is derived, and said here:

- Reuters-21578 (1987): the date is ``<DATE>``; the city is the first part of ``<DATELINE>``; the country is
  "USA" when the dateline names a US state, otherwise the first of ``<PLACES>`` (an approximation: the
  collection tags the places a story is about, not where it was filed). Documents without a body are left out.
- NewsArticles (2016–2017): the date is ``publish_date``, the source is named from the site of the link, a
  subtitle becomes the first paragraph, and a leading TASS dateline ("MOSCOW, February 7. /TASS/.") becomes
  the city. Rows with no text are left out.
- 20 Newsgroups "bydate": the posts carry no dates, so each gets a deterministic date in 1993 from a hash of
  its id (``train`` posts in January–June, ``test`` posts in July–December, as the split is by time);
  the source is "Usenet" and the headline is the subject. Posts with no text are left out.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

REUTERS = "reuters21578"
NEWSARTICLES = "newsarticles"
NEWSGROUPS = "20newsgroups"
CORPORA = (REUTERS, NEWSARTICLES, NEWSGROUPS)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def record(doc_id: str, headline: str, published: date, source: str, body: str, *, url: str | None = None,
           city: str | None = None, country: str | None = None) -> dict:
    return {
        "id": doc_id,
        "headline": headline,
        "published": published.isoformat(),
        "source": source,
        "url": url,
        "dateline": {"city": city, "country": country},
        "body": body,
    }


# --- Reuters-21578 -----------------------------------------------------------------------------------------

_REUTERS_DOC = re.compile(r"<REUTERS [^>]*NEWID=\"(\d+)\">(.*?)</REUTERS>", re.S)
_US_STATE = re.compile(r"^(Ala|Alaska|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Hawaii|Idaho|Ill|Ind|Iowa|Kan|Ky|"
                       r"La|Maine|Md|Mass|Mich|Minn|Miss|Mo|Mont|Neb|Nev|N\.H|N\.J|N\.M|N\.Y|N\.C|N\.D|Ohio|Okla|"
                       r"Ore|Pa|R\.I|S\.C|S\.D|Tenn|Texas|Utah|Vt|Va|Wash|W\.Va|Wis|Wyo|D\.C)\.?$")
_PLACE_NAMES = {"usa": "USA", "uk": "UK", "ussr": "USSR", "uae": "UAE"}


def _tag(text: str, name: str) -> str:
    found = re.search(rf"<{name}>(.*?)</{name}>", text, re.S)
    return html.unescape(found.group(1)) if found else ""


def _place(code: str) -> str:
    return _PLACE_NAMES.get(code, code.replace("-", " ").title())


def _reuters_paragraphs(body: str) -> list[str]:
    """Reuters bodies are hard-wrapped; a paragraph starts on an indented line; the sign-off is dropped."""
    body = _CONTROL.sub("", body)
    body = re.sub(r"\s*Reuter\s*$", "", body)
    return [p for p in (_SPACES.sub(" ", chunk).strip() for chunk in re.split(r"\n(?= )", body)) if p]


def reuters(folder: Path = DATA / REUTERS) -> Iterator[dict]:
    for path in sorted(folder.glob("reut2-*.sgm.gz")):
        text = gzip.open(path, "rt", encoding="latin-1").read()
        for newid, doc in _REUTERS_DOC.findall(text):
            paragraphs = _reuters_paragraphs(_tag(doc, "BODY"))
            stamp = re.match(r"\s*(\d{1,2}-[A-Z]{3}-\d{4})", _tag(doc, "DATE"))
            if not paragraphs or not stamp:
                continue
            parts = [p.strip() for p in _tag(doc, "DATELINE").strip(" -\n").split(",")]
            city = parts[0].title() if len(parts) > 1 and parts[0] else None
            places = re.findall(r"<D>(.*?)</D>", _tag(doc, "PLACES"))
            if len(parts) > 2 and _US_STATE.match(parts[1]):
                country = "USA"
            else:
                country = _place(places[0]) if places else None
            headline = _SPACES.sub(" ", _CONTROL.sub("", _tag(doc, "TITLE"))).strip() or paragraphs[0][:80]
            yield record(f"reuters-{newid}", headline, datetime.strptime(stamp.group(1), "%d-%b-%Y").date(),
                         "Reuters", "\n\n".join(paragraphs), city=city, country=country)


# --- NewsArticles ------------------------------------------------------------------------------------------

_SITES = {
    "aljazeera.com": "Al Jazeera", "tass.com": "TASS", "abcnews.go.com": "ABC News", "rte.ie": "RTÉ",
    "huffingtonpost.com": "HuffPost", "dw.com": "DW", "europe.chinadaily.com.cn": "China Daily",
    "bbc.co.uk": "BBC", "cnn.com": "CNN",
}
_TASS_DATELINE = re.compile(r"^([A-Z][A-Z .'-]+), [A-Z][a-z]+ \d{1,2}\. /TASS/\.\s*-?\s*")


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return next((name for site, name in _SITES.items() if host == site or host.endswith("." + site)), host)


def newsarticles(folder: Path = DATA / NEWSARTICLES) -> Iterator[dict]:
    with gzip.open(folder / "NewsArticles.csv.gz", "rt", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            text = row["text"].strip()
            if not text:
                continue
            city = None
            dateline = _TASS_DATELINE.match(text)
            if dateline:
                city, text = dateline.group(1).title(), text[dateline.end():]
            # Paragraph breaks survive in this CSV only as runs of spaces.
            paragraphs = [p.strip() for p in re.split(r"\s{3,}", text) if p.strip()]
            if row["subtitle"].strip():
                paragraphs.insert(0, row["subtitle"].strip())
            published = datetime.strptime(row["publish_date"].strip().split()[0], "%Y/%m/%d").date()
            yield record(f"newsarticles-{row['article_id']}", row["title"].strip(), published,
                         _site(row["article_source_link"]), "\n\n".join(paragraphs),
                         url=row["article_source_link"], city=city)


# --- 20 Newsgroups -----------------------------------------------------------------------------------------

def _date_in_1993(post_id: str, split: str) -> date:
    """A stable date from the post id: the first half of 1993 for ``train``, the second half for ``test``."""
    start, days = (date(1993, 1, 1), 181) if split == "train" else (date(1993, 7, 1), 184)
    offset = int.from_bytes(hashlib.sha1(post_id.encode()).digest()[:4], "big") % days
    return start + timedelta(days=offset)


def newsgroups(folder: Path = DATA / NEWSGROUPS) -> Iterator[dict]:
    with gzip.open(folder / "20news-bydate.jsonl.gz", "rt", encoding="utf-8") as stream:
        for line in stream:
            post = json.loads(line)
            paragraphs = [_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", post["text"])]
            paragraphs = [p for p in paragraphs if p]
            if not paragraphs:
                continue
            headline = post["subject"].strip() or paragraphs[0][:80]
            yield record(f"20ng-{post['id'].replace('/', '-')}", headline,
                         _date_in_1993(post["id"], post["split"]), "Usenet", "\n\n".join(paragraphs))


READERS = {REUTERS: reuters, NEWSARTICLES: newsarticles, NEWSGROUPS: newsgroups}
