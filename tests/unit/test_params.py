"""Search parameters from the query string: what is accepted, what is refused and how, and the way back."""

import random
from datetime import date
from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import MultiDict

from dateline.service.params import ParamError, SearchParams


def parse(query: list[tuple[str, str]] | dict) -> SearchParams:
    return SearchParams.from_args(MultiDict(query))


def test_no_parameters_mean_the_newest_articles_ten_at_a_time():
    assert parse({}) == SearchParams(q="", filters={}, sort="relevance", page=1, size=10)


def test_values_are_trimmed_and_facet_values_deduplicated_in_order():
    params = parse([("q", "  peacekeepers  "), ("city", " Baku "), ("city", "Shusha"), ("city", "Baku"),
                    ("country", "Azerbaijan"), ("person", "")])
    assert params.q == "peacekeepers"
    assert params.filters == {"city": ("Baku", "Shusha"), "country": ("Azerbaijan",)}


def test_empty_fields_of_a_submitted_form_count_as_absent():
    params = parse({"q": "", "from": "", "to": "", "sort": "", "page": "", "size": ""})
    assert params == SearchParams()


def test_unknown_parameters_are_ignored():
    assert parse({"utm_source": "mail", "q": "lachin"}) == SearchParams(q="lachin")


def test_dates_sort_page_and_size_are_read():
    params = parse({"from": "2022-12-01", "to": "2022-12-31", "sort": "oldest", "page": "3", "size": "25"})
    assert (params.date_from, params.date_to) == (date(2022, 12, 1), date(2022, 12, 31))
    assert (params.sort, params.page, params.size, params.offset) == ("oldest", 3, 25, 50)


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"size": "0"}, "size"),
        ({"size": "101"}, "size"),
        ({"size": "ten"}, "size"),
        ({"size": "1.5"}, "size"),
        ({"page": "0"}, "page"),
        ({"page": "-2"}, "page"),
        ({"page": "99999999999999999999"}, "page"),
        ({"sort": "popular"}, "sort"),
        ({"from": "2022-13-01"}, "from"),
        ({"from": "13/12/2022"}, "from"),
        ({"to": "2022-02-30"}, "to"),
        ({"from": "2023-01-02", "to": "2023-01-01"}, "to"),
        ({"q": "x" * 501}, "q"),
        ({"city": "x" * 257}, "city"),
        ([("q", "a"), ("q", "b")], "q"),
    ],
)
def test_invalid_values_are_refused_naming_the_parameter(query, param):
    with pytest.raises(ParamError) as caught:
        parse(query)
    assert caught.value.param == param
    assert str(caught.value).startswith(f"{param}: ")


def test_limits_themselves_are_accepted():
    assert parse({"q": "x" * 500, "size": "100", "page": "100"}).size == 100
    assert parse([("org", f"org {n}") for n in range(20)]).selected("org")[-1] == "org 19"


def test_more_than_twenty_values_of_one_facet_are_refused():
    with pytest.raises(ParamError) as caught:
        parse([("place", f"place {n}") for n in range(21)])
    assert caught.value.param == "place"


def test_paging_past_the_first_ten_thousand_results_is_refused_with_the_reason():
    assert parse({"page": "1000", "size": "10"}).offset == 9990
    with pytest.raises(ParamError) as caught:
        parse({"page": "101", "size": "100"})
    assert caught.value.param == "page"
    assert "10,000" in caught.value.message


def test_error_messages_do_not_echo_long_input():
    with pytest.raises(ParamError) as caught:
        parse({"sort": "s" * 1000})
    assert len(str(caught.value)) < 120


def test_to_args_leaves_out_defaults_and_reads_back_to_the_same_search():
    params = parse([("q", "gold mine"), ("person", "Ilham Aliyev"), ("country", "Azerbaijan"),
                    ("from", "2022-01-01"), ("sort", "newest"), ("page", "2"), ("size", "20")])
    assert params.to_args() == [
        ("q", "gold mine"), ("country", "Azerbaijan"), ("person", "Ilham Aliyev"),
        ("from", "2022-01-01"), ("sort", "newest"), ("page", "2"), ("size", "20"),
    ]
    assert parse(params.to_args()) == params
    assert SearchParams().to_args() == []


def test_to_json_names_every_parameter():
    assert parse({"q": "baku", "city": "Baku"}).to_json() == {
        "q": "baku", "country": [], "city": ["Baku"], "source": [], "topic": [], "org": [], "place": [], "person": [],
        "language": [], "from": None, "to": None, "undated": False, "sort": "relevance", "page": 1, "size": 10,
        "story": None, "after": None, "prefixes": {}, "ranking": None,
    }


def test_undated_lists_the_articles_without_a_date_and_excludes_a_date_range():
    params = parse({"q": "rain", "undated": "1"})
    assert params.undated and params.to_args() == [("q", "rain"), ("undated", "1")]
    assert parse(params.to_args()) == params
    assert not params.with_dates(date(2023, 1, 1), None).undated
    refused = [({"undated": "yes"}, "is not 1"), ({"undated": "1", "from": "2023-01-01"}, "one or the other")]
    for bad, message in refused:
        with pytest.raises(ParamError) as failure:
            parse(bad)
        assert failure.value.param == "undated" and message in str(failure.value)


def test_toggling_a_facet_value_selects_or_unselects_it_and_goes_back_to_page_one():
    params = parse({"city": "Baku", "page": "4"})
    added = params.toggled("city", "Ganja")
    assert added.selected("city") == ("Baku", "Ganja") and added.page == 1
    assert added.toggled("city", "Baku").toggled("city", "Ganja").filters == {}


def test_clearing_filters_keeps_the_words():
    params = parse({"q": "oil", "city": "Baku", "from": "2022-01-01", "sort": "newest"})
    assert params.without_filters() == SearchParams(q="oil", sort="newest")


def test_every_variant_of_a_search_links_with_its_own_parameters():
    """Links keep the encoded parameters besides words and facets with the search; a variant that changes
    them (page, dates, sort, story, cursor, prefixes) must not link with the old ones."""
    rng = random.Random(7)
    values = ["France", "Côte d'Ivoire", "a=b&c", "x y"]
    variants = [
        lambda p: p.toggled(rng.choice(["country", "person"]), rng.choice(values)),
        lambda p: p.with_page(rng.randint(1, 3)),
        lambda p: p.with_q(rng.choice(["", "oil", "a&b ü"])),
        lambda p: p.with_dates(rng.choice([None, date(1987, 1, 2)]), rng.choice([None, date(1988, 1, 1)])),
        lambda p: p.with_undated(),
        lambda p: p.with_prefix("country", rng.choice(["", "fr"])),
        lambda p: p.with_story(rng.choice(["", "s1"])),
        lambda p: p.with_after(rng.choice(["", "abc"])),
        lambda p: p.without_filters(),
    ]
    for _ in range(300):
        params = SearchParams(sort=rng.choice(["relevance", "newest"]), size=rng.choice([10, 20]))
        for _ in range(6):
            params.query_string()
            params = rng.choice(variants)(params)
            assert params.query_string() == urlencode(params.to_args())


def test_the_links_of_a_page_made_from_one_url_are_the_links_made_one_by_one():
    def url(params):
        return "/search?" + params.query_string()

    params = SearchParams(q="gold & silver", filters={"country": ("Armenia", "Côte d'Ivoire"), "person": ("Ann",)},
                          date_from=date(2022, 1, 1), sort="newest", page=3, after="", prefixes={"city": "Ye"})
    toggle = params.toggle_urls("country", url)
    for value in ("Armenia", "Côte d'Ivoire", "a&b=c", "São Tomé", "100%", "+", "\x00", "Georgia"):
        assert toggle(value) == url(params.toggled("country", value))
    assert params.toggle_urls("city", url)("Yerevan") == url(params.toggled("city", "Yerevan"))
    assert params.dates_urls(url)("2020-01-01", "2020-12-31") == \
        url(params.with_dates(date(2020, 1, 1), date(2020, 12, 31)))
    # A search whose own values hold the stand-in has each link made on its own.
    odd = SearchParams(q="\x00", filters={"country": ("\x00x",)})
    assert odd.toggle_urls("country", url)("France") == url(odd.toggled("country", "France"))
    assert odd.dates_urls(url)("0001-01-01", "0001-01-02") == url(odd.with_dates(date(1, 1, 1), date(1, 1, 2)))


def test_a_variant_of_a_search_whose_url_was_made_has_its_own_url():
    params = SearchParams(q="gold", page=2)
    assert params.query_string() == "q=gold&page=2"
    assert params.with_page(3).query_string() == "q=gold&page=3"
    assert params.toggled("country", "Armenia").query_string() == "q=gold&country=Armenia"
    assert params.with_q("silver").query_string() == "q=silver"
    assert params.with_page(2).query_string() == "q=gold&page=2"
