"""The results page's longest lists as HTML made in Python: the facet value rows and the histogram bars.

A results page lists up to a hundred facet values and forty bars. As template loops they took most of the
page's rendering time, since Jinja yields and escapes them piece by piece; here each row is one format string.
Everything that comes from an article or a user (values, links, titles) goes through ``markupsafe.escape``, as
the template's autoescaping would. The templates use them as the filters ``facet_rows`` and
``histogram_bars``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

_FACET_ROW = """
        <li class="facet__value{state}">
          <input id="{id}" type="checkbox" name="{name}" value="{value}" form="search"{checked}>
          <label for="{id}"><span class="facet__label">{value}</span> <span class="count">{count:,}</span></label>
        </li>"""

_BAR = """
        <a href="{url}" aria-label="{title}"><title>{title}</title>
          <rect class="histogram__column" x="{x}" y="0" width="{width}" height="{height}"/>
          <rect class="histogram__bar" x="{x}" y="{y}" width="{width}" height="{bar_height}"/></a>"""

_EMPTY_BAR = """
        <rect class="histogram__bar histogram__bar--empty" x="{x}" y="{y}" width="{width}"
              height="{bar_height}"><title>{title}</title></rect>"""


def facet_rows(facet: dict) -> Markup:
    """The ``<li>`` of each value of a facet group of the view (``view.facet_groups``): its checkbox and count."""
    name = escape(facet["name"])
    return Markup("".join(
        _FACET_ROW.format(
            state=(" is-selected" if row["selected"] else "") + ("" if row["count"] else " is-empty"),
            id=f"f-{name}-{i}", name=name, value=escape(row["value"]),
            checked=" checked" if row["selected"] else "", count=row["count"])
        for i, row in enumerate(facet["values"], start=1)))


def histogram_bars(chart: dict) -> Markup:
    """The SVG bars of the view's chart (``view.chart``): a link to its dates for each bar with articles."""
    width, height = chart["bar_width"], chart["height"]
    return Markup("".join(
        (_BAR if bar["count"] else _EMPTY_BAR).format(
            url=escape(bar["url"] or ""), title=escape(bar["title"]), x=bar["x"], y=bar["y"], width=width,
            height=height, bar_height=bar["height"])
        for bar in chart["bars"]))
