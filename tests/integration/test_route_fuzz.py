"""Every query parameter of every route, fuzzed against a real index: 200, 400 or 404, never a 500.

The routes are read from the app's URL map, so a route added later is fuzzed too. Values are any text, bytes
that are not UTF-8, near-misses of valid values (impossible dates, huge and negative numbers, stale cursors),
Elasticsearch syntax and very long strings, alone or several at once, repeated or not.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline import schema
from dateline.config import Settings
from dateline.service.app import create_app
from dateline.service.facets import FACETS_BY_NAME

from . import corpus

FACETS = list(FACETS_BY_NAME)
PARAMETERS = ["q", *FACETS, "from", "to", "sort", "page", "size", "story", "after", "prefix",
              *[f"{facet}_prefix" for facet in FACETS]]
ROUTES = sorted(rule.rule for rule in create_app(Settings()).url_map.iter_rules()
                if rule.endpoint != "static")
ANSWERS = {200, 400, 404}

near_misses = st.sampled_from([
    "", " ", "0", "-1", "1e3", "0x10", "99999999999999999999", "1.5", " 3 ", "١٢", "2023-02-30", "2023-13-01",
    "0000-01-01", "9999-12-31", "2023-2-1", "2023-02-01T00:00", "newest", "NEWEST", "oldest ", "relevance",
    "*", "*:*", "_index:articles", "/.*/", "a~2", 'q"', "((((((((((", "\\", "%", "null", "[]", "{}",
    "AND", "OR NOT", "-", "+", "|", "<script>alert(1)</script>", "Baku", "Azerbaijan", "Trend",
    base64.urlsafe_b64encode(b'["other-index",[1,2,"x"],5,"0000000000000000"]').decode().rstrip("="),
    base64.urlsafe_b64encode(b'["articles",[1],-1,"x"]').decode().rstrip("="), "AAAA", "____",
])
texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)
long_texts = st.builds(lambda part, n: part * n,
                       st.sampled_from(["a", "é", "(", "\"", "<", "0", " ", "Mr. "]), st.integers(90, 3000))
values = st.one_of(near_misses, texts, long_texts).map(lambda value: quote(value, safe=""))
non_utf8 = st.binary(min_size=1, max_size=12).map(lambda raw: quote(raw, safe=""))
any_value = st.one_of(values, values, non_utf8)
names = st.one_of(st.sampled_from(PARAMETERS), texts.filter(bool).map(lambda name: quote(name, safe="")))
path_values = st.one_of(
    st.sampled_from([corpus.articles()[0][schema.ID], corpus.SCRIPT_ID, *FACETS, "..", "%2e%2e", "x" * 600]),
    texts.filter(bool).map(lambda value: quote(value, safe="")),
)


@pytest.fixture(scope="module")
def client(corpus_settings):
    return create_app(corpus_settings).test_client()


def _path(route: str, value: str) -> str:
    """The route with each ``<argument>`` replaced by ``value``."""
    parts = route.split("<")
    return parts[0] + "".join(value + part.split(">", 1)[1] for part in parts[1:])


def _check(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in ANSWERS, (url, response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code != 200 and response.is_json:
        assert response.json["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("parameter", PARAMETERS)
@given(route=st.sampled_from(ROUTES), value=any_value, path_value=path_values, repeat=st.integers(1, 3))
@FUZZ
def test_each_parameter_alone_on_any_route(client, parameter, route, value, path_value, repeat):
    _check(client, _path(route, path_value) + "?" + "&".join([f"{parameter}={value}"] * repeat))


@given(route=st.sampled_from(ROUTES), path_value=path_values,
       pairs=st.lists(st.tuples(names, any_value), min_size=1, max_size=8))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parameters_in_any_combination(client, route, path_value, pairs):
    _check(client, _path(route, path_value) + "?" + "&".join(f"{name}={value}" for name, value in pairs))
