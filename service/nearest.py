"""The articles nearest a query in meaning, found in the service: Elasticsearch 7.10 without x-pack cannot.

Each serving alias gets an in-memory matrix of every article vector (``schema.VECTOR``, int8 as the index
stores them) with the article ids and stories, read by a scroll of the vectors' doc values alone (no ``_source``) in a
background thread. A search never waits for it: until the matrix is there (a cold start, a new alias) hybrid
ranking re-ranks the lexical candidates only; while a newer one loads, the previous one answers. Whether the
index changed is asked at most every ``CHECK_SECONDS`` (one small search, ``index_state``): another index
behind the alias (a rebuild), or articles added, replaced or deleted in place (``dateline index
add/delete/watch``, ``index embed``). Each server worker process holds its own matrix.

A query is compared in two steps. First the sign bits of every vector (one bit a dimension, ``sign_bits``)
against the query's: the ``SHORTLIST`` vectors whose signs differ least (``shortlist``). Then the query's vector,
quantised to int8 too, with those rows by integer dot products divided by the norms: the cosine up to the
rounding of both vectors. On 100,000 synthetic vectors in 500 clusters, the 50 nearest found so are the 50
nearest of the whole matrix in each of 30 queries; on uniformly random vectors, whose cosines all lie near 0 (no
article close in meaning), about 60 % of them. Cost (384 dimensions): 38.4 MB a worker per 100,000 articles,
4.8 MB of sign bits, about 8 MB for their ids (Python strings) and about 120 bytes for each article that is a
version of another's story (7 MB for the 58,357 such of the benchmark's 99,722 articles); a search takes
2.4–3.3 ms of CPU at 100,000 vectors (the whole matrix by int8 dot products: 20–28 ms; float32 scans 100,000 in
19 ms but takes 154 MB), on two shared cores at load average 5.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from dataclasses import dataclass

from elasticsearch import Elasticsearch

from dateline import schema

from .query import article_id, doc_values_only

try:  # numpy comes with the semantic extra, without which there is no hybrid ranking
    import numpy as np
except ImportError:
    np = None

log = logging.getLogger(__name__)

# Articles found by meaning a search (beside the lexical candidates): 50, 100 and 200 scored alike on the tuning
# queries of SciFact and NFCorpus (bench/hybrid.py); 50 asks the node for the fewest.
NEAREST = 50
CHECK_SECONDS = 5.0  # how often whether the index changed is asked
SCROLL_PAGE = 5000
CHUNK = 16384  # rows a step of the scan: 16,384 × 384 int32 = 25 MB at most
# Rows whose cosines are computed: those whose signs differ least from the query's (``shortlist``).
SHORTLIST = 2000
_STATE_PATH = ",".join(f"aggregations.indices.buckets.{part}" for part in ("key", "doc_count", "changes"))
_VECTORS_PATH = "_scroll_id,hits.hits.fields"


@dataclass(frozen=True)
class Matrix:
    """Every article vector of an index (rows of ``vectors``, int8) with its id and norm; ``state`` says which
    contents it holds (``index_state``)."""

    state: tuple
    ids: list[str]
    vectors: np.ndarray
    norms: np.ndarray
    signs: np.ndarray  # the vectors' signs, one bit a dimension (``sign_bits``)
    stories: dict[str, str]  # the story of each article whose story is not its own id

    @classmethod
    def of(cls, state: tuple, ids: list[str], vectors: np.ndarray, stories: dict[str, str] | None = None) -> Matrix:
        """The matrix of ``vectors`` (int8 rows) and their ``ids`` (``stories``: as in ``Matrix.stories``)."""
        return cls(state, ids, vectors, np.linalg.norm(vectors.astype(np.float32), axis=1), sign_bits(vectors),
                   stories or {})

    def story(self, article: str) -> str:
        """The story of ``article``, one of the matrix's ids."""
        return self.stories.get(article, article)

    def nearest(self, query: np.ndarray, k: int = NEAREST) -> list[tuple[str, float]]:
        """The ``k`` articles nearest ``query`` (a unit vector): (id, cosine), nearest first."""
        if not self.ids:
            return []
        rows = shortlist(self.signs, sign_bits(query[None, :])[:, 0], max(SHORTLIST, k))
        scores = cosines(self.vectors[rows], self.norms[rows], query)
        return [(self.ids[rows[i]], float(scores[i])) for i in top_k(scores, k)]


def sign_bits(vectors: np.ndarray) -> np.ndarray:
    """The sign bits of each row (1 where a dimension is positive), packed into 64-bit words: one row of the
    result a word, one column a vector (so a scan reads each word of every vector in one stride)."""
    packed = np.packbits(vectors > 0, axis=1)
    padded = np.zeros((len(packed), -(-packed.shape[1] // 8) * 8), dtype=np.uint8)
    padded[:, :packed.shape[1]] = packed
    return np.ascontiguousarray(padded.view(np.uint64).T)


def shortlist(signs: np.ndarray, query: np.ndarray, size: int) -> np.ndarray:
    """The vectors (column indices of ``signs``; all of them when there are no more than ``size``) whose signs
    differ least from ``query``'s: at least ``size`` of them, the ones as close as the last included."""
    count = signs.shape[1] if signs.ndim == 2 else 0
    if count <= size:
        return np.arange(count)
    differing = np.zeros(count, dtype=np.uint16)
    for word, bits in zip(signs, query, strict=True):
        differing += np.bitwise_count(word ^ bits)
    within = np.searchsorted(np.cumsum(np.bincount(differing)), size)  # the distance that takes in ``size``
    return np.flatnonzero(differing <= within)


def cosines(vectors: np.ndarray, norms: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The cosine of ``query`` with each row of the int8 matrix ``vectors`` (whose row norms are ``norms``)."""
    scale = float(np.abs(query).max()) or 1.0
    quantised = np.rint(query / scale * 127).astype(np.int8)
    dots = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), CHUNK):
        dots[start:start + CHUNK] = np.einsum("ij,j->i", vectors[start:start + CHUNK], quantised, dtype=np.int32)
    return dots / np.clip(norms, 1e-12, None) / max(float(np.linalg.norm(quantised)), 1e-12)


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """The indices of the ``k`` highest scores, highest first (ties: the lower index first)."""
    if k <= 0 or not len(scores):
        return []
    chosen = np.arange(len(scores)) if k >= len(scores) else np.argpartition(-scores, k - 1)[:k]
    return sorted(chosen.tolist(), key=lambda i: (-scores[i], i))


def index_state(es: Elasticsearch, alias: str) -> tuple:
    """What changes when the articles behind ``alias`` do, as far as searches see them: per index, its name,
    how many articles it holds and the sum of their sequence numbers (which grows when one is replaced). One
    search: the service's role may read the alias, not monitor it."""
    answer = es.search(index=alias, size=0, track_total_hits=True, filter_path=_STATE_PATH,
                       aggs={"indices": {"terms": {"field": "_index", "size": 100},
                                         "aggs": {"changes": {"sum": {"field": "_seq_no"}}}}})
    buckets = answer.get("aggregations", {}).get("indices", {}).get("buckets", [])
    return tuple(sorted((b["key"], b["doc_count"], b["changes"]["value"]) for b in buckets))


def load(es: Elasticsearch, state: tuple) -> Matrix:
    """The vectors of the indices ``state`` names (articles without one are left out)."""
    ids: list[str] = []
    rows: list[bytes] = []
    stories: dict[str, str] = {}
    if state:
        page = es.search(index=",".join(name for name, _, _ in state), scroll="2m", size=SCROLL_PAGE,
                         sort=["_doc"], filter_path=_VECTORS_PATH, **doc_values_only(schema.VECTOR, schema.STORY))
        scroll_id = page.get("_scroll_id")
        try:
            while hits := page.get("hits", {}).get("hits", []):
                for hit in hits:
                    stored = hit["fields"].get(schema.VECTOR)
                    if stored:
                        article = article_id(hit)
                        ids.append(article)
                        rows.append(base64.b64decode(stored[0]))
                        story = hit["fields"].get(schema.STORY, [article])[0]
                        if story != article:
                            stories[article] = story
                page = es.scroll(scroll_id=scroll_id, scroll="2m", filter_path=_VECTORS_PATH)
                scroll_id = page.get("_scroll_id", scroll_id)
        finally:
            if scroll_id:
                es.clear_scroll(scroll_id=scroll_id, ignore=(404,))
    vectors = np.frombuffer(b"".join(rows), dtype=np.int8).reshape(len(rows), -1) if rows else \
        np.zeros((0, 0), dtype=np.int8)
    return Matrix.of(state, ids, vectors, stories)


class Matrices:
    """The matrix of each serving alias, kept up to date in the background."""

    def __init__(self):
        self._lock = threading.Lock()
        self._matrices: dict[str, Matrix] = {}
        self._checked: dict[str, float] = {}
        self._busy: set[str] = set()

    def of(self, es: Elasticsearch, alias: str) -> Matrix | None:
        """The latest matrix of ``alias`` (``None`` until the first is loaded); asks, in the background and at
        most every ``CHECK_SECONDS``, whether the index changed, and loads a new matrix if it did."""
        now = time.monotonic()
        with self._lock:
            found = self._matrices.get(alias)
            due = alias not in self._busy and now - self._checked.get(alias, -CHECK_SECONDS) >= CHECK_SECONDS
            if due:
                self._busy.add(alias)
                self._checked[alias] = now
        if due:
            threading.Thread(target=self._refresh, args=(es, alias, found), name=f"vectors-{alias}",
                             daemon=True).start()
        return found

    def ready(self, es: Elasticsearch, alias: str, timeout: float = 600.0) -> Matrix | None:
        """The matrix of ``alias``, waiting up to ``timeout`` seconds for the first to load (for benchmarks and
        tests, which measure hybrid ranking once warm; searches never wait)."""
        deadline = time.monotonic() + timeout
        while (matrix := self.of(es, alias)) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        return matrix

    def _refresh(self, es: Elasticsearch, alias: str, current: Matrix | None) -> None:
        try:
            state = index_state(es, alias)
            if current is None or current.state != state:
                started = time.monotonic()
                matrix = load(es, state)
                with self._lock:
                    self._matrices[alias] = matrix
                log.info("loaded %d article vectors of %s in %.1fs", len(matrix.ids), alias,
                         time.monotonic() - started)
        except Exception:  # the next check tries again; until then searches use what there is
            log.warning("could not load the article vectors of %s", alias, exc_info=True)
        finally:
            with self._lock:
                self._busy.discard(alias)
