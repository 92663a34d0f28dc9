"""The parameters of a search, validated from the query string into one immutable value.

All state of a search lives in the URL, so this module is both the gate and the way back: ``from_args`` turns
a query string into a ``SearchParams`` or raises ``ParamError`` naming the parameter at fault, and ``to_args``
turns a value back into the shortest query string that means the same. Every link the service draws (pages,
facet checkboxes, histogram bars, the JSON twin) is made from a ``SearchParams``. Unknown parameters are
ignored, so links with tracking tags or from older versions still work. The facet parameters and how their
values are normalised come from the facet registry (``dateline.service.facets``).

Besides the words, filters, dates, sort and page, a search may name a ``story`` (list the versions of one
story), an ``after`` cursor (continue past the first 10,000 results, see ``dateline.service.cursor``) and, per facet, a
``<facet>_prefix`` that lists the facet's values starting with it instead of its most frequent ones.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from .facets import FACETS, FACETS_BY_NAME, HISTOGRAM, SearchURL

FACET_NAMES = tuple(FACETS_BY_NAME)  # the terms facets' parameters: country, city, source, org, place, person
SORTS = ("relevance", "newest", "oldest")
RANKINGS = ("lexical", "hybrid")  # by words only, or by words and meaning (``dateline.service.ranking``)
DEFAULT_SIZE = 10
MAX_SIZE = 100
MAX_Q_LENGTH = 500
MAX_FACET_VALUES = 20
MAX_VALUE_LENGTH = 256  # facet keywords longer than this are not indexed (ignore_above)
MAX_PREFIX_LENGTH = 100
MAX_CURSOR_LENGTH = 2000
_CURSOR = re.compile(r"[A-Za-z0-9_-]+")  # base64url without padding
# Elasticsearch's index.max_result_window: from + size beyond it is refused, so paging stops there.
MAX_RESULT_WINDOW = 10_000

_WHOLE_NUMBER = re.compile(r"\d{1,9}")
_WORDS_AND_FACETS = ("q", "filters")
_ENCODED_REST = "_encoded_rest"  # where a value keeps its encoded parameters besides words and facets
_ENCODED = "_encoded"  # where a value keeps its whole query string
# Stand-ins for the value that varies between the links of a page (see ``toggle_urls``); a URL in which one
# occurs more than once (a search whose own values hold it) has its links made one by one.
_STAND_IN = "\x00"
_STAND_IN_DATES = (date(1, 1, 1), date(1, 1, 2))


class ParamError(ValueError):
    """A query parameter holds a value the search cannot use; ``param`` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # facet name → selected values
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = DEFAULT_SIZE
    story: str = ""  # only the versions of this story
    after: str = ""  # a cursor: the results after the ones it points at
    prefixes: Mapping[str, str] = field(default_factory=dict)  # facet name → prefix of the values to list
    undated: bool = False  # only the articles without a date
    ranking: str = ""  # one of RANKINGS; empty: the service's default for the index

    @classmethod
    def from_args(cls, args) -> SearchParams:
        """Validate a query string (a werkzeug ``MultiDict``); empty values (forms send them) are absent."""
        q = _single(args, "q")
        if len(q) > MAX_Q_LENGTH:
            raise ParamError("q", f"the query may be at most {MAX_Q_LENGTH} characters (it has {len(q)})")
        filters = {}
        for name in FACET_NAMES:
            values = _facet_values(args, name)
            if values:
                filters[name] = values
        date_from = _date(args, "from")
        date_to = _date(args, "to")
        if date_from and date_to and date_to < date_from:
            raise ParamError("to", f"{date_to.isoformat()} is before from={date_from.isoformat()}")
        undated = _single(args, "undated")
        if undated not in ("", "1"):
            raise ParamError("undated", f"{_shown(undated)} is not 1 (give undated=1 to list the undated articles)")
        if undated and (date_from or date_to):
            raise ParamError("undated", "undated=1 lists the articles without a date, which no from/to range holds: "
                                        "give one or the other")
        sort = _single(args, "sort") or "relevance"
        if sort not in SORTS:
            raise ParamError("sort", f"{_shown(sort)} is not one of {', '.join(SORTS)}")
        ranking = _single(args, "ranking")
        if ranking and ranking not in RANKINGS:
            raise ParamError("ranking", f"{_shown(ranking)} is not one of {', '.join(RANKINGS)}")
        page = _whole_number(args, "page", default=1)
        if page < 1:
            raise ParamError("page", "pages are numbered from 1")
        size = _whole_number(args, "size", default=DEFAULT_SIZE)
        if not 1 <= size <= MAX_SIZE:
            raise ParamError("size", f"{size} results per page is outside 1–{MAX_SIZE}")
        if page * size > MAX_RESULT_WINDOW:
            raise ParamError(
                "page",
                f"page {page} of {size} results would reach result {page * size:,}, but only the first "
                f"{MAX_RESULT_WINDOW:,} results of a search can be paged through: narrow the search with "
                "words, filters or dates",
            )
        story = _single(args, "story")
        if len(story) > MAX_VALUE_LENGTH:
            raise ParamError("story", f"a story key may be at most {MAX_VALUE_LENGTH} characters long")
        after = _single(args, "after")
        if after and (len(after) > MAX_CURSOR_LENGTH or not _CURSOR.fullmatch(after)):
            raise ParamError("after", "this is not a cursor of a results page: follow the page's Next link")
        if after and page != 1:
            raise ParamError("after", "give either a page or a cursor, not both")
        prefixes = {}
        for name in FACET_NAMES:
            prefix = prefix_param(args, f"{name}_prefix")
            if prefix:
                prefixes[name] = prefix
        return cls(q, filters, date_from, date_to, sort, page, size, story, after, prefixes, bool(undated), ranking)

    @property
    def offset(self) -> int:
        """How many results come before this page."""
        return (self.page - 1) * self.size

    def selected(self, facet: str) -> tuple[str, ...]:
        return self.filters.get(facet, ())

    def to_args(self) -> list[tuple[str, str]]:
        """The query string pairs of these parameters, defaults left out."""
        return self._words_and_facets() + self._rest()

    def query_string(self) -> str:
        """``to_args`` encoded as a URL's query string (without ``?``). A results page links dozens of variants
        of its search (one per facet value, bar, page) that differ in their words or facets only: the rest is
        encoded once and kept with the value (``_with`` keeps it while the rest stays the same)."""
        encoded = self.__dict__.get(_ENCODED)
        if encoded is not None:
            return encoded
        rest = self.__dict__.get(_ENCODED_REST)
        if rest is None:
            rest = self.__dict__[_ENCODED_REST] = "&".join(map(_encoded, self._rest()))
        head = "&".join(map(_encoded, self._words_and_facets()))
        encoded = self.__dict__[_ENCODED] = f"{head}&{rest}" if head and rest else head or rest
        return encoded

    def _words_and_facets(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        if self.filters:
            filters = self.filters
            pairs += [(name, value) for name in FACET_NAMES if name in filters for value in filters[name]]
        return pairs

    def _rest(self) -> list[tuple[str, str]]:
        pairs = []
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.undated:
            pairs.append(("undated", "1"))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.ranking:
            pairs.append(("ranking", self.ranking))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.size != DEFAULT_SIZE:
            pairs.append(("size", str(self.size)))
        if self.story:
            pairs.append(("story", self.story))
        if self.prefixes:
            pairs += [(f"{name}_prefix", self.prefixes[name]) for name in FACET_NAMES if name in self.prefixes]
        if self.after:
            pairs.append(("after", self.after))
        return pairs

    def to_json(self) -> dict:
        """Every parameter with its normalised value, as the JSON API echoes it."""
        return {
            "q": self.q,
            **{name: list(self.selected(name)) for name in FACET_NAMES},
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "undated": self.undated,
            "sort": self.sort,
            "ranking": self.ranking or None,
            "page": self.page,
            "size": self.size,
            "story": self.story or None,
            "after": self.after or None,
            "prefixes": dict(self.prefixes),
        }

    def search_key(self) -> str:
        """What decides which results come in which order (not how many a page shows, nor where it starts)."""
        ordering = ("q", "from", "to", "undated", "sort", "ranking", "story")
        key = [(name, value) for name, value in self.to_args() if name in ordering or name in FACET_NAMES]
        return urlencode(key)

    def _with(self, **changes) -> SearchParams:
        """A copy with ``changes``: ``dataclasses.replace`` without its checks of every field, several times
        faster, for the dozens of variants of a search (one per link) a results page makes; the value itself
        when nothing changes (a page links its own search in several forms)."""
        mine = self.__dict__
        if all(mine[name] == value for name, value in changes.items()):
            return self
        copy = object.__new__(SearchParams)
        copy.__dict__.update(mine, **changes)
        copy.__dict__.pop(_ENCODED, None)
        if _ENCODED_REST in copy.__dict__ and any(
                name not in _WORDS_AND_FACETS and value != mine[name] for name, value in changes.items()):
            del copy.__dict__[_ENCODED_REST]
        return copy

    def with_page(self, page: int) -> SearchParams:
        return self._with(page=page, after="")

    def with_after(self, cursor: str) -> SearchParams:
        """The page of results after the position ``cursor`` names."""
        return self._with(page=1, after=cursor)

    def with_story(self, story: str) -> SearchParams:
        """The same search narrowed to the versions of one story (or widened again with ``""``); page 1."""
        return self._with(story=story, page=1, after="")

    def with_q(self, q: str) -> SearchParams:
        return self._with(q=q, page=1, after="")

    def with_prefix_cleared(self) -> SearchParams:
        """The search with every facet listing its top values again."""
        return self._with(prefixes={})

    def with_prefix(self, facet: str, prefix: str) -> SearchParams:
        """The search with ``facet`` listing its values that start with ``prefix`` (top values if empty)."""
        prefixes = {name: value for name, value in self.prefixes.items() if name != facet}
        if prefix:
            prefixes[facet] = prefix
        return self._with(prefixes=prefixes)

    def toggled(self, facet: str, value: str) -> SearchParams:
        """The search with ``value`` of ``facet`` selected if it was not, and unselected if it was; page 1."""
        values = self.selected(facet)
        values = tuple(v for v in values if v != value) if value in values else (*values, value)
        filters = {name: chosen for name, chosen in self.filters.items() if name != facet and chosen}
        if values:
            filters[facet] = values
        return self._with(filters=filters, page=1, after="")

    def toggle_urls(self, facet: str, search_url: SearchURL) -> Callable[[str], str]:
        """``value → search_url(self.toggled(facet, value))`` for the many values of a facet a page links, at
        the cost of one URL: the URL toggling a stand-in value, each value's own pair put in its place."""
        selected = self.selected(facet)
        fill = _spliced(search_url(self.toggled(facet, _STAND_IN)), _encoded((facet, _STAND_IN)))

        def url(value: str) -> str:
            if fill is None or value in selected:  # unselecting a value removes its pair instead
                return search_url(self.toggled(facet, value))
            return fill(_encoded((facet, value)))
        return url

    def dates_urls(self, search_url: SearchURL) -> Callable[[str, str], str]:
        """``(start, end) → search_url(self.with_dates(start, end))``, the dates as ``YYYY-MM-DD``, for the bars
        of a chart at the cost of one URL (see ``toggle_urls``)."""
        first, last = _STAND_IN_DATES
        fill = _spliced(search_url(self.with_dates(first, last)), _dates_pairs(first.isoformat(), last.isoformat()))
        if fill is None:
            return lambda start, end: search_url(self.with_dates(date.fromisoformat(start), date.fromisoformat(end)))
        return lambda start, end: fill(_dates_pairs(start, end))

    def without_filters(self) -> SearchParams:
        """The same words, sort and page size, with no facet selected, no date range and no story; page 1."""
        return self._with(filters={}, date_from=None, date_to=None, undated=False, page=1, story="",
                                   after="")

    def with_dates(self, date_from: date | None, date_to: date | None) -> SearchParams:
        """The search within the two dates (either may be open), undated articles left out; page 1."""
        return self._with(date_from=date_from, date_to=date_to, undated=False, page=1, after="")

    def with_undated(self) -> SearchParams:
        """The same search narrowed to the articles without a date; page 1."""
        return self._with(date_from=None, date_to=None, undated=True, page=1, after="")

    def restrictions(self) -> list[tuple[str, SearchParams]]:
        """Each restriction besides the words, in words, with the search without it: every facet's selections
        (``Country: Armenia``, ``Published 2022-12-01 – …``), then the story."""
        found = [restriction for facet in FACETS for restriction in facet.active(self)]
        if self.story:
            found.append(("Versions of one story", self.with_story("")))
        return found


def _shown(raw: str) -> str:
    """A user's value quoted for an error message, cut short so a message never echoes a whole payload."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def _single(args, name: str) -> str:
    values = args.getlist(name)
    if len(values) > 1:
        raise ParamError(name, f"give {name} once (it was given {len(values)} times)")
    return values[0].strip() if values else ""


def prefix_param(args, name: str) -> str:
    """A prefix to complete (autocomplete, facet value search): one value of at most MAX_PREFIX_LENGTH."""
    prefix = _single(args, name)
    if len(prefix) > MAX_PREFIX_LENGTH:
        raise ParamError(name, f"a prefix may be at most {MAX_PREFIX_LENGTH} characters "
                               f"(it has {len(prefix)})")
    return prefix


def _facet_values(args, name: str) -> tuple[str, ...]:
    values: list[str] = []
    for raw in args.getlist(name):
        value = FACETS_BY_NAME[name].normalise(raw)
        if len(value) > MAX_VALUE_LENGTH:
            raise ParamError(name, f"a value may be at most {MAX_VALUE_LENGTH} characters long")
        if value and value not in values:
            values.append(value)
    if len(values) > MAX_FACET_VALUES:
        raise ParamError(name, f"at most {MAX_FACET_VALUES} values can be selected (got {len(values)})")
    return tuple(values)


def _date(args, name: str) -> date | None:
    raw = _single(args, name)
    if not raw:
        return None
    try:
        return HISTOGRAM.normalise(raw)
    except ValueError:
        raise ParamError(name, f"{_shown(raw)} is not a date of the form YYYY-MM-DD") from None


def _whole_number(args, name: str, default: int) -> int:
    raw = _single(args, name)
    if not raw:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw):
        raise ParamError(name, f"{_shown(raw)} is not a whole number")
    return int(raw)


def _spliced(url: str, stand_in: str) -> Callable[[str], str] | None:
    """What puts a text in the place of ``stand_in`` in ``url``; None unless it occurs exactly once there."""
    before, found, after = url.partition(stand_in)
    if not found or stand_in in after:
        return None
    return lambda text: before + text + after


def _dates_pairs(start: str, end: str) -> str:
    """``from`` and ``to`` as ``query_string`` encodes them: ISO dates hold nothing to escape."""
    return f"from={start}&to={end}"


@functools.lru_cache(maxsize=4096)
def _encoded(pair: tuple[str, str]) -> str:
    """``name=value`` of a query string: a results page has dozens of links, most sharing most pairs."""
    return urlencode((pair,))
