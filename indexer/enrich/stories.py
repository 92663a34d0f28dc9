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
# The same words of an ASCII text (most news copy) for a fraction of the time: a byte ``\w`` does not match
# becomes a space, a capital its small letter, and the bytes are split at the spaces.
_ASCII_WORDS = bytes(c if chr(c).isalnum() or chr(c) == "_" else ord(" ") for c in range(128)).lower() + b" " * 128
BINS = 32  # one-permutation MinHash: a 32-bit shingle hash falls into the bin of its top 5 bits
BANDS, ROWS = 10, 3  # 30 of the bins, banded: a Jaccard of 0.6 is a candidate 91% of the time, 0.7 98%
THRESHOLD = 0.6  # estimated Jaccard similarity of a near-duplicate; the two seed stories share 0.23
STORY_DAYS = 7  # versions of one wire story appear within days; templated reports weeks apart are not one story
_BIN_WIDTH = 2**32 // BINS


def signature(text: str) -> bytes:
    """The MinHash signature of a text: per bin the low 16 bits of the smallest shingle hash, 0 when empty."""
    words = _words(text)
    shingles = map(b" ".join, zip(words, words[1:], words[2:], strict=False)) if len(words) > 2 else \
        [b" ".join(words)]
    hashes = sorted(map(zlib.crc32, shingles))
    values = array("H", bytes(2 * BINS))
    if words:
        for b in range(BINS):
            i = bisect_left(hashes, b * _BIN_WIDTH)
            if i < len(hashes) and hashes[i] < (b + 1) * _BIN_WIDTH:
                values[b] = (hashes[i] & 0xFFFF) or 1
    return values.tobytes()


def _words(text: str) -> list[bytes]:
    """The words (``\\w+``) of a text, case-folded, in UTF-8. Quotes and punctuation are not words, so no quote
    folding is needed; duplicate hashes do no harm."""
    if text.isascii():
        return text.encode().translate(_ASCII_WORDS).split()
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    return "\n".join(words).encode().split(b"\n") if words else []


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: equal bins among the bins either one fills."""
    x, y = array("H", a), array("H", b)
    filled = sum(1 for p, q in zip(x, y, strict=True) if p or q)
    return sum(1 for p, q in zip(x, y, strict=True) if p == q and p) / filled if filled else 0.0


class _BandIndex:
    """Band key → cluster numbers, as open addressing over cluster numbers in a flat array of 32-bit integers;
    a slot's key is found among the band keys of its cluster, kept BANDS to a cluster (0 where it has none).

    4 bytes a slot, at most three quarters of the slots used, and 40 bytes a cluster, where a dict entry with
    its int key costs some 70 a band: at 100,000 clusters of ten bands, 8-12 MB instead of 70 MB, and 4 MB more
    while the table doubles (a table of keys and values beside it would take twice that).
    """

    def __init__(self, capacity: int = 2**12):
        self._slots = array("I", [0]) * capacity  # cluster number + 1; 0 marks a free slot
        self._bands = array("I")
        self._used = 0

    def add(self, bands: list[int]) -> None:
        """Add the next cluster, of these band keys (at most BANDS, never 0)."""
        cluster = len(self._bands) // BANDS
        self._bands.extend(bands)
        self._bands.extend([0] * (BANDS - len(bands)))
        for key in bands:
            self._place(key, cluster)

    def _place(self, key: int, cluster: int) -> None:
        if 4 * (self._used + 1) > 3 * len(self._slots):
            self._grow()
        mask = len(self._slots) - 1
        i = key & mask
        while self._slots[i]:
            i = (i + 1) & mask
        self._slots[i] = cluster + 1
        self._used += 1

    def _grow(self) -> None:
        self._slots = array("I", [0]) * (2 * len(self._slots))
        self._used = 0
        for cluster in range(len(self._bands) // BANDS):
            for key in self._keys_of(cluster):
                if key:
                    self._place(key, cluster)

    def _keys_of(self, cluster: int) -> array:
        return self._bands[cluster * BANDS:(cluster + 1) * BANDS]

    def get(self, key: int) -> Iterator[int]:
        """The clusters with band ``key`` (a cluster may come more than once)."""
        mask = len(self._slots) - 1
        i = key & mask
        while used := self._slots[i]:
            if key in self._keys_of(used - 1):
                yield used - 1
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
    memory grows with the number of distinct stories and stays under 25 MB at 100,000. ``remember`` adds a
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
        self._keys.setdefault(key)
        self._days.append(found.day)
        self._signatures += found.signature
        self._bands.add(found.bands)
