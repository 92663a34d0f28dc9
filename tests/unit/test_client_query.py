"""The query strings the client sends Elasticsearch: commas and stars as they are, everything else escaped."""

from urllib.parse import parse_qsl, urlsplit

from dateline.client import with_query


def test_a_filter_path_keeps_its_commas_and_stars():
    url = with_query("/articles/_search", {"filter_path": "hits.hits._id,aggregations.*.buckets"})
    assert url == "/articles/_search?filter_path=hits.hits._id,aggregations.*.buckets"


def test_values_that_would_break_the_query_string_are_escaped_and_read_back_the_same():
    params = {"q": "oil & gas=up 100% Bakı", "routing": "a/b?c#d"}
    url = with_query("/articles/_search", params)
    assert " " not in url and "#" not in url and "Bakı" not in url
    assert dict(parse_qsl(urlsplit(url).query)) == params


def test_no_params_no_query_string():
    assert with_query("/articles/_count", None) == with_query("/articles/_count", {}) == "/articles/_count"
