"""Elasticsearch answers → view models: escaping, snippets, paging links, facet rows and the histogram."""

from datetime import date

import pytest

from dateline.service.facets import FACETS_BY_NAME, HISTOGRAM, TERMS_FACETS, canonical, interval_for
from dateline.service.params import SearchParams
from dateline.service.views import histogram_chart, hit_view, safe_highlight, search_view, shorten


def article_url(article_id: str) -> str:
    return f"/articles/{article_id}"


def api_url(params: SearchParams) -> str:
    return f"/api/search?page={params.page}"


def millis(day: str) -> int:
    return (date.fromisoformat(day) - date(1970, 1, 1)).days * 86_400_000


def histogram_result(days: dict[str, int]) -> dict:
    """The histogram aggregation Elasticsearch would answer for articles on these days."""
    months: dict[str, int] = {}
    for day, count in days.items():
        months[day[:7] + "-01"] = months.get(day[:7] + "-01", 0) + count
    return {
        "range": {"count": sum(days.values()), "min": millis(min(days)) if days else None,
                  "max": millis(max(days)) if days else None},
        "days": {"buckets": [{"key": millis(d), "doc_count": c} for d, c in sorted(days.items())]},
        "months": {"buckets": [{"key": millis(m), "doc_count": c} for m, c in sorted(months.items())]},
    }


def answer(total: int, relation: str = "eq", hits: list | None = None, facets: dict | None = None) -> dict:
    aggs = {facet.name: {"top": {"buckets": []}} for facet in TERMS_FACETS}
    aggs.update(facets or {})
    aggs["histogram"] = histogram_result({"2022-12-13": total} if total else {})
    hits = {"total": {"value": total, "relation": relation}, "hits": hits or []}
    return {"hits": hits, "aggregations": aggs}


def test_highlights_let_only_mark_through():
    encoded = 'a &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; <mark>gold</mark> &amp; more'
    assert safe_highlight(encoded) == (
        "a &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>gold</mark> &amp; more"
    )
    # Even a fragment that was never encoded cannot carry markup.
    assert safe_highlight('<img src=x onerror=alert(1)><mark>x</mark>') == (
        "&lt;img src=x onerror=alert(1)&gt;<mark>x</mark>"
    )


def test_a_hit_without_highlights_shows_its_escaped_headline_and_lede():
    view = hit_view({"_id": "a1", "_score": None, "_source": {
        "id": "a1", "headline": "Oil & <gas>", "lede": "<b>Baku</b> " + "word " * 100,
        "published": "2022-12-13", "dateline": {"city": "Baku", "country": "Azerbaijan"}, "source": "Trend"}},
        article_url)
    assert view["url"] == "/articles/a1"
    assert view["headline"] == "Oil & <gas>"
    assert view["headline_html"] == "Oil &amp; &lt;gas&gt;"
    assert view["snippet_html"].startswith("&lt;b&gt;Baku&lt;/b&gt; word")
    assert view["snippet_html"].endswith("…") and len(view["snippet_html"]) < 260
    assert view["dateline"] == {"city": "Baku", "country": "Azerbaijan"}


def test_a_hit_with_highlights_shows_the_marked_fragments_joined():
    highlight = {"headline": ["<mark>Gold</mark>"], "body": ["one <mark>gold</mark>\n\nmine", "two"]}
    view = hit_view({"_id": "a1", "_score": 3.5, "_source": {"id": "a1", "headline": "Gold"},
                     "highlight": highlight}, article_url)
    assert view["headline_html"] == "<mark>Gold</mark>"
    assert view["snippet_html"] == "one <mark>gold</mark> mine … two"
    assert view["score"] == 3.5


def test_shorten_cuts_at_a_word_boundary():
    assert shorten("short text") == "short text"
    assert shorten("alpha beta gamma", length=12) == "alpha beta…"


@pytest.mark.parametrize(
    ("page", "total", "relation", "prev", "next"),
    [
        (1, 25, "eq", None, "/api/search?page=2"),
        (3, 25, "eq", "/api/search?page=2", None),
        (2, 20, "eq", "/api/search?page=1", None),
        (999, 10_000, "gte", "/api/search?page=998", "/api/search?page=1000"),
        (1000, 10_000, "gte", "/api/search?page=999", None),
    ],
)
def test_pages_link_to_the_previous_and_next_page_of_the_json_twin(page, total, relation, prev, next):
    view = search_view(SearchParams(page=page, size=10), answer(total, relation), article_url, api_url)
    assert view["pages"] == {"page": page, "size": 10, "prev": prev, "next": next}
    assert view["total"] == {"value": total, "relation": relation}


def test_a_selected_facet_value_stays_listed_with_its_count_even_at_zero():
    facets = {"person": {
        "top": {"buckets": [{"key": "Ilham Aliyev", "doc_count": 9},
                            {"key": "Ararat Mirzoyan", "doc_count": 4}]},
        "selected": {"buckets": {"Louis Bono": {"doc_count": 1}, "Amir Nazim": {"doc_count": 0},
                                 "Ararat Mirzoyan": {"doc_count": 4}}},
    }}
    params = SearchParams(filters={"person": ("Louis Bono", "Amir Nazim", "Ararat Mirzoyan")})
    rows = search_view(params, answer(5, facets=facets), article_url, api_url)["facets"]["person"]
    assert rows == [
        {"value": "Ilham Aliyev", "count": 9, "selected": False},
        {"value": "Ararat Mirzoyan", "count": 4, "selected": True},
        {"value": "Louis Bono", "count": 1, "selected": True},
        {"value": "Amir Nazim", "count": 0, "selected": True},
    ]


@pytest.mark.parametrize(
    ("first", "last", "interval"),
    [("2022-12-01", "2022-12-31", "day"), ("2022-12-01", "2023-01-01", "week"),
     ("2022-06-01", "2022-11-29", "week"), ("2022-06-01", "2022-12-31", "month"),
     ("2021-01-01", "2023-12-31", "month"), ("2020-01-01", "2023-12-31", "year")],
)
def test_the_interval_follows_the_length_of_the_range(first, last, interval):
    assert interval_for(date.fromisoformat(first), date.fromisoformat(last)) == interval


def test_histogram_of_the_results_draws_every_day_of_their_range():
    view = HISTOGRAM.view(histogram_result({"2022-12-13": 2, "2022-12-15": 1}), None, None)
    assert view == {"interval": "day", "buckets": [
        {"start": "2022-12-13", "count": 2}, {"start": "2022-12-14", "count": 0},
        {"start": "2022-12-15", "count": 1},
    ], "undated": 0}


def test_histogram_weeks_start_on_monday():
    view = HISTOGRAM.view(histogram_result({"2022-12-13": 2, "2022-12-18": 1, "2023-02-01": 4}), None, None)
    assert view["interval"] == "week"
    assert view["buckets"][0] == {"start": "2022-12-12", "count": 3}
    assert view["buckets"][-1] == {"start": "2023-01-30", "count": 4}
    assert sum(b["count"] for b in view["buckets"]) == 7


def test_histogram_years_add_up_their_months():
    view = HISTOGRAM.view(histogram_result({"2019-03-01": 1, "2019-11-30": 2, "2023-06-01": 5}), None, None)
    assert view == {"interval": "year", "buckets": [
        {"start": "2019-01-01", "count": 3}, {"start": "2020-01-01", "count": 0},
        {"start": "2021-01-01", "count": 0}, {"start": "2022-01-01", "count": 0},
        {"start": "2023-01-01", "count": 5},
    ], "undated": 0}


def test_histogram_of_a_chosen_month_draws_all_its_days_for_drilling_down():
    view = HISTOGRAM.view(histogram_result({"2022-12-13": 2}), date(2022, 12, 1), date(2022, 12, 31))
    assert view["interval"] == "day"
    assert len(view["buckets"]) == 31 and view["buckets"][12] == {"start": "2022-12-13", "count": 2}


def test_histogram_of_no_results_has_no_bars():
    assert HISTOGRAM.view(histogram_result({}), None, None) == {"interval": "day", "buckets": [], "undated": 0}


def test_chart_bars_scale_to_the_tallest_and_cover_their_whole_interval():
    chart = histogram_chart({"interval": "month", "buckets": [
        {"start": "2022-11-01", "count": 4}, {"start": "2022-12-01", "count": 0},
        {"start": "2023-01-01", "count": 2},
    ]}, height=80)
    first, empty, last = chart["bars"]
    assert (first["height"], first["y"], last["height"]) == (80, 0, 40)
    assert empty["height"] == 1 and empty["count"] == 0
    assert (first["start"], first["end"]) == ("2022-11-01", "2022-11-30")
    assert (first["label"], first["title"]) == ("November 2022", "November 2022: 4 articles")
    assert empty["title"] == "December 2022: no articles"
    assert last["x"] > empty["x"] > first["x"]


def test_an_answer_trimmed_to_nothing_gives_an_empty_page():
    # With filter_path, Elasticsearch leaves out empty hit and bucket lists altogether.
    view = search_view(SearchParams(q="x"), {"hits": {"total": {"value": 0, "relation": "eq"}}}, article_url,
                       api_url)
    assert view["hits"] == [] and view["histogram"] == {"interval": "day", "buckets": [], "undated": 0}
    assert all(rows == [] for rows in view["facets"].values())


def test_an_article_dated_at_the_end_of_the_calendar_does_not_break_the_histogram():
    view = HISTOGRAM.view(histogram_result({"1998-03-02": 2, "9999-12-31": 1}), None, None)
    assert view["interval"] == "year"
    assert view["buckets"][-1] == {"start": "9999-01-01", "count": 1}
    assert histogram_chart(view)["bars"]


def page_url(params: SearchParams) -> str:
    return "/search?" + "&".join(f"{name}={value}" for name, value in params.to_args())


def test_the_view_model_holds_every_link_the_page_draws():
    facets = {"country": {"top": {"buckets": [{"key": "Armenia", "doc_count": 3},
                                               {"key": "Georgia", "doc_count": 2}]},
                          "selected": {"buckets": {"Armenia": {"doc_count": 3}}}}}
    params = SearchParams(q="gold", filters={"country": ("Armenia",)}, date_from=date(2022, 12, 1),
                          date_to=date(2022, 12, 31), story="s1")
    view = search_view(params, answer(3, facets=facets), article_url, page_url, links={"json": "/api/x"})
    country = next(group for group in view["facet_groups"] if group["name"] == "country")
    assert (country["label"], country["values"][1]["value"]) == ("Country", "Georgia")
    assert country["values"][0]["url"] == "/search?q=gold&from=2022-12-01&to=2022-12-31&story=s1"  # unticks Armenia
    assert country["values"][1]["url"] == ("/search?q=gold&country=Armenia&country=Georgia&from=2022-12-01"
                                           "&to=2022-12-31&story=s1")
    assert view["restrictions"] == [
        {"text": "Country: Armenia", "url": "/search?q=gold&from=2022-12-01&to=2022-12-31&story=s1"},
        {"text": "Published 2022-12-01 – 2022-12-31", "url": "/search?q=gold&country=Armenia&story=s1"},
        {"text": "Versions of one story", "url": "/search?q=gold&country=Armenia&from=2022-12-01&to=2022-12-31"},
    ]
    bars = view["chart"]["bars"]
    assert [bar["start"] for bar in bars][:2] == ["2022-12-01", "2022-12-02"]
    assert bars[12]["url"] == "/search?q=gold&country=Armenia&from=2022-12-13&to=2022-12-13&story=s1"
    assert bars[0]["url"] is None  # a day without articles links nowhere
    assert view["links"] == {"json": "/api/x", "clear": "/search?q=gold"}


def test_results_without_every_word_of_a_short_query_say_so_and_others_do_not():
    params = SearchParams(q="gold zanzibar")
    most = answer(4, facets={"every_word": {"doc_count": 0}})
    assert search_view(params, most, article_url, api_url)["notice"] == {
        "kind": "most_words", "text": "No article has every word; showing articles with most of them"}
    every = answer(4, facets={"every_word": {"doc_count": 1}})
    assert search_view(params, every, article_url, api_url)["notice"] is None
    assert search_view(params, answer(0, facets={"every_word": {"doc_count": 0}}), article_url,
                       api_url)["notice"] is None
    assert search_view(SearchParams(q="gold -copper"), answer(4), article_url, api_url)["notice"] is None


def test_selected_facet_values_take_the_archive_s_spelling_among_their_articles_values():
    country = FACETS_BY_NAME["country"]
    typed = SearchParams(filters={"country": ("fránce", "FRANCE", "Atlantis")})
    aggs = {"country": {"selected": {"buckets": {
        "fránce": {"doc_count": 3, "spelt": {"buckets": [{"key": "Germany"}, {"key": "France"}]}},
        "FRANCE": {"doc_count": 3, "spelt": {"buckets": [{"key": "France"}]}},
        "Atlantis": {"doc_count": 0, "spelt": {"buckets": []}},
    }}}}
    assert canonical(typed, aggs).selected("country") == ("France", "Atlantis")
    assert canonical(SearchParams(filters={"country": ("France",)}), aggs).selected("country") == ("France",)
    assert country.filter(("fránce",)) == {"terms": {"dateline.country.folded": ["fránce"]}}
