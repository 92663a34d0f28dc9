"""Hybrid ranking against a real node with the real embedding model (the ``semantic`` extra): meaning lifts an
article whose headline and lede say what the query asks in other words; a model mismatch is refused; vectors
are backfilled into an index built without them; without the extra everything else works, by words."""

from __future__ import annotations

import dataclasses
import json
import sys
import time

import pytest
from click.testing import CliRunner

from dateline import embedding, schema
from dateline.cli import main
from dateline.indexer.enrich.vectors import encoder_for, indexed_model, meta_of
from dateline.indexer.rebuild import rebuild
from dateline.indexer.update import add
from dateline.service import nearest
from dateline.service.app import create_app

pytestmark = pytest.mark.skipif(not embedding.available(), reason="the semantic extra is not installed")

QUERY = "rural protest over mine pollution"
# Its headline and lede (what is embedded) share no word with the query; the body names the pollution once,
# further down, so words alone find it but rank it low.
PARAPHRASE = {
    "id": "quarry-blockade",
    "headline": "Villagers block the road to a copper quarry",
    "body": "Farmers in the valley stood in front of lorries for a third day, saying the excavation poisons the "
            "river their cattle drink from.\n\nOfficials promised an inquiry into the pollution.",
}
# Articles that hold the query's words in other senses.
OTHERS = [
    ("mine-shares", "Mine operator's shares climb over forecasts",
     "Shares of the mine operator rose over forecasts after it raised its dividend."),
    ("water-polo", "Rural town cheers its water polo champions",
     "People in the rural town lined the streets to cheer the team back from the final."),
    ("exam-protest", "Students protest over exam timetable",
     "Students staged a protest over the timetable, which puts three exams on one day."),
    ("bitcoin-mine", "Bitcoin mine opens beside a hydro dam",
     "A bitcoin mine using the dam's water for cooling opened on Monday, over a year late."),
    ("rural-voters", "Rural voters back the mayor",
     "Rural voters backed the mayor over her rival in the second round."),
    ("noise-fine", "Bar fined over noise pollution",
     "Neighbours complained about noise pollution late at night."),
]
# A second version of one story: results count a story's versions.
UPDATED = ("mine-shares-updated", OTHERS[0][1], OTHERS[0][2] + " Trading closed higher.")
DOCS = [PARAPHRASE] + [{"id": doc_id, "headline": headline, "body": body} for doc_id, headline, body in
                       [*OTHERS, UPDATED]]


def _write(folder, docs) -> str:
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps({**doc, "published": "2023-05-01"}) + "\n" for doc in docs))
    return str(source)


def _ids(client, **query) -> tuple[list[str], str]:
    answer = client.get("/api/search", query_string={"q": QUERY, **query})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    view = answer.get_json()
    return [hit["id"] for hit in view["hits"]], view["ranking"]


@pytest.fixture
def embedded(es, test_settings, tmp_path):
    """The articles rebuilt with vectors, and a client of the service over them."""
    rebuild(es, test_settings.alias, [_write(tmp_path, DOCS)], keep=0, encoder=embedding.shared_encoder())
    return create_app(test_settings).test_client()


def test_meaning_lifts_the_paraphrase_into_the_top_three(embedded):
    lexical, ranked = _ids(embedded, ranking="lexical")
    assert ranked == "lexical"
    assert PARAPHRASE["id"] in lexical and PARAPHRASE["id"] not in lexical[:3]
    hybrid, ranked = _ids(embedded)  # the default, as the index has vectors
    assert ranked == "hybrid"
    assert PARAPHRASE["id"] in hybrid[:3]
    assert sorted(hybrid) == sorted(lexical)  # the same results, in another order


def test_counts_facets_and_highlights_stay_those_of_the_words(embedded):
    lexical = embedded.get("/api/search", query_string={"q": QUERY, "ranking": "lexical"}).get_json()
    hybrid = embedded.get("/api/search", query_string={"q": QUERY, "ranking": "hybrid"}).get_json()
    assert hybrid["total"] == lexical["total"] and hybrid["facets"] == lexical["facets"]
    assert hybrid["histogram"] == lexical["histogram"]
    by_id = {hit["id"]: hit for hit in lexical["hits"]}
    for hit in hybrid["hits"]:
        words = by_id[hit["id"]]
        assert hit == {**words, "versions_url": hit["versions_url"]}  # highlights, versions and all
        if words["versions_url"]:
            assert hit["versions_url"] == words["versions_url"].replace("ranking=lexical", "ranking=hybrid")
    assert max(hit["versions"] for hit in hybrid["hits"]) == 2
    page = embedded.get("/search", query_string={"q": QUERY}).get_data(as_text=True)
    assert "hybrid ranking" in page


def test_pages_of_a_hybrid_ranking_neither_repeat_nor_lose_results(embedded):
    pages = [_ids(embedded, size=2, page=page)[0] for page in (1, 2, 3, 4)]
    listed = [doc_id for page in pages for doc_id in page]
    assert sorted(listed) == sorted(_ids(embedded, ranking="lexical")[0])


def test_a_bad_ranking_is_refused(embedded):
    answer = embedded.get("/api/search", query_string={"q": QUERY, "ranking": "semantic"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["parameter"] == "ranking"


def test_vectors_of_another_model_are_refused_with_what_to_do(embedded, es, test_settings):
    index = next(iter(es.indices.get_alias(name=test_settings.alias)))
    meta = meta_of(es, index)
    meta[schema.EMBEDDING_META] = {**meta[schema.EMBEDDING_META], "model": "bge-small-en-v1.5"}
    es.indices.put_mapping(index=index, body={"_meta": meta})
    client = create_app(test_settings).test_client()  # a service that has not seen the index yet
    answer = client.get("/api/search", query_string={"q": QUERY})
    assert answer.status_code == 400
    message = answer.get_json()["error"]["message"]
    assert "bge-small-en-v1.5" in message and "dateline index embed" in message
    assert _ids(client, ranking="lexical")[1] == "lexical"


def test_embed_backfills_an_index_built_without_vectors(es, test_settings, tmp_path, monkeypatch):
    rebuild(es, test_settings.alias, [_write(tmp_path, DOCS)], keep=0)
    client = create_app(test_settings).test_client()
    assert _ids(client)[1] == "lexical"
    assert client.get("/api/search", query_string={"q": QUERY, "ranking": "hybrid"}).status_code == 400
    monkeypatch.setenv("DATELINE_ALIAS", test_settings.alias)
    done = CliRunner().invoke(main, ["index", "embed", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["embedded"] == len(DOCS)
    index = next(iter(es.indices.get_alias(name=test_settings.alias)))
    assert indexed_model(meta_of(es, index)) == embedding.model_info()
    client = create_app(test_settings).test_client()
    hybrid, ranked = _ids(client)
    assert ranked == "hybrid" and PARAPHRASE["id"] in hybrid[:3]


def test_embedding_can_be_turned_off():
    assert encoder_for(False) is None


@pytest.fixture
def without_the_extra(monkeypatch):
    """As if the semantic extra were not installed: its runtime cannot be imported."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert not embedding.available()


def test_without_the_extra_everything_else_works_by_words(es, test_settings, tmp_path, without_the_extra):
    assert encoder_for(True) is None
    report = rebuild(es, test_settings.alias, [_write(tmp_path, DOCS)], keep=0, encoder=encoder_for(True))
    assert indexed_model(meta_of(es, report.index)) is None
    client = create_app(test_settings).test_client()
    lexical, ranked = _ids(client)
    assert ranked == "lexical" and PARAPHRASE["id"] in lexical
    refused = client.get("/api/search", query_string={"q": QUERY, "ranking": "hybrid"})
    assert refused.status_code == 400
    done = CliRunner().invoke(main, ["index", "embed"], env={"DATELINE_ALIAS": test_settings.alias})
    assert done.exit_code == 1 and "semantic" in done.output


def test_a_service_without_the_extra_ranks_an_embedded_index_by_words(embedded, test_settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    client = create_app(dataclasses.replace(test_settings)).test_client()
    lexical, ranked = _ids(client)
    assert ranked == "lexical" and PARAPHRASE["id"] in lexical
    refused = client.get("/api/search", query_string={"q": QUERY, "ranking": "hybrid"})
    assert refused.status_code == 400 and "semantic" in refused.get_json()["error"]["message"]


# Vector candidates: an article that shares no word with the query (headline and body alike) is found by
# meaning alone; by words it is not found at all.
UNWORDED = {
    "id": "quarry-standoff",
    "headline": "Villagers block the road to a copper quarry",
    "body": "Farmers in the valley stood in front of lorries for a third day, saying the excavation poisons the "
            "river their cattle drink from.",
    "published": "2023-05-01", "source": "Trend",
}
# Words of the query in other senses, on both sides of the filters below.
WORDED = [{"id": doc_id, "headline": headline, "body": body, "published": published, "source": source}
          for (doc_id, headline, body), published, source in zip(
              OTHERS, ["2023-05-02", "2023-05-03", "2023-05-04", "2022-01-10", "2022-01-11", "2022-01-12"],
              ["Trend", "Reuters", "Trend", "Reuters", "Trend", "Reuters"], strict=True)]


def _write_dated(folder, docs) -> str:
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    return str(source)


@pytest.fixture
def unworded(es, test_settings, tmp_path):
    """The archive with an article sharing no word with ``QUERY``, rebuilt with vectors; the service over it
    with its vectors loaded."""
    rebuild(es, test_settings.alias, [_write_dated(tmp_path, [UNWORDED, *WORDED])], keep=0,
            encoder=embedding.shared_encoder())
    app = create_app(test_settings)
    # The service loads the vectors in the background (searches never wait for them): wait for them here.
    assert app.extensions["dateline.vector_matrices"].ready(es, test_settings.alias, timeout=60) is not None
    return app


def _tokens(es, alias: str, text: str) -> set[str]:
    """The terms ``text`` becomes in each full-text field of the index."""
    found = set()
    for field in schema.TEXT_FIELDS:
        analysed = es.indices.analyze(index=alias, body={"field": field, "text": text})
        found |= {token["token"] for token in analysed["tokens"]}
    return found


def test_an_article_sharing_no_word_with_the_query_is_found_by_meaning(unworded, es, test_settings):
    article = _tokens(es, test_settings.alias, f"{UNWORDED['headline']}\n{UNWORDED['body']}")
    assert not article & _tokens(es, test_settings.alias, QUERY)  # not a word in common, as the index reads them
    client = unworded.test_client()
    lexical, _ = _ids(client, ranking="lexical")
    assert UNWORDED["id"] not in lexical and lexical
    hybrid, ranked = _ids(client)
    assert ranked == "hybrid"
    assert UNWORDED["id"] in hybrid[:3]
    assert set(lexical) <= set(hybrid)  # nothing the words find is lost
    shown = client.get("/search", query_string={"q": QUERY}).get_data(as_text=True)
    assert UNWORDED["headline"] in shown


def test_a_filtered_hybrid_search_finds_by_meaning_only_within_its_filters(unworded):
    client = unworded.test_client()
    for filters, inside in [({"source": "Reuters"}, False), ({"source": "Trend"}, True),
                            ({"from": "2023-05-02"}, False), ({"to": "2023-05-01"}, True)]:
        view = client.get("/api/search", query_string={"q": QUERY, **filters}).get_json()
        assert view["ranking"] == "hybrid"
        hits = [hit["id"] for hit in view["hits"]]
        assert (UNWORDED["id"] in hits) == inside, filters
        lexical = client.get("/api/search", query_string={"q": QUERY, "ranking": "lexical", **filters}).get_json()
        assert set(hit["id"] for hit in lexical["hits"]) <= set(hits)
        # The totals, facets and histogram are those of the words.
        assert (view["total"], view["facets"], view["histogram"]) == (lexical["total"], lexical["facets"],
                                                                       lexical["histogram"])


def test_pages_of_the_union_neither_repeat_nor_lose_results(unworded):
    client = unworded.test_client()
    everything, _ = _ids(client)
    listed, url = [], f"/api/search?q={QUERY}&size=2"
    while url:  # the pages' own links reach the results found by meaning alone too
        view = client.get(url).get_json()
        listed += [hit["id"] for hit in view["hits"]]
        url = view["pages"]["next"]
    assert listed == everything and UNWORDED["id"] in listed


def test_an_article_added_in_place_is_found_by_meaning_soon(unworded, es, test_settings, tmp_path, monkeypatch):
    monkeypatch.setattr(nearest, "CHECK_SECONDS", 0.2)
    added = {**UNWORDED, "id": "orchard-sit-in", "headline": "Growers camp outside the open-pit site",
             "body": "Fruit growers say dust from the excavation has ruined two harvests."}
    folder = tmp_path / "added"
    folder.mkdir()
    add(es, test_settings.alias, [_write_dated(folder, [added])], encoder=embedding.shared_encoder())
    client = unworded.test_client()
    deadline = time.monotonic() + 30
    while added["id"] not in _ids(client)[0] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert added["id"] in _ids(client)[0]
    assert added["id"] not in _ids(client, ranking="lexical")[0]


def test_the_page_says_how_many_results_were_found_by_meaning_alone(unworded):
    client = unworded.test_client()
    view = client.get("/api/search", query_string={"q": QUERY}).get_json()
    listed = {hit["id"] for hit in view["hits"]}
    lexical = {hit["id"] for hit in client.get("/api/search", query_string={"q": QUERY, "ranking": "lexical"})
               .get_json()["hits"]}
    assert view["by_meaning"] == len(listed - lexical) >= 1
    assert client.get("/api/search", query_string={"q": QUERY, "ranking": "lexical"}).get_json()["by_meaning"] == 0
    page = client.get("/search", query_string={"q": QUERY}).get_data(as_text=True)
    assert f"with {view['by_meaning']} more" in page


def test_a_story_found_by_meaning_alone_is_listed_once_with_its_versions(es, test_settings, tmp_path):
    update = {**UNWORDED, "id": "quarry-standoff-update", "body": UNWORDED["body"] + " The standoff went on."}
    rebuild(es, test_settings.alias, [_write_dated(tmp_path, [UNWORDED, update, *WORDED])], keep=0,
            encoder=embedding.shared_encoder())
    app = create_app(test_settings)
    assert app.extensions["dateline.vector_matrices"].ready(es, test_settings.alias, timeout=60) is not None
    client = app.test_client()
    for filters in ({}, {"source": "Trend"}):  # the nearest as the matrix knows them, and as the node checks them
        view = client.get("/api/search", query_string={"q": QUERY, **filters}).get_json()
        found = [hit for hit in view["hits"] if hit["story"] == UNWORDED["id"]]
        assert len(found) == 1 and found[0]["versions"] == 2, filters
        assert view["by_meaning"] == 1


def test_before_the_vectors_are_loaded_hybrid_ranking_reranks_the_words_results(es, test_settings, tmp_path,
                                                                                 monkeypatch):
    rebuild(es, test_settings.alias, [_write_dated(tmp_path, [UNWORDED, *WORDED])], keep=0,
            encoder=embedding.shared_encoder())
    monkeypatch.setattr(nearest.Matrices, "_refresh", lambda *args: None)  # a load that never ends
    client = create_app(test_settings).test_client()
    hybrid, ranked = _ids(client)
    assert ranked == "hybrid"
    assert sorted(hybrid) == sorted(_ids(client, ranking="lexical")[0])  # the words' results, none by meaning
