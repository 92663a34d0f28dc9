"""Text of HTML and XHTML fragments (feed content, NewsML-G2 inline XHTML, NITF bodies) as paragraphs."""

from __future__ import annotations

import lxml.html
from lxml import etree

from .xmlsafe import local

# Elements whose start and end break a paragraph; text inside others (<b>, <a>, <span>) runs on.
_BLOCKS = frozenset("p div li dd dt h1 h2 h3 h4 h5 h6 blockquote pre tr section article header footer "
                    "figure figcaption table ul ol dl hl2 block body.content".split())
_DROPPED = frozenset("script style noscript template iframe object embed svg".split())


def _chunks(element, out: list[str]) -> None:
    name = local(element.tag).lower() if isinstance(element.tag, str) else ""
    if name in _DROPPED or not isinstance(element.tag, str):  # comments and processing instructions
        return
    block = name in _BLOCKS
    if name == "br":
        out.append(" ")
    if block:
        out.append("\n\n")
    out.append(element.text or "")
    for child in element:
        _chunks(child, out)
        out.append(child.tail or "")
    if block:
        out.append("\n\n")


def paragraphs(element) -> str:
    """The text of an element (ElementTree or lxml) with blank lines between its paragraphs."""
    out: list[str] = []
    _chunks(element, out)
    lines = ("".join(out)).split("\n\n")
    return "\n\n".join(p for p in (" ".join(line.split()) for line in lines) if p)


def html_paragraphs(fragment: str) -> str:
    """The text of an HTML fragment ("<p>One</p><p>Two &amp; three</p>" or plain text) as paragraphs."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    return paragraphs(root)
