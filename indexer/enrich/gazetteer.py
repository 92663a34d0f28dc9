"""The gazetteer: known places, organisations and people with their aliases, from an operator-edited file
merged over real geographic data (``geography``): the operator's names win."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .geography import geographic_entries
from .names import normalise_name

DEFAULT_GAZETTEER = Path(__file__).parent.parent / "analysis" / "gazetteer.txt"

KINDS = {"country": "places", "region": "places", "city": "places", "place": "places",
         "org": "organizations", "person": "people"}
ENTITY_KEYS = ("organizations", "places", "people")

# Words (from a text folded to straight quotes) and single punctuation marks; hyphens and apostrophes are
# tokens of their own so that "Lachin-Khankendi" yields Lachin and "Azerbaijan's" yields Azerbaijan.
TOKEN = re.compile(r"\w+(?:[.&]\w+)*|[^\w\s]")
_END = ""  # trie key of the entry that ends at a node (no token is empty)


class GazetteerError(ValueError):
    """A line of the gazetteer file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    kind: str  # one of KINDS
    name: str  # canonical name, the facet value
    country: str | None  # the country of a city, region or place


def _lookup_key(name: str) -> str:
    """Any casing, with or without a final full stop ("Del", "Del.", "DEL." are one key)."""
    return normalise_name(name).casefold().rstrip(".")


# Letters without a decomposition that writers drop the accent of all the same ("BAKI" for Bakı).
_UNDOTTED = str.maketrans({"ı": "i", "ə": "e", "ø": "o", "đ": "d", "ł": "l", "ß": "ss"})


def _folded_key(name: str) -> str:
    """The lookup key without accents: "Bakı", "BAKI" and "Baki" are one key."""
    decomposed = unicodedata.normalize("NFKD", _lookup_key(name).translate(_UNDOTTED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Gazetteer:
    """Known names: a token trie for finding them in text, and a case-insensitive lookup of any form."""

    def __init__(self, entries: list[tuple[Entry, list[str]]], dateline_only: list[tuple[Entry, list[str]]] = ()):
        """``entries`` (each with all its forms) are found in text and looked up; ``dateline_only`` are only
        looked up. The first entry to claim a form keeps it."""
        self._trie: dict = {}
        self._forms: dict[str, Entry] = {}
        self.large_cities: frozenset[str] = frozenset()  # canonical names of cities the data counts as large
        self._folded: dict[str, Entry] = {}
        for entry, forms in entries:
            for form in forms:
                self._forms.setdefault(_lookup_key(form), entry)
                self._folded.setdefault(_folded_key(form), entry)
                self._add(form, entry)
        for entry, forms in dateline_only:
            for form in forms:
                self._forms.setdefault(_lookup_key(form), entry)

    def _add(self, form: str, entry: Entry) -> None:
        node = self._trie
        for token in TOKEN.findall(form):
            node = node.setdefault(token, {})
        node.setdefault(_END, entry)

    def lookup(self, name: str) -> Entry | None:
        """The entry a name or alias stands for, in any casing, accents optional ("BAKU", "Bakı", "BAKI" → Baku;
        "Del" → Delaware; "МОСКВА" → Moscow)."""
        return self._forms.get(_lookup_key(name)) or self._folded.get(_folded_key(name))

    def starts(self, tokens: list[str]) -> list[int]:
        """Indices of the tokens a known name may start with."""
        return [i for i, token in enumerate(tokens) if token in self._trie]

    def match(self, tokens: list[str], start: int) -> tuple[int, Entry] | None:
        """The longest known name starting at ``tokens[start]``: (end index, entry)."""
        node, found = self._trie, None
        for i in range(start, len(tokens)):
            node = node.get(tokens[i])
            if node is None:
                break
            if _END in node:
                found = (i + 1, node[_END])
        return found


def load_gazetteer(path: Path | str = DEFAULT_GAZETTEER, geography: bool = True) -> Gazetteer:
    """Read a gazetteer file: ``kind | name | aliases, comma-separated | country`` a line (see its header), and
    add the countries and cities of ``geography`` (unless ``geography`` is False) behind its names."""
    entries = []
    owner: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path} line {number}"
        fields = [field.strip() for field in line.split("|")]
        if len(fields) < 2 or len(fields) > 4:
            raise GazetteerError(f"{where}: expected 'kind | name | aliases | country', got {line!r}")
        kind, name = fields[0].lower(), normalise_name(fields[1])
        if kind not in KINDS:
            raise GazetteerError(f"{where}: unknown kind {fields[0]!r} (use one of {', '.join(KINDS)})")
        aliases = [normalise_name(a) for a in fields[2].split(",")] if len(fields) > 2 else []
        aliases = [a for a in aliases if a]
        country = normalise_name(fields[3]) if len(fields) > 3 and fields[3] else None
        for form in [name, *aliases]:
            if not form or not (form[0].isupper() or form[0].isdigit()):
                raise GazetteerError(f"{where}: {form!r} must start with a capital letter or a digit")
            if form in owner and owner[form][1] != name:
                raise GazetteerError(f"{where}: {form!r} already stands for {owner[form][1]!r} "
                                     f"(line {owner[form][0]})")
            owner[form] = (number, name)
        entries.append((Entry(kind, name, country), aliases, where))
    # The country column names a country of the file, in any of its forms; the entry keeps the canonical one.
    countries = {_lookup_key(form): entry.name for entry, aliases, _ in entries if entry.kind == "country"
                 for form in [entry.name, *aliases]}
    resolved = []
    for entry, aliases, where in entries:
        if entry.country is not None:
            if _lookup_key(entry.country) not in countries:
                raise GazetteerError(f"{where}: unknown country {entry.country!r} (add a 'country |' line)")
            entry = Entry(entry.kind, entry.name, countries[_lookup_key(entry.country)])
        forms = [entry.name, *aliases]
        if KINDS[entry.kind] == "places":  # upper-case copies: "AZERBAIJAN" but never "TREND"
            forms += [form.upper() for form in forms if not form.isupper() and sum(map(str.isalpha, form)) > 3]
        resolved.append((entry, forms))
    if not geography:
        return Gazetteer(resolved)
    places = {form: (entry.kind, entry.name, entry.country) for entry, forms in resolved
              if KINDS[entry.kind] == "places" for form in forms}
    found, large = geographic_entries(places)
    gazetteer = Gazetteer(resolved + [(Entry(*entry), forms) for entry, forms, in_text in found if in_text],
                          [(Entry(*entry), forms) for entry, forms, in_text in found if not in_text])
    gazetteer.large_cities = large
    return gazetteer
