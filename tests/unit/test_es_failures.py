"""Plain-language reasons for Elasticsearch failures, as the CLI and the service show them."""

from elasticsearch import exceptions as es_exc

from dateline.client import describe_failure


def test_unreachable_and_timeouts_are_named_plainly():
    assert describe_failure(es_exc.ConnectionError("N/A", "refused", None)) == "cannot reach Elasticsearch"
    assert describe_failure(es_exc.ConnectionTimeout("TIMEOUT", "slow", None)) == "Elasticsearch did not answer in time"


def test_an_error_answer_gives_its_reason_whether_structured_or_a_plain_string():
    structured = es_exc.NotFoundError(404, "index_not_found_exception",
                                      {"error": {"reason": "no such index [x]"}, "status": 404})
    plain = es_exc.NotFoundError(404, "alias [x] missing", {"error": "alias [x] missing", "status": 404})
    assert describe_failure(structured) == "Elasticsearch answered 404: no such index [x]"
    assert describe_failure(plain) == "Elasticsearch answered 404: alias [x] missing"
