"""NewsML-G2 (``.newsml``, or XML with a ``newsItem``/``newsMessage`` root): IPTC's news exchange format.

Each text ``newsItem`` is an article, so a ``newsMessage`` carrying a package of items gives one article per
item (the ``packageItem`` itself only lists them). Kept: the item's ``guid`` as the id, ``contentMeta``'s
``headline``, ``by``, ``creditline`` (else the provider) as the source, ``located`` as the dateline city and
its broader country, ``dateline``, subjects, language, ``itemMeta``'s ``firstCreated`` (else
``versionCreated``) with its time and offset, and the inline XHTML or text of ``contentSet``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..article import Article, Skip
from . import given, xmlsafe
from .files import skip_at
from .jsonl import parse_record
from .markup import paragraphs

if TYPE_CHECKING:
    from . import ReadOptions

ROOTS = ("newsItem", "newsMessage", "packageItem")


def looks_like(start: bytes) -> bool:
    return xmlsafe.root_name(start) in ROOTS


def _text(item, path: str) -> str | None:
    return xmlsafe.text_of(item.find(path))


def _body(item) -> str:
    inline = item.find("contentSet/inlineXML")
    if inline is not None:
        body = inline.find(".//body")
        return paragraphs(body if body is not None else inline)
    data = item.find("contentSet/inlineData")
    return (data.text or "").strip() if data is not None else ""


def parse_item(item, where: str) -> Article | Skip:
    """One ``newsItem``; ``where`` is "file:n", its place among the file's items."""
    meta = item.find("contentMeta")
    if meta is None:
        meta = item.makeelement("contentMeta", {})
    body = _body(item)
    if not body:
        kind = item.find("itemMeta/itemClass")
        return skip_at(where, "no inline text in the item's contentSet"
                       + (f" (itemClass {kind.get('qcode')})" if kind is not None and kind.get("qcode") else ""))
    located = meta.find("located")
    country = None
    if located is not None:
        country = next((xmlsafe.text_of(b.find("name")) for b in located.findall("broader")
                        if "country" in (b.get("type") or "")), None)
    dateline = _text(meta, "dateline")
    city = _text(located, "name") if located is not None else None
    provider = item.find("itemMeta/provider")
    language = meta.find("language")
    record = {
        "id": item.get("guid"),
        "headline": _text(meta, "headline"),
        "published": given.moment(_text(item, "itemMeta/firstCreated") or _text(item, "itemMeta/versionCreated")),
        "source": _text(meta, "creditline") or (
            (_text(provider, "name") or provider.get("literal")) if provider is not None else None),
        "byline": given.byline(_text(meta, "by")),
        "language": (language.get("tag") if language is not None else None) or item.get(xmlsafe.XML_LANG),
        "topics": given.unique(xmlsafe.text_of(s.find("name")) for s in meta.findall("subject")),
        "dateline": {"city": city, "country": country},
        # Without a located place, a dateline's text leads the body as in wire copy.
        "body": f"{dateline} {body}" if dateline and city is None else body,
    }
    return parse_record(record, where)


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    root = xmlsafe.read_root(path, options.max_bytes)
    if isinstance(root, Skip):
        yield root
        return
    if root.tag not in ROOTS:
        yield Skip(path, None, f"not NewsML-G2: the root element is <{root.tag}>")
        return
    items = [root] if root.tag == "newsItem" else list(root.iter("newsItem"))
    if not items:
        yield Skip(path, None, f"no newsItem in this <{root.tag}> (a package that only refers to its items)")
    for number, item in enumerate(items, 1):
        yield parse_item(item, f"{path}:{number}")


def count(path: str) -> int:
    return 1
