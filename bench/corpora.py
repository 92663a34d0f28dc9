"""Readers for the three public news corpora in ``shared/data``, yielding the indexer's JSON Lines records.

A record is what ``dateline index rebuild`` reads from a ``.jsonl`` line::

    {"id", "headline", "published": "YYYY-MM-DD", "source", "url", "dateline": {"city", "country"}, "body"}

with paragraphs of ``body`` separated by blank lines. What each corpus lacks is derived, and said here:

- Reuters-21578 (1987): read by the product's SGML reader, as a rebuild reads it: the date is ``<DATE>``, the
  dateline's city and state are read as in wire copy, ``<TOPICS>`` are topics. Documents without a body are
  left out.
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
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from dateline.indexer.article import Article
from dateline.indexer.readers import iter_articles

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

REUTERS = "reuters21578"
NEWSARTICLES = "newsarticles"
NEWSGROUPS = "20newsgroups"
CORPORA = (REUTERS, NEWSARTICLES, NEWSGROUPS)

_SPACES = re.compile(r"\s+")


def record(doc_id: str, headline: str, published: date, source: str, body: str, *, url: str | None = None,
           city: str | None = None, country: str | None = None, topics: tuple[str, ...] = ()) -> dict:
    return {
        "id": doc_id,
        "headline": headline,
        "published": published.isoformat(),
        "source": source,
        "url": url,
        "dateline": {"city": city, "country": country},
        "topics": list(topics),
        "body": body,
    }


# --- Reuters-21578 -----------------------------------------------------------------------------------------

def reuters(folder: Path = DATA / REUTERS) -> Iterator[dict]:
    """The collection through the product's own SGML reader (``dateline.indexer.readers.reuters``): what a
    rebuild of the ``.sgm.gz`` files would index, as records."""
    for article in iter_articles(sorted(folder.glob("reut2-*.sgm.gz"))):
        if isinstance(article, Article):
            yield record(article.id, article.headline, date.fromisoformat(article.published), "Reuters",
                         article.body, city=article.city, country=article.country, topics=article.topics)


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
