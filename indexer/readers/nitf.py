"""NITF 3.x (``.nitf``, or XML with an ``<nitf>`` root): the News Industry Text Format agencies deliver.

Kept: ``doc-id`` as the id, ``hl1`` as the headline (the first, when a file has several; ``hl2`` decks are
not the headline), ``byline``, ``distributor`` (else the copyright holder) as the source, the ``dateline``
(its ``<city>``/``<country>`` where marked up, else read from its text), ``date.issue`` with its time and
offset, ``pubdata ex-ref`` as the URL, subjects and keywords as topics, ``xml:lang``, and the paragraphs of
``body.content``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..article import Article, Skip
from . import given, xmlsafe
from .jsonl import parse_record
from .markup import paragraphs

if TYPE_CHECKING:
    from . import ReadOptions


def looks_like(start: bytes) -> bool:
    return xmlsafe.root_name(start) == "nitf"


def _attribute(root, path: str, name: str) -> str | None:
    element = root.find(path)
    return element.get(name) if element is not None else None


def parse_nitf(root, path: str) -> Article | Skip:
    if root.tag != "nitf":
        return Skip(path, None, f"not NITF: the root element is <{root.tag}>")
    content = root.find("body/body.content")
    body = paragraphs(content) if content is not None else ""
    dateline = root.find("body/body.head/dateline")
    city = xmlsafe.text_of(dateline.find(".//city")) if dateline is not None else None
    if city is None and dateline is not None and xmlsafe.text_of(dateline):
        body = f"{xmlsafe.text_of(dateline)} {body}"  # read as a wire dateline: "BAKU, Feb. 1 --"
    subjects = [value for element in root.iter("tobject.subject")
                for value in (element.get("tobject.subject.type"), element.get("tobject.subject.matter"))]
    keywords = [element.get("key") for element in root.iter("keyword")]
    record = {
        "id": _attribute(root, "head/docdata/doc-id", "id-string"),
        "headline": next(filter(None, map(xmlsafe.text_of, root.iter("hl1"))), None),
        "published": given.moment(_attribute(root, "head/docdata/date.issue", "norm")
                                  or _attribute(root, "body/body.head/dateline/story.date", "norm")),
        "source": (xmlsafe.text_of(root.find("body/body.head/distributor"))
                   or _attribute(root, "head/docdata/doc.copyright", "holder")),
        "url": _attribute(root, "head/pubdata", "ex-ref"),
        "byline": given.byline(xmlsafe.text_of(root.find("body/body.head/byline"))),
        "language": root.get(xmlsafe.XML_LANG) or (content.get(xmlsafe.XML_LANG) if content is not None else None),
        "topics": given.unique(subjects + keywords),
        "dateline": {"city": city, "country": xmlsafe.text_of(dateline.find(".//country"))
                     if city is not None else None},
        "body": body,
    }
    return parse_record(record, path)


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    root = xmlsafe.read_root(path, options.max_bytes)
    yield root if isinstance(root, Skip) else parse_nitf(root, path)


def count(path: str) -> int:
    return 1
