"""Parsing untrusted XML: no entity expansion, no external entities or DTDs, and the root element of a file.

Every XML reader parses through ``parse``. A document that declares entities is refused before anything is
expanded (a "billion laughs" file costs nothing), and one that names an external entity (``SYSTEM
"file:///etc/passwd"``) reads nothing from it. The plain ``<!DOCTYPE nitf SYSTEM "nitf.dtd">`` line of agency
files is allowed: the DTD is never loaded.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException, EntitiesForbidden

from ..article import Skip
from .files import read_whole

_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_ROOT = re.compile(r"<(?:!DOCTYPE\s+)?([A-Za-z_][\w.:-]*)")


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(raw: bytes) -> Element | str:
    """The root element of an XML document with element names stripped of their namespaces (NITF, feeds and
    NewsML-G2 come with and without them), or the reason the document is refused or unreadable."""
    try:
        root = defusedxml.ElementTree.fromstring(raw, forbid_dtd=False, forbid_entities=True,
                                                 forbid_external=True)
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            return f"refused: the XML declares an external entity ({exc.name} → {exc.sysid or exc.pubid})"
        return f"refused: the XML declares an entity ({exc.name}); entity expansion is not allowed"
    except DefusedXmlException as exc:
        return f"refused: {exc}"
    except ParseError as exc:
        return f"broken XML: {exc}"
    for element in root.iter():
        element.tag = local(element.tag)
    return root


def local(tag: str) -> str:
    """An element name without its namespace: ``{http://iptc.org/std/nar/2006-10-01/}newsItem`` → newsItem."""
    return tag.rpartition("}")[2]


def root_name(head: bytes) -> str | None:
    """The name of the root element of a document that starts with ``head``, without its prefix (``rdf:RDF``
    → ``RDF``), read from the DOCTYPE or the first tag; None when it does not start as markup."""
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    position = 0
    while prologue := _PROLOGUE.match(text, position):
        position = prologue.end()
    found = _ROOT.match(text[position:].lstrip())
    return found[1].rpartition(":")[2] if found else None


def text_of(element: Element | None) -> str | None:
    """All the text inside an element, whitespace collapsed; None when absent or blank."""
    if element is None:
        return None
    return " ".join("".join(element.itertext()).split()) or None


def read_root(path: str, max_bytes: int) -> Element | Skip:
    """The root element of an XML file (see ``parse``), or a ``Skip`` saying why there is none."""
    raw = read_whole(path, max_bytes)
    if isinstance(raw, Skip):
        return raw
    root = parse(raw)
    return Skip(path, None, root) if isinstance(root, str) else root
