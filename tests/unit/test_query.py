"""The query builder: the text query users cannot break, and one request that counts facets disjunctively."""

from werkzeug.datastructures import MultiDict

from dateline import schema
from dateline.service.params import SearchParams
from dateline.service.query import (
    ALL_WORDS_FIRST,
    EVERY_WORD,
    EVERY_WORD_OF_SHORT,
    PARTIAL_MATCH,
    build_search,
    full_text_query,
)


def request_for(query) -> dict:
    return build_search(SearchParams.from_args(MultiDict(query)))


def _text_clauses(query) -> list[dict]:
    """Every simple_query_string inside a query, in order."""
    if isinstance(query, list):
        return [c for part in query for c in _text_clauses(part)]
    if not isinstance(query, dict):
        return []
    if "simple_query_string" in query:
        return [query["simple_query_string"]]
    return [c for part in query.values() for c in _text_clauses(part)]


TEXT = list(schema.TEXT_FIELDS)
SKELETONS = [f"{field}.{schema.SKELETON}" for field in schema.TEXT_FIELDS]
LANGUAGES = list(schema.LANGUAGE_FIELDS)


def _alternatives(matching: dict) -> tuple[dict, dict]:
    """The words on the shared text fields, and on the language fields of non-English articles."""
    shared, language = matching["bool"]["should"]
    words, exists = language["bool"]["filter"]
    assert exists == {"exists": {"field": schema.LANGUAGE_TEXT_OBJECT}}
    return shared["simple_query_string"], words["simple_query_string"]


def test_words_match_the_text_fields_the_language_fields_and_in_any_spelling_the_name_skeletons():
    clauses = _text_clauses(full_text_query("peacekeepers lachin"))
    assert clauses and all(c["query"] == "peacekeepers lachin" and c["lenient"] is True for c in clauses)
    assert {tuple(c["fields"]) for c in clauses} == {tuple(TEXT), tuple(LANGUAGES)}
    named = _text_clauses(full_text_query("lachin", names=True))
    assert {tuple(c["fields"]) for c in named} == {tuple(TEXT + SKELETONS), tuple(LANGUAGES)}


def test_ranking_is_beirs_best_fields_query_with_the_field_weights_and_the_skeletons_below():
    words, languages, gold, deposit = full_text_query('"gold deposit" -copper', names=True)["bool"]["should"]
    assert words == {"multi_match": {"query": "gold deposit", "type": "best_fields", "tie_breaker": 0.5,
                                     "fields": [f"{f}^{w:g}" for f, w in schema.TEXT_FIELDS.items()]}}
    assert languages["multi_match"]["fields"] == [f"{f}^{w:g}" for f, w in schema.LANGUAGE_FIELDS.items()]
    # A word counts by its skeleton only where the article lacks the word itself.
    assert gold["bool"]["must"][0]["multi_match"] == {**words["multi_match"], "query": "gold", "fields": SKELETONS}
    assert gold["bool"]["must_not"] == [{"multi_match": {"query": "gold", "fields": TEXT}}]
    assert gold["bool"]["boost"] == deposit["bool"]["boost"] == schema.NAME_WEIGHT < 1


def test_short_queries_match_any_word_and_put_articles_with_every_word_first():
    query = full_text_query("peacekeepers lachin")["bool"]
    for words in _alternatives(query["filter"][0]):
        assert words["minimum_should_match"] == PARTIAL_MATCH
    tier = query["should"][-1]["constant_score"]
    assert tier["boost"] == ALL_WORDS_FIRST
    for words in _alternatives(tier["filter"]):
        assert words["minimum_should_match"] == EVERY_WORD_OF_SHORT
    assert EVERY_WORD_OF_SHORT == "3<-100%"  # up to three words: all of them; more: none (no tier)


def test_exclusions_and_alternatives_are_taken_literally_with_every_word_required():
    for q in ("gold -copper", "baku OR ganja"):
        clauses = _text_clauses(full_text_query(q))
        assert len(clauses) == 2 and all(clause["default_operator"] == "and" for clause in clauses)
        assert EVERY_WORD not in request_for({"q": q})["aggs"]
    assert EVERY_WORD in request_for({"q": "gold copper"})["aggs"]
    assert EVERY_WORD not in request_for({})["aggs"]


def test_full_text_query_allows_no_wildcards_fuzziness_or_regular_expressions():
    for clause in _text_clauses(full_text_query("gold* ~2 /re.*/")):
        assert set(clause["flags"].split("|")) == {"AND", "OR", "NOT", "PHRASE", "PRECEDENCE", "WHITESPACE"}


def test_or_and_not_in_capitals_become_operators_except_inside_quotes():
    query = _text_clauses(full_text_query('baku OR ganja NOT "war OR peace" and or'))[0]["query"]
    assert query == 'baku | ganja -"war OR peace" and or'


def test_a_plus_inside_a_word_or_before_a_number_is_text_not_an_operator():
    query = _text_clauses(full_text_query('Ca2+ in the cytosol, +1 nucleosomes, +gold +"red tape"'))[0]["query"]
    assert query == 'Ca2  in the cytosol,  1 nucleosomes, +gold +"red tape"'


def test_a_blank_query_matches_everything():
    assert full_text_query("  ") == {"match_all": {}}


def test_without_selections_there_is_no_post_filter_and_no_highlighting_without_words():
    request = request_for({})
    assert "post_filter" not in request
    assert "highlight" not in request
    assert request["aggs"]["country"]["filter"] == {"bool": {"filter": []}}


def test_selections_narrow_the_hits_but_each_facet_is_counted_without_its_own_selection():
    request = request_for([("country", "Azerbaijan"), ("country", "Georgia"), ("city", "Baku")])
    countries = {"terms": {f"{schema.COUNTRY}.{schema.FOLDED}": ["Azerbaijan", "Georgia"]}}
    cities = {"terms": {f"{schema.CITY}.{schema.FOLDED}": ["Baku"]}}
    assert request["post_filter"] == {"bool": {"filter": [countries, cities]}}
    aggs = request["aggs"]
    assert aggs["country"]["filter"]["bool"]["filter"] == [cities]
    assert aggs["city"]["filter"]["bool"]["filter"] == [countries]
    assert aggs["person"]["filter"]["bool"]["filter"] == [countries, cities]
    assert aggs["histogram"]["filter"]["bool"]["filter"] == [countries, cities]


def test_selected_values_are_counted_exactly_even_outside_the_top_values():
    selected = request_for({"person": "Louis Bono"})["aggs"]["person"]["aggs"]["selected"]
    folded = f"{schema.PEOPLE}.{schema.FOLDED}"
    assert selected["filters"] == {"filters": {"Louis Bono": {"terms": {folded: ["Louis Bono"]}}}}
    assert selected["aggs"]["spelt"]["terms"]["field"] == schema.PEOPLE  # its spelling in the archive


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

