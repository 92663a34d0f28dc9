"""The rebuild's read-ahead: documents are built in the background while the previous chunk is indexed."""

import threading

import pytest

from dateline.indexer.rebuild import prefetched


def test_items_arrive_complete_and_in_order():
    assert list(prefetched(iter(range(5000)), depth=7)) == list(range(5000))


def test_a_failure_while_producing_is_raised_to_the_consumer_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("broken source")

    received = []
    with pytest.raises(ValueError, match="broken source"):
        for item in prefetched(items(), depth=4):
            received.append(item)
    assert received == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer():
    produced = []

    def items():
        for n in range(10**9):
            produced.append(n)
            yield n

    stream = prefetched(items(), depth=3)
    assert next(stream) == 0
    stream.close()
    assert not any(t.name == "rebuild-producer" and t.is_alive() for t in threading.enumerate())
    assert len(produced) < 10
