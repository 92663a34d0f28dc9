"""The results page's longest lists as HTML made in Python: the facet value rows and the histogram bars.

A results page lists up to a hundred facet values and forty bars. As template loops they took most of the
page's rendering time, since Jinja yields and escapes them piece by piece; here each row is one f-string.
Everything that comes from an article or a user (values, links, titles) goes through ``markupsafe.escape``, as
the template's autoescaping would. The templates use them as the filters ``facet_rows`` and
``histogram_bars``.
"""

from __future__ import annotations

from markupsafe import Markup, escape


def facet_rows(facet: dict) -> Markup:
    """The ``<li>`` of each value of a facet group of the view (``view.facet_groups``): its checkbox and count."""
    # One f-string a row: str.format with keywords took three times as long (a fifth of the page's time).
    name = escape(facet["name"])
    rows = []
    for i, row in enumerate(facet["values"], start=1):
        value, count, selected = escape(row["value"]), row["count"], row["selected"]
        state = (" is-selected" if selected else "") + ("" if count else " is-empty")
        checked, box = " checked" if selected else "", f"f-{name}-{i}"
        rows.append(f"""
        <li class="facet__value{state}">
          <input id="{box}" type="checkbox" name="{name}" value="{value}" form="search"{checked}>
          <label for="{box}"><span class="facet__label">{value}</span> <span class="count">{count:,}</span></label>
        </li>""")
    return Markup("".join(rows))


def histogram_bars(chart: dict) -> Markup:
    """The SVG bars of the view's chart (``view.chart``): a link to its dates for each bar with articles."""
    width, height = chart["bar_width"], chart["height"]
    return Markup("".join(_bar(bar, width, height) for bar in chart["bars"]))


def _bar(bar: dict, width: int, height: int) -> str:
    x, y, bar_height, title = bar["x"], bar["y"], bar["height"], escape(bar["title"])
    if not bar["count"]:
        return f"""
        <rect class="histogram__bar histogram__bar--empty" x="{x}" y="{y}" width="{width}"
              height="{bar_height}"><title>{title}</title></rect>"""
    return f"""
        <a href="{escape(bar["url"] or "")}" aria-label="{title}"><title>{title}</title>
          <rect class="histogram__column" x="{x}" y="0" width="{width}" height="{height}"/>
          <rect class="histogram__bar" x="{x}" y="{y}" width="{width}" height="{bar_height}"/></a>"""
