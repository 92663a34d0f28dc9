"""The language of a text, as an ISO 639-1 code, from two small detectors whose models ship inside their
packages (nothing is downloaded at run time).

CLD2 (pycld2, compiled tables) answers in microseconds and is sure of most articles; below a few hundred
characters it often cannot tell (a two-sentence Russian item is "unknown" to it), and py3langid, a naive Bayes
model that is slower but reads short texts well, decides those.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import mmap
import os
import shutil
import tempfile
from pathlib import Path

import pycld2

from dateline import config

# The first characters say it: news text names its language within a few sentences.
CLD2_SAMPLE_CHARS = 2000
LANGID_SAMPLE_CHARS = 500
# Below this probability (short or mixed text) py3langid's answer is left unknown rather than guessed.
MIN_PROBABILITY = 0.5
# CLD2's old codes for languages whose ISO 639-1 code changed.
_RENAMED = {"iw": "he", "in": "id", "jw": "jv", "mo": "ro"}


@functools.cache
def _langid():
    """py3langid's identifier. Its model ships LZMA-compressed (1–2 s to unpack, ~70 MB once unpacked), so it
    is unpacked once into the cache folder and memory-mapped from there: the same numbers, read in a
    millisecond, and only the pages a text touches take memory."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    unpacked = _unpacked(model)
    if unpacked is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    import numpy as np

    meta = json.loads((unpacked / "meta.json").read_text(encoding="utf-8"))
    with open(unpacked / "nextmove", "rb") as raw:
        nextmove = memoryview(mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)).cast(meta["nextmove"])
    return LanguageIdentifier(np.load(unpacked / "ptc.npy", mmap_mode="r"), np.load(unpacked / "pc.npy"),
                              meta["classes"], nextmove, np.load(unpacked / "output.npy").tolist(),
                              norm_probs=True, tk_row=_row(unpacked / "row", meta["row"]))


def _row(path: Path, typecode: str):
    from array import array

    row = array(typecode)
    row.frombytes(path.read_bytes())
    return row


def _unpacked(model: Path) -> Path | None:
    """The folder of the unpacked model (unpacked now if need be), or None without a usable cache folder."""
    folder = config.cache_dir()
    if folder is None:
        return None
    target = folder / f"langid-{hashlib.sha256(model.read_bytes()).hexdigest()[:32]}"
    if (target / "meta.json").exists():
        return target
    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(model)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".langid-"))
        np.save(staging / "ptc.npy", ptc)
        np.save(staging / "pc.npy", pc)
        np.save(staging / "output.npy", np.asarray(output, dtype=np.int32))
        (staging / "nextmove").write_bytes(nextmove.tobytes())
        (staging / "row").write_bytes(row.tobytes())
        (staging / "meta.json").write_text(json.dumps({"classes": classes, "nextmove": nextmove.typecode,
                                                       "row": row.typecode}), encoding="utf-8")
        os.rename(staging, target)
    except OSError:  # no room, no rights, or another process unpacked it first
        with contextlib.suppress(NameError):
            shutil.rmtree(staging, ignore_errors=True)
    return target if (target / "meta.json").exists() else None


def _cld2(text: str) -> str | None:
    try:
        reliable, _, languages = pycld2.detect(text[:CLD2_SAMPLE_CHARS])
    except pycld2.error:  # text CLD2 cannot take (lone surrogates): let the other detector try
        return None
    code = _RENAMED.get(languages[0][1], languages[0][1].split("-")[0])  # "zh-Hant" is Chinese
    return code if reliable and len(code) == 2 and code != "un" else None


def fit(text: str) -> float:
    """How surely ``text`` is in some language (0 to 1): garbled text (a wrong encoding) scores lower."""
    return float(_langid().classify(text[:LANGID_SAMPLE_CHARS])[1])


def detect(text: str) -> str | None:
    """The language of ``text`` ("en", "ru", "az", ...), or None when it cannot be told with confidence."""
    if not any(c.isalpha() for c in text[:LANGID_SAMPLE_CHARS]):
        return None
    if found := _cld2(text):
        return found
    language, probability = _langid().classify(text[:LANGID_SAMPLE_CHARS])
    return language if probability >= MIN_PROBABILITY else None
