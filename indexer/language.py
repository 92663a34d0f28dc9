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
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pycld2

from dateline import config

# The first characters say it: news text names its language within a few sentences.
CLD2_SAMPLE_CHARS = 2000
LANGID_SAMPLE_CHARS = 500
# Below this probability (short or mixed text) py3langid's answer is left unknown rather than guessed.
MIN_PROBABILITY = 0.5
LAYOUT = 1  # of the unpacked model's files
# CLD2's old codes for languages whose ISO 639-1 code changed.
_RENAMED = {"iw": "he", "in": "id", "jw": "jv", "mo": "ro"}


@functools.cache
def _langid():
    """py3langid's identifier. Its model ships LZMA-compressed (1–2 s to unpack, ~70 MB once unpacked) and is
    needed for a few texts in a hundred, so it is unpacked once into the cache folder and its two large tables
    are read from there row by row as texts need them: the same numbers, ready in a millisecond, and no memory
    taken (memory-mapping them would not do: the kernel maps pages around each one a text visits, and a few texts
    make most of the model resident)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    unpacked = _unpacked(MODEL_DIR / MODEL_FILE)
    if unpacked is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    import numpy as np

    meta = json.loads((unpacked / "meta.json").read_text(encoding="utf-8"))
    pc = np.load(unpacked / "pc.npy")
    return LanguageIdentifier(_Rows(unpacked / "ptc", np.dtype(meta["ptc"]), len(pc)), pc, meta["classes"],
                              _Cells(unpacked / "nextmove", meta["nextmove"]),
                              np.load(unpacked / "output.npy").tolist(), norm_probs=True,
                              tk_row=_array(unpacked / "row", meta["row"]))


class _Cells:
    """A read-only array of unsigned integers in a file, read one cell at a time (the DFA's transitions)."""

    def __init__(self, path: Path, typecode: str):
        from array import array

        self._file = open(path, "rb")  # noqa: SIM115 (open as long as the identifier)
        self._size = array(typecode).itemsize

    def __getitem__(self, index: int) -> int:
        return int.from_bytes(os.pread(self._file.fileno(), self._size, index * self._size), sys.byteorder)


class _Rows:
    """A read-only matrix in a file, read by the rows an index array names (the features' class weights)."""

    def __init__(self, path: Path, dtype, width: int):
        self._file = open(path, "rb")  # noqa: SIM115 (open as long as the identifier)
        self._dtype, self._width = dtype, width
        self._size = dtype.itemsize * width

    def __getitem__(self, rows):
        import numpy as np

        fd = self._file.fileno()
        raw = b"".join(os.pread(fd, self._size, int(row) * self._size) for row in rows)
        return np.frombuffer(raw, dtype=self._dtype).reshape(len(rows), self._width)


def _array(path: Path, typecode: str):
    from array import array

    values = array(typecode)
    values.frombytes(path.read_bytes())
    return values


def _unpacked(model: Path) -> Path | None:
    """The folder of the unpacked model (unpacked now if need be), or None without a usable cache folder."""
    folder = config.cache_dir()
    if folder is None:
        return None
    target = folder / f"langid-{LAYOUT}-{hashlib.sha256(model.read_bytes()).hexdigest()[:32]}"
    if (target / "meta.json").exists():
        return target
    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(model)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".langid-"))
        (staging / "ptc").write_bytes(np.ascontiguousarray(ptc).tobytes())
        np.save(staging / "pc.npy", pc)
        np.save(staging / "output.npy", np.asarray(output, dtype=np.int32))
        (staging / "nextmove").write_bytes(nextmove.tobytes())
        (staging / "row").write_bytes(row.tobytes())
        meta = {"classes": classes, "ptc": ptc.dtype.str, "nextmove": nextmove.typecode, "row": row.typecode}
        (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
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
    if not any(map(str.isalpha, text[:LANGID_SAMPLE_CHARS])):
        return None
    if found := _cld2(text):
        return found
    language, probability = _langid().classify(text[:LANGID_SAMPLE_CHARS])
    return language if probability >= MIN_PROBABILITY else None
