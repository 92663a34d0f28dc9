"""The compact string map a rebuild keeps its ids and body hashes in: it must answer as a dict would."""

from hypothesis import given
from hypothesis import strategies as st

from dateline.indexer.strings import StringMap


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=300))
def test_it_answers_as_a_dict_and_numbers_its_keys_in_insertion_order(pairs):
    compact, reference = StringMap(capacity=2), {}
    for key, value in pairs:
        assert compact.setdefault(key, value) == reference.setdefault(key, value)
    assert len(compact) == len(reference)
    assert [compact.key(n) for n in range(len(compact))] == list(reference)
    assert all(key in compact for key in reference)
    assert "absent\x00" not in compact


def test_ids_of_a_large_run_are_all_found_again():
    compact = StringMap()
    ids = [f"reuters-{n}-v{n % 3}" for n in range(50_000)]
    for doc_id in ids:
        compact.setdefault(doc_id, doc_id.upper())
    assert len(compact) == len(ids)
    assert compact.setdefault("reuters-49999-v1", "other") == "REUTERS-49999-V1"
    assert compact.key(12_345) == "reuters-12345-v0"
