"""How to cite an article: CSL-JSON (the item Zotero, Mendeley and pandoc read), plain text formatted from it
by citeproc-py in the Harvard style it ships, and a BibTeX entry written by pybtex.

The article's own URL is cited when it has one; else its permanent page on this service.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import asdict, dataclass
from datetime import date

from citeproc import Citation as CiteprocCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pybtex.database import BibliographyData, Entry
from pybtex.database.output.bibtex import Writer

STYLE = "harvard-cite-them-right"  # the style citeproc-py ships


@dataclass(frozen=True)
class Citation:
    plain: str
    bibtex: str
    csl_json: str


def csl_item(article_id: str, headline: str, published: str | None, source: str | None, place: str | None,
             url: str) -> dict:
    """The CSL-JSON item of a newspaper article."""
    item: dict = {"id": article_id, "type": "article-newspaper", "title": headline, "URL": url}
    if source:
        item["container-title"] = item["publisher"] = source
    if place:
        item["publisher-place"] = place
    if published:
        day = date.fromisoformat(published[:10])
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    return item


def _plain(item: dict) -> str:
    style = CitationStylesStyle(STYLE, validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(CiteprocCitation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


class _BibtexWriter(Writer):
    """pybtex's writer, with ``url`` left verbatim: BibLaTeX and the ``url`` package read it unescaped."""

    def _write_field(self, stream, type, value):
        if type == "url":  # percent-encoded braces and quotes mean the same URL and cannot break the entry
            value = value.replace("{", "%7B").replace("}", "%7D").replace('"', "%22")
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)


def _bibtex_key(item: dict) -> str:
    """Source, year and the title's first long word, as reference managers make keys: ``trend2023russian``."""
    words = re.findall(r"[^\W\d_]{4,}", item["title"]) or ["article"]
    year = item.get("issued", {}).get("date-parts", [[""]])[0][0]
    source = re.sub(r"\W", "", item.get("container-title", "")).lower()
    return f"{source}{year}{words[0].lower()}"


# pybtex escapes LaTeX's special characters but not braces and backslashes, which would end a field early or
# start a command; headlines hardly ever hold them, so they become their nearest plain look-alikes.
_BIBTEX_UNSAFE = str.maketrans({"{": "(", "}": ")", "\\": "/"})


def _bibtex(item: dict) -> str:
    fields = {"title": item["title"].translate(_BIBTEX_UNSAFE)}
    if "container-title" in item:
        fields["journal"] = item["container-title"].translate(_BIBTEX_UNSAFE)
    if "issued" in item:
        year, month, day = item["issued"]["date-parts"][0]
        fields.update(year=str(year), month=date(year, month, day).strftime("%b").lower(),
                      date=f"{year:04d}-{month:02d}-{day:02d}")
    fields["url"] = item["URL"]
    stream = io.StringIO()
    _BibtexWriter().write_stream(BibliographyData({_bibtex_key(item): Entry("article", fields=fields)}), stream)
    return stream.getvalue().strip()


def cite(article_id: str, headline: str, published: str | None, source: str | None, place: str | None,
         url: str) -> Citation:
    """The three forms of a citation of one article."""
    item = csl_item(article_id, headline, published, source, place, url)
    return Citation(plain=_plain(item), bibtex=_bibtex(item),
                    csl_json=json.dumps([item], ensure_ascii=False, indent=2))


def article_citation(article: dict, page_url: str) -> dict:
    """The citation of an article view (``views.article_view``); ``page_url`` is its absolute permanent URL."""
    original = article.get("original_url")
    url = original if original and original.startswith(("http://", "https://")) else page_url
    dateline = article.get("dateline") or {}
    place = ", ".join(part for part in (dateline.get("city"), dateline.get("country")) if part) or None
    return asdict(cite(article["id"], article["headline"], article.get("published"), article.get("source"), place,
                       url))
