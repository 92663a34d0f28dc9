"""The story key: streaming near-duplicate clustering that groups the versions of one wire story.

Word 3-shingles of the body, hashed with CRC-32, one-permutation MinHash into 32 bins of 16 bits (64 bytes an
article), banded for locality-sensitive lookup and verified by the estimated Jaccard similarity. The first
article of a cluster gives the key; later near-duplicates get the same key. Every hash is deterministic across
processes and machines.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..strings import StringMap

_WORD = re.compile(r"\w+")
BINS = 32  # one-permutation MinHash: a 32-bit shingle hash falls into the bin of its top 5 bits
BANDS, ROWS = 10, 3  # 30 of the bins, banded: a Jaccard of 0.6 is a candidate 91% of the time, 0.7 98%
THRESHOLD = 0.6  # estimated Jaccard similarity of a near-duplicate; the two seed stories share 0.23
STORY_DAYS = 7  # versions of one wire story appear within days; templated reports weeks apart are not one story
_BIN_WIDTH = 2**32 // BINS


def signature(text: str) -> bytes:
    """The MinHash signature of a text: per bin the low 16 bits of the smallest shingle hash, 0 when empty."""
    # Quotes and punctuation are not words, so no quote folding is needed; duplicate hashes do no harm.
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    shingles = map(" ".join, zip(words, words[1:], words[2:], strict=False)) if len(words) > 2 else \
        [" ".join(words)]
    hashes = sorted(map(zlib.crc32, "\n".join(shingles).encode().split(b"\n")))
    values = array("H", bytes(2 * BINS))
    if words:
        for b in range(BINS):
            i = bisect_left(hashes, b * _BIN_WIDTH)
            if i < len(hashes) and hashes[i] < (b + 1) * _BIN_WIDTH:
                values[b] = (hashes[i] & 0xFFFF) or 1
    return values.tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: equal bins among the bins either one fills."""
    x, y = array("H", a), array("H", b)
    filled = sum(1 for p, q in zip(x, y, strict=True) if p or q)
    return sum(1 for p, q in zip(x, y, strict=True) if p == q and p) / filled if filled else 0.0


class _BandIndex:
    """Band key → cluster numbers, as open addressing in two flat arrays of 32-bit integers.

    8 bytes a slot, at most three quarters of the slots used, where a dict entry with its int key costs some 70:
    at 100,000 clusters of ten bands this is the difference between 8-16 MB and 70 MB. Keys are never 0 (0 marks
    a free slot); a key may repeat.
    """

    def __init__(self, capacity: int = 2**12):
        self._keys = array("I", [0]) * capacity
        self._values = array("I", [0]) * capacity
        self._used = 0

    def add(self, key: int, value: int) -> None:
        if 4 * (self._used + 1) > 3 * len(self._keys):
            self._grow()
        mask = len(self._keys) - 1
        i = key & mask
        while self._keys[i]:
            i = (i + 1) & mask
        self._keys[i], self._values[i] = key, value
        self._used += 1

    def _grow(self) -> None:
        keys, values = self._keys, self._values
        # Zeroed in place: array(bytes(n)) makes a zeroed bytes object as large first, at the peak of the run.
        self._keys = array("I", [0]) * (2 * len(keys))
        self._values = array("I", [0]) * (2 * len(keys))
        self._used = 0
        for key, value in zip(keys, values, strict=True):
            if key:
                self.add(key, value)

    def get(self, key: int) -> Iterator[int]:
        mask = len(self._keys) - 1
        i = key & mask
        while found := self._keys[i]:
            if found == key:
                yield self._values[i]
            i = (i + 1) & mask


@dataclass(frozen=True)
class Sketch:
    """What clustering needs of an article: its signature, band keys and day number (0 when undated)."""

    signature: bytes
    bands: list[int]
    day: int


def band_keys(sig: bytes) -> list[int]:
    """A key per band of ROWS bins. A band with an empty bin has none: all short texts would share it."""
    values = array("H", sig)
    keys = []
    for band in range(BANDS):
        rows = values[band * ROWS:(band + 1) * ROWS]
        if 0 not in rows:
            keys.append(zlib.crc32(rows.tobytes(), band) % 0xFFFFFFFF + 1)
    if not keys and any(values):  # a short text: only an identical one can be its duplicate
        keys.append(zlib.crc32(sig, BANDS) % 0xFFFFFFFF + 1)
    return keys


def sketch(text: str, published: str | None = None) -> Sketch:
    sig = signature(text)
    return Sketch(sig, band_keys(sig), date.fromisoformat(published[:10]).toordinal() if published else 0)


class StoryClusterer:
    """Streaming near-duplicate clustering: ``assign`` each article in turn and get its story key.

    Only the first article of each cluster is remembered (its id, 64-byte signature and ten band keys), so
    memory grows with the number of distinct stories and stays near 30 MB at 100,000. ``remember`` adds a
    story already in the index, so that articles added later join it as they would have in one rebuild.
    """

    def __init__(self) -> None:
        self._keys = StringMap()  # story key of each cluster, in cluster order
        self._days = array("i")  # day number of each cluster's first article (0 when undated)
        self._signatures = bytearray()  # each cluster's signature, 2 * BINS bytes apiece
        self._bands = _BandIndex()

    def prepare(self, sketches: list[Sketch]) -> None:
        """Called with the sketches of the next articles before they are placed: the hook through which an
        index-backed clusterer fetches the stories they may join, in one request."""

    def assign(self, article_id: str, text: str, published: str | None = None) -> str:
        """The story key of this article: the id of the first article met of which it is a near-duplicate
        published within STORY_DAYS of it, else its own id (it starts a new story)."""
        return self.place(article_id, sketch(text, published))

    def place(self, article_id: str, found: Sketch) -> str:
        """``assign`` for an article already sketched."""
        size = 2 * BINS
        best, best_score = None, THRESHOLD
        for cluster in sorted({cluster for key in found.bands for cluster in self._bands.get(key)}):
            if found.day and self._days[cluster] and abs(found.day - self._days[cluster]) > STORY_DAYS:
                continue
            score = similarity(found.signature, self._signatures[cluster * size:(cluster + 1) * size])
            if score > best_score or score == best_score and best is None:
                best, best_score = cluster, score
        if best is not None:
            return self._keys.key(best)
        self.remember(article_id, found)
        return article_id

    def remember(self, key: str, found: Sketch) -> None:
        """Add the story ``key`` whose first article has the sketch ``found`` (once; later calls are ignored)."""
        if key in self._keys:
            return
        cluster = len(self._keys)
        self._keys.setdefault(key)
        self._days.append(found.day)
        self._signatures += found.signature
        for band in found.bands:
            self._bands.add(band, cluster)
