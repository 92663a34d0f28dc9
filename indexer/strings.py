"""A compact insert-only map of strings, for what a rebuild remembers of every article until it ends.

A dict of 100,000 short strings (ids, body hashes) costs some 200 bytes an entry in string objects and table
slots, and those long-lived small objects, made between the many short-lived ones of parsing, keep the
allocator's pools from being given back: the process grew by far more than the strings themselves. Here the
entries are UTF-8 in one growing buffer, found through an open-addressing table of entry numbers: the length
of the key and value and about 24 bytes more an entry.
"""

from __future__ import annotations

from array import array

_FREE = 0  # a free slot; a used slot holds its entry's number + 1


class StringMap:
    """str → str, insert-only (``setdefault``); entries are numbered in insertion order (``key``)."""

    def __init__(self, capacity: int = 2**10):
        self._data = bytearray()
        self._ends = array("Q")  # per entry: where its key ends, then where its value ends
        self._slots = array("I", [_FREE]) * capacity  # a power of two, at most half full

    def __len__(self) -> int:
        return len(self._ends) // 2

    def __contains__(self, key: str) -> bool:
        return self._find(key, key.encode())[1] is not None

    def key(self, number: int) -> str:
        """The key of the ``number``-th entry added."""
        return self._data[self._start(number):self._ends[2 * number]].decode()

    def setdefault(self, key: str, value: str = "") -> str:
        """The value of ``key``, added as ``value`` first if the map does not hold it."""
        encoded = key.encode()
        slot, number = self._find(key, encoded)
        if number is not None:
            return self._data[self._ends[2 * number]:self._ends[2 * number + 1]].decode()
        self._data += encoded
        self._ends.append(len(self._data))
        self._data += value.encode()
        self._ends.append(len(self._data))
        self._slots[slot] = len(self)
        if 2 * len(self) > len(self._slots):
            self._grow()
        return value

    def _start(self, number: int) -> int:
        return self._ends[2 * number - 1] if number else 0

    def _find(self, key: str, encoded: bytes) -> tuple[int, int | None]:
        """(slot of ``key``, its entry number), or (the free slot it would take, None)."""
        mask = len(self._slots) - 1
        i = hash(key) & mask
        while (used := self._slots[i]) != _FREE:
            number = used - 1
            if self._data[self._start(number):self._ends[2 * number]] == encoded:
                return i, number
            i = (i + 1) & mask
        return i, None

    def _grow(self) -> None:
        self._slots = array("I", [_FREE]) * (2 * len(self._slots))
        mask = len(self._slots) - 1
        for number in range(len(self)):
            i = hash(self.key(number)) & mask
            while self._slots[i] != _FREE:
                i = (i + 1) & mask
            self._slots[i] = number + 1
