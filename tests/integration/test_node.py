"""The local node is the real Elasticsearch the product is built for, and the index contract loads on it."""

from dateline import schema


def test_node_is_elasticsearch_7_10(es):
    assert es.info()["version"]["number"].startswith(("7.10", "7.17", "8."))


def test_document_indexed_through_the_contract_is_found_by_a_full_text_query(es, make_index, index_names):
    make_index([{
        schema.ID: "a1",
        schema.HEADLINE: "Peacekeepers watch the Lachin road",
        schema.BODY: "Protesters gathered near Shusha on Tuesday.",
        schema.PUBLISHED: "2022-12-13",
    }])
    result = es.search(index=index_names, query={"match": {schema.BODY: "protester shusha"}})
    assert [hit["_id"] for hit in result["hits"]["hits"]] == ["a1"]
