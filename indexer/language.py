"""The language of a text, as an ISO 639-1 code, from two small detectors whose models ship inside their
packages (nothing is downloaded at run time).

CLD2 (pycld2, compiled tables) answers in microseconds and is sure of most articles; below a few hundred
characters it often cannot tell (a two-sentence Russian item is "unknown" to it), and py3langid, a naive Bayes
model that is slower but reads short texts well, decides those.
"""

from __future__ import annotations

import functools

import pycld2

# The first characters say it: news text names its language within a few sentences.
CLD2_SAMPLE_CHARS = 2000
LANGID_SAMPLE_CHARS = 500
# Below this probability (short or mixed text) py3langid's answer is left unknown rather than guessed.
MIN_PROBABILITY = 0.5
# CLD2's old codes for languages whose ISO 639-1 code changed.
_RENAMED = {"iw": "he", "in": "id", "jw": "jv", "mo": "ro"}


@functools.cache
def _langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


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
