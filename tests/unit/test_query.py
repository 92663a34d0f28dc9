"""The query builder: the text query users cannot break, and one request that counts facets disjunctively."""

from werkzeug.datastructures import MultiDict

from dateline import schema
from dateline.service.params import SearchParams
from dateline.service.query import PARTIAL_MATCH, build_search, full_text_query


def request_for(query) -> dict:
    return build_search(SearchParams.from_args(MultiDict(query)))


def _text_clauses(query: dict) -> list[dict]:
    """Every simple_query_string inside a query."""
    if "simple_query_string" in query:
        return [query["simple_query_string"]]
    return [c for part in query["bool"].values() for sub in part for c in _text_clauses(sub)]


def test_full_text_query_searches_the_text_fields_with_their_weights():
    clauses = _text_clauses(full_text_query("peacekeepers lachin"))
    weighted = sorted(f"{field}^{weight:g}" for field, weight in schema.TEXT_FIELDS.items())
    assert clauses and all(c["query"] == "peacekeepers lachin" for c in clauses)
    assert all(sorted(c["fields"]) == weighted and c["lenient"] is True for c in clauses)


def test_short_queries_need_every_word_and_long_ones_rank_articles_with_every_word_first():
    short = full_text_query("peacekeepers lachin")["bool"]
    assert short["must"][0]["simple_query_string"]["minimum_should_match"] == PARTIAL_MATCH
    assert PARTIAL_MATCH.startswith("3<")  # up to three words: all required
    assert short["should"][0]["simple_query_string"]["default_operator"] == "and"


def test_exclusions_and_alternatives_are_taken_literally_with_every_word_required():
    for q in ("gold -copper", "baku OR ganja"):
        assert full_text_query(q)["simple_query_string"]["default_operator"] == "and"


def test_full_text_query_allows_no_wildcards_fuzziness_or_regular_expressions():
    for clause in _text_clauses(full_text_query("gold* ~2 /re.*/")):
        assert set(clause["flags"].split("|")) == {"AND", "OR", "NOT", "PHRASE", "PRECEDENCE", "WHITESPACE"}


def test_or_and_not_in_capitals_become_operators_except_inside_quotes():
    query = _text_clauses(full_text_query('baku OR ganja NOT "war OR peace" and or'))[0]["query"]
    assert query == 'baku | ganja -"war OR peace" and or'


def test_a_blank_query_matches_everything():
    assert full_text_query("  ") == {"match_all": {}}


def test_without_selections_there_is_no_post_filter_and_no_highlighting_without_words():
    request = request_for({})
    assert "post_filter" not in request
    assert "highlight" not in request
    assert request["aggs"]["country"]["filter"] == {"bool": {"filter": []}}


def test_selections_narrow_the_hits_but_each_facet_is_counted_without_its_own_selection():
    request = request_for([("country", "Azerbaijan"), ("country", "Georgia"), ("city", "Baku")])
    countries = {"terms": {schema.COUNTRY: ["Azerbaijan", "Georgia"]}}
    cities = {"terms": {schema.CITY: ["Baku"]}}
    assert request["post_filter"] == {"bool": {"filter": [countries, cities]}}
    aggs = request["aggs"]
    assert aggs["country"]["filter"]["bool"]["filter"] == [cities]
    assert aggs["city"]["filter"]["bool"]["filter"] == [countries]
    assert aggs["person"]["filter"]["bool"]["filter"] == [countries, cities]
    assert aggs["histogram"]["filter"]["bool"]["filter"] == [countries, cities]


def test_selected_values_are_counted_exactly_even_outside_the_top_values():
    selected = request_for({"person": "Louis Bono"})["aggs"]["person"]["aggs"]["selected"]
    assert selected == {"filters": {"filters": {"Louis Bono": {"term": {schema.PEOPLE: "Louis Bono"}}}}}


def test_the_date_range_limits_everything_both_ends_included():
    request = request_for({"from": "2022-12-01", "to": "2022-12-31"})
    assert request["query"]["bool"]["filter"] == [
        {"range": {schema.PUBLISHED: {"format": "yyyy-MM-dd", "gte": "2022-12-01", "lte": "2022-12-31"}}}
    ]


def test_every_sort_ends_on_the_id_so_pages_never_overlap():
    for sort in ("relevance", "newest", "oldest"):
        assert request_for({"sort": sort})["sort"][-1] == {schema.ID: "asc"}
    assert request_for({"sort": "oldest"})["sort"][0] == {schema.PUBLISHED: "asc"}


def test_paging_and_result_fields():
    request = request_for({"page": "3", "size": "20"})
    assert (request["from_"], request["size"]) == (40, 20)
    assert schema.BODY not in request["_source"]


def test_highlights_are_html_encoded_and_marked():
    highlight = request_for({"q": "gold"})["highlight"]
    assert highlight["encoder"] == "html"
    assert (highlight["pre_tags"], highlight["post_tags"]) == (["<mark>"], ["</mark>"])
    assert highlight["fields"][schema.BODY]["number_of_fragments"] == 2

