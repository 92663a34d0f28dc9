"""The facets: one registry (``FACETS``) of facet objects, terms and dates alike, each knowing its URL name,
field, label, value normalisation, aggregation, the filter a selection makes and its view. Every part of the
service that handles facets (parameters, query, views, alternatives, feeds, the page) loops over ``FACETS``,
so a facet on an existing field is one line there.

Terms facets are disjunctive (multi-select). The search narrows the hits with a ``post_filter`` made of their
filters, and computes each facet's aggregation inside a ``filter`` aggregation holding the filters of all the
*other* disjunctive facets; the date range is part of the query instead (see ``DateHistogram``). So the
count next to an unselected value says how many results ticking it would add, and one request to
Elasticsearch answers the hits and every facet at once.

A facet can also list the values that start with a prefix instead of its most frequent ones (facet value
search and autocomplete). Values match as autocomplete does: case, accents, quotes and spelling variants
aside.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateline import schema

if TYPE_CHECKING:
    from .params import SearchParams

SearchURL = Callable[["SearchParams"], str]

_EPOCH = date(1970, 1, 1)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _scoped(filters: list[dict], aggs: dict) -> dict:
    """``aggs`` computed over the documents that match every one of ``filters`` (all documents if none)."""
    return {"filter": {"bool": {"filter": filters}}, "aggs": aggs}


class TermsFacet:
    """A keyword field as a list of its most frequent values with counts; selected values are ORed.

    Disjunctive: its selection narrows the hits (``post_filter``), and its counts are within the selections of
    the other facets only.
    """

    disjunctive = True

    # Values that start with a prefix: the most frequent values of the documents that have such a value are
    # the candidates; each is kept if it matches itself (see ``_matching``). Candidates that do not match
    # (other values of the same documents) take places in the list, so it holds more than the rows shown.
    CANDIDATES = 50
    PREFIX_ROWS = 20

    def __init__(self, name: str, field: str, label: str, size: int = 10, long_tail: bool = False):
        self.name = name  # the query string parameter
        self.field = field
        self.label = label
        self.size = size
        self.long_tail = long_tail  # too many values to list: the page offers to search them
        self.autocomplete = f"{field}.{schema.AUTOCOMPLETE}"
        self.folded = f"{field}.{schema.FOLDED}"

    def normalise(self, value: str) -> str:
        """A value from a URL as given, surrounding space aside. Filters compare it blind to case and accents
        (``filter``), and the page shows it as the archive spells it (``canonical``)."""
        return value.strip()

    def filter(self, values: tuple[str, ...]) -> dict:
        """Documents with any of ``values``, case and accents aside: ``france``, ``FRANCE`` and ``Fránce`` all
        select France (the folded sub-field's normalizer folds the values as it folded the documents')."""
        return {"terms": {self.folded: list(values)}}

    def selection_filter(self, params: SearchParams) -> dict | None:
        """The filter of the values ``params`` selects; ``None`` if none."""
        selected = params.selected(self.name)
        return self.filter(selected) if selected else None

    def search_aggregation(self, params: SearchParams, scope: list[dict]) -> dict:
        """The aggregation of a results page of ``params``: top values, or those starting with its prefix."""
        return self.aggregation(params.selected(self.name), scope, params.prefixes.get(self.name, ""))

    def active(self, params: SearchParams) -> list[tuple[str, SearchParams]]:
        """Each selected value in words (``Country: Armenia``), with the search without it."""
        return [(f"{self.label}: {value}", params.toggled(self.name, value)) for value in params.selected(self.name)]

    def prefix_query(self, prefix: str) -> dict:
        """Documents with a value whose words start with the words of ``prefix``, in about that order.

        The autocomplete sub-field holds the edge n-grams of each word of each value, every spelling
        included. A phrase with a little slop keeps all the words within one value: the values of a list
        lie 100 positions apart.
        """
        return {"match_phrase": {self.autocomplete: {"query": prefix, "slop": 3}}}

    def aggregation(self, selected: tuple[str, ...], scope: list[dict], prefix: str = "") -> dict:
        """The top values within ``scope`` (or those that start with ``prefix``), plus the exact count of each
        selected value.

        A selected value may fall outside the top values or match nothing; its own ``filters`` bucket still
        counts it, so it stays in the list with a true count.
        """
        aggs: dict = {}
        if prefix:
            # Each candidate brings one document that has it, with the values of that document that match
            # highlighted: the candidate matches if it is one of them.
            highlight = {"pre_tags": [""], "post_tags": [""], "fields": {self.autocomplete: {
                "number_of_fragments": 0, "highlight_query": self.prefix_query(prefix)}}}
            candidates = {
                "terms": {"field": self.field, "size": self.CANDIDATES},
                "aggs": {"match": {"top_hits": {"size": 1, "_source": False, "highlight": highlight}}},
            }
            aggs["found"] = {"filter": self.prefix_query(prefix), "aggs": {"values": candidates}}
        else:
            aggs["top"] = {"terms": {"field": self.field, "size": self.size}}
        if selected:
            # Each selected value's count, and the values of its articles, among which its spellings.
            each = {value: self.filter((value,)) for value in selected}
            aggs["selected"] = {"filters": {"filters": each},
                                "aggs": {"spelt": {"terms": {"field": self.field, "size": self.CANDIDATES}}}}
        return _scoped(scope, aggs)

    def canonical(self, result: dict, selected: tuple[str, ...]) -> tuple[str, ...]:
        """``selected`` as the archive spells each value (``france`` → ``France``); a value no article has
        stays as given."""
        buckets = result.get("selected", {}).get("buckets", {})
        spelt = [next((b["key"] for b in buckets.get(value, {}).get("spelt", {}).get("buckets", [])
                       if _folded(b["key"]) == _folded(value)), value) for value in selected]
        return tuple(dict.fromkeys(spelt))

    def _matching(self, bucket: dict) -> bool:
        hits = bucket.get("match", {}).get("hits", {}).get("hits", [])
        return any(bucket["key"] in hit.get("highlight", {}).get(self.autocomplete, []) for hit in hits)

    def rows(self, result: dict, selected: tuple[str, ...]) -> list[dict]:
        """View rows, most frequent first: ``{"value", "count", "selected"}``."""
        counts = {bucket["key"]: bucket["doc_count"] for bucket in result.get("top", {}).get("buckets", [])}
        found = [bucket for bucket in result.get("found", {}).get("values", {}).get("buckets", [])
                 if self._matching(bucket)]
        counts.update((bucket["key"], bucket["doc_count"]) for bucket in found[: self.PREFIX_ROWS])
        for value, bucket in result.get("selected", {}).get("buckets", {}).items():
            counts[value] = bucket["doc_count"]
        rows = [{"value": value, "count": count, "selected": value in selected}
                for value, count in counts.items()]
        rows.sort(key=lambda row: (-row["count"], row["value"]))
        return rows

    def view(self, result: dict, params: SearchParams, search_url: SearchURL) -> list[dict]:
        """The rows of ``result`` for the search ``params``, each with the ``url`` that toggles its value."""
        return self.linked(self.rows(result, params.selected(self.name)), params, search_url)

    def linked(self, rows: list[dict], params: SearchParams, search_url: SearchURL) -> list[dict]:
        """``rows`` of the search ``params``, each with the ``url`` that toggles its value."""
        if not rows:
            return []
        toggle_url = params.toggle_urls(self.name, search_url)
        return [{**row, "url": toggle_url(row["value"])} for row in rows]


def _folded(value: str) -> str:
    """``value`` without case and accents (``Fránce`` → ``france``), as the folded sub-fields compare it."""
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)).casefold()


def canonical(params: SearchParams, aggs: dict) -> SearchParams:
    """``params`` with each selected facet value as the archive spells it, read from the answer's
    aggregations ``aggs``: the page then shows the value it filtered on, selected, and links with it."""
    filters = {facet.name: facet.canonical(aggs.get(facet.name, {}), params.selected(facet.name))
               for facet in TERMS_FACETS if params.selected(facet.name)}
    return params if filters == dict(params.filters) else dataclasses.replace(params, filters=filters)


def interval_for(start: date, end: date) -> str:
    """The coarsest interval that still draws a range as a readable number of bars (at most about 40)."""
    days = (end - start).days + 1
    if days <= 31:
        return "day"
    if days <= 26 * 7:
        return "week"
    if days <= 3 * 366:
        return "month"
    return "year"


def interval_start(interval: str, day: date) -> date:
    """The first day of the ``interval`` that holds ``day`` (weeks start on Monday)."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return day


def next_start(interval: str, start: date) -> date:
    """The first day of the interval after the one starting on ``start``; OverflowError past year 9999."""
    try:
        if interval == "day":
            return start + timedelta(days=1)
        if interval == "week":
            return start + timedelta(days=7)
        if interval == "month":
            return date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return date(start.year + 1, 1, 1)
    except ValueError as exc:  # date() refuses year 10000 with a ValueError
        raise OverflowError(str(exc)) from None


def _day(epoch_millis: float) -> date:
    return _EPOCH + timedelta(milliseconds=epoch_millis)


class DateHistogram:
    """Articles over time: a bar per day, week, month or year, the interval chosen from the range shown.

    The histogram respects every filter, the date range included, so it counts exactly the results. It is not
    disjunctive like the facets on purpose: clicking a bar narrows the search to that bar's dates and the next
    histogram shows that range in finer bars, so the chart drills down (years → months → weeks → days), and
    the chip of the date range (or the date fields) widens it again.

    The range shown is ``from``–``to`` when both are given (so the days of a month without articles are still
    drawn), and otherwise the range of the results' dates. Its length alone picks the interval, so one request
    must bring what every interval needs: the results' first and last date (``stats``), their counts per day
    (only ranges of at most 26 weeks are drawn from these, so the first 200 days with articles always suffice;
    ``bucket_sort`` keeps the answer small for a long archive), and their counts per month (months and years).
    """

    name = "histogram"  # of its aggregation; in URLs it is ``from`` and ``to``
    label = "Published"
    disjunctive = False  # its selection is part of the query: everything shown is within the dates
    _MAX_DAY_BUCKETS = 200

    def __init__(self, field: str):
        self.field = field

    def normalise(self, value: str) -> date:
        """A ``YYYY-MM-DD`` date from a URL; ValueError if it is none."""
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)

    def selection_filter(self, params: SearchParams) -> dict | None:
        if params.undated:
            return self.undated()
        return self.filter(params.date_from, params.date_to)

    def undated(self) -> dict:
        """Documents without a date: every date filter leaves them out."""
        return {"bool": {"must_not": {"exists": {"field": self.field}}}}

    def search_aggregation(self, params: SearchParams, scope: list[dict]) -> dict:
        return self.aggregation(scope)

    def active(self, params: SearchParams) -> list[tuple[str, SearchParams]]:
        """The date range (or the undated articles) in words, with the search without it."""
        if params.undated:
            return [("Date unknown", params.with_dates(None, None))]
        if not (params.date_from or params.date_to):
            return []
        dates = f"{self.label} {params.date_from or '…'} – {params.date_to or '…'}"
        return [(dates, params.with_dates(None, None))]

    def filter(self, date_from: date | None, date_to: date | None) -> dict | None:
        """Documents published between the two dates, both included; ``None`` if neither is given."""
        if not (date_from or date_to):
            return None
        bounds = {"format": "yyyy-MM-dd"}
        if date_from:
            bounds["gte"] = date_from.isoformat()
        if date_to:
            bounds["lte"] = date_to.isoformat()
        return {"range": {self.field: bounds}}

    def aggregation(self, scope: list[dict]) -> dict:
        return _scoped(scope, {
            "range": {"stats": {"field": self.field}},
            "undated": {"missing": {"field": self.field}},
            "days": {
                "date_histogram": {"field": self.field, "calendar_interval": "day", "min_doc_count": 1},
                "aggs": {"first": {"bucket_sort": {"size": self._MAX_DAY_BUCKETS}}},
            },
            "months": {
                "date_histogram": {"field": self.field, "calendar_interval": "month", "min_doc_count": 1},
            },
        })

    def view(self, result: dict, date_from: date | None, date_to: date | None) -> dict:
        """``{"interval", "buckets": [{"start": "YYYY-MM-DD", "count"}], "undated"}``, no interval of the range
        left out; ``undated`` counts the results without a date, which no bar holds.

        The range is ``from``–``to`` when both are given and short enough for bars finer than years; otherwise
        it is the range of the results' own dates.
        """
        stats = result.get("range", {})
        undated = result.get("undated", {}).get("doc_count", 0)
        if not stats.get("count"):
            interval = interval_for(date_from, date_to) if date_from and date_to else "day"
            return {"interval": interval, "buckets": [], "undated": undated}
        start, end = _day(stats["min"]), _day(stats["max"])
        if date_from and date_to and interval_for(date_from, date_to) != "year":
            start, end = date_from, date_to
        interval = interval_for(start, end)
        source = result.get("days" if interval in ("day", "week") else "months", {})
        counts: dict[date, int] = {}
        for bucket in source.get("buckets", []):
            key = interval_start(interval, _day(bucket["key"]))
            counts[key] = counts.get(key, 0) + bucket["doc_count"]
        buckets = []
        current = interval_start(interval, start)
        while current <= end:
            buckets.append({"start": current.isoformat(), "count": counts.get(current, 0)})
            try:
                current = next_start(interval, current)
            except OverflowError:  # an article dated in the calendar's last interval
                break
        return {"interval": interval, "buckets": buckets, "undated": undated}


HISTOGRAM = DateHistogram(schema.PUBLISHED)

# Every facet; the terms facets in the order the page lists them.
FACETS = (
    TermsFacet("country", schema.COUNTRY, "Country"),
    TermsFacet("city", schema.CITY, "City", long_tail=True),
    TermsFacet("source", schema.SOURCE, "Source"),
    TermsFacet("topic", schema.TOPICS, "Topics", long_tail=True),
    TermsFacet("org", schema.ORGANIZATIONS, "Organisations", long_tail=True),
    TermsFacet("place", schema.PLACES, "Places", long_tail=True),
    TermsFacet("person", schema.PEOPLE, "People", long_tail=True),
    TermsFacet("language", schema.LANGUAGE, "Language"),
    HISTOGRAM,
)
TERMS_FACETS = tuple(facet for facet in FACETS if isinstance(facet, TermsFacet))
FACETS_BY_NAME = {facet.name: facet for facet in TERMS_FACETS}
