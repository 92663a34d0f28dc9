"""Cursors and the parameters that carry them: a cursor reads back as written, and anything else is refused
naming ``after``."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from dateline.service.cursor import Cursor, decode, encode, fingerprint, pinned
from dateline.service.params import ParamError, SearchParams
from dateline.service.query import sort_for

ALIAS = "articles"


def parse(query) -> SearchParams:
    return SearchParams.from_args(MultiDict(query))


def cursor_for(params: SearchParams, after: tuple, index: str = "articles-20240101000000000000",
               position: int = 10_000) -> str:
    return encode(Cursor(index, after, position, fingerprint(params)))


@pytest.mark.parametrize(("query", "after"), [
    ({"q": "gold"}, (12.5, 1_670_889_600_000, "a1")),
    ({"sort": "newest", "country": "Georgia"}, (1_670_889_600_000, "a1")),
    ({"sort": "oldest", "story": "s1"}, (0, "b2")),
])
def test_a_cursor_reads_back_as_written(query, after):
    params = parse(query)
    token = cursor_for(params, after)
    assert token.isascii() and "=" not in token
    cursor = decode(token, parse({**query, "after": token}), ALIAS, sort_for(params))
    assert cursor == Cursor("articles-20240101000000000000", after, 10_000, fingerprint(params))


def test_only_an_index_a_rebuild_made_is_pinned_any_other_leaves_the_alias():
    assert pinned("articles-20240101000000000000") == "articles-20240101000000000000"
    assert pinned("articles-corpus") == pinned("articles") == ""
    token = cursor_for(SearchParams(), (1.0, 0, "a"), index="")
    assert decode(token, SearchParams(), ALIAS, sort_for(SearchParams())).index == ""


def test_the_page_size_may_change_but_not_the_search():
    params = parse({"q": "gold"})
    token = cursor_for(params, (1.0, 0, "a"))
    assert decode(token, parse({"q": "gold", "size": "50"}), ALIAS, sort_for(params)).position == 10_000
    for other in ({"q": "silver"}, {"q": "gold", "sort": "newest"}, {"q": "gold", "city": "Baku"},
                  {"q": "gold", "from": "2022-01-01"}):
        with pytest.raises(ParamError) as caught:
            decode(token, parse(other), ALIAS, sort_for(parse(other)))
        assert caught.value.param == "after" and "another search" in caught.value.message


@pytest.mark.parametrize("token", [
    "!!", "abc", cursor_for(SearchParams(), (1.0, 0, "a"), index="other-index"),
    cursor_for(SearchParams(), (1.0, 0, "a"), index="articles-other"),
    cursor_for(SearchParams(), (1.0, 0, "a"), index="articles-*"), cursor_for(SearchParams(), (1.0, 0)),
    cursor_for(SearchParams(), ("1.0", 0, "a")), cursor_for(SearchParams(), (1.0, "0", "a")),
    cursor_for(SearchParams(), (1.0, 0, 7)), cursor_for(SearchParams(), (True, 0, "a")),
    cursor_for(SearchParams(), (1.0, 0, "a"), position=-1),
    cursor_for(SearchParams(), (float("nan"), 0, "a")), cursor_for(SearchParams(), (float("inf"), 0, "a")),
    cursor_for(SearchParams(), (1.0, 2**70, "a")),
])
def test_anything_but_a_cursor_of_this_search_and_archive_is_refused(token):
    with pytest.raises(ParamError) as caught:
        decode(token, SearchParams(), ALIAS, sort_for(SearchParams()))
    assert caught.value.param == "after"


@pytest.mark.parametrize("query", [{"after": "not base64!"}, {"after": "a" * 2001},
                                   {"after": "abc", "page": "2"}])
def test_the_parameter_itself_is_checked_when_read(query):
    with pytest.raises(ParamError) as caught:
        parse(query)
    assert caught.value.param == "after"


def test_new_parameters_read_back_to_the_same_search():
    params = parse([("q", "gold"), ("story", "s1"), ("city_prefix", "ga"), ("person_prefix", "il"),
                    ("after", "abc")])
    assert (params.story, params.after, params.prefixes) == ("s1", "abc", {"city": "ga", "person": "il"})
    assert parse(params.to_args()) == params
    assert params.with_page(2).after == "" and params.toggled("city", "Ganja").after == ""
    assert params.with_prefix("city", "").prefixes == {"person": "il"}
    with pytest.raises(ParamError) as caught:
        parse({"org_prefix": "x" * 101})
    assert caught.value.param == "org_prefix"
