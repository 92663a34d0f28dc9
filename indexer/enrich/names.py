"""One form of a name: what entities, places and facet values are compared and stored in."""

from __future__ import annotations

import re
import unicodedata

from dateline import schema

# The index's quote_folding char filter, as a translation table: both fold the same characters.
_QUOTES = str.maketrans(dict(rule.split("=>") for rule in schema.QUOTE_FOLDING))


def fold_quotes(text: str) -> str:
    """NFC with curly and typographic quotes made straight (as the index's ``quote_folding`` does)."""
    return unicodedata.normalize("NFC", text).translate(_QUOTES)


def normalise_name(name: str) -> str:
    """One form of a name: NFC, straight quotes, collapsed whitespace, no surrounding quotes or commas; a
    name of several all-capital words in title case ("NEW YORK" → "New York"; a lone "OPEC" stays)."""
    name = " ".join(fold_quotes(name).split()).strip("\"' ,;:")
    if name.isupper() and " " in name:
        name = re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), name.lower())
    return name
