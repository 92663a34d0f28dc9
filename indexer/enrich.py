"""Enrichment of parsed articles: named entities, stable ids, the near-duplicate story key, the document.

Entities come from an operator-editable gazetteer (``analysis/gazetteer.txt``: canonical names and their
aliases) plus a few careful heuristics for names it does not know (organisations named like one, people named
after a title or next to "said"). Precision comes before recall: a facet value that is wrong misleads more
than one that is missing. All names are normalised (NFC, straight quotes, collapsed whitespace, one casing).

The story key groups versions of the same wire story. It is streaming MinHash: word 3-shingles of the body,
hashed with CRC-32, one-permutation MinHash into 32 bins of 16 bits (64 bytes an article), banded for
locality-sensitive lookup and verified by the estimated Jaccard similarity. The first article of a cluster
gives the key; later near-duplicates get the same key. Every hash is deterministic across processes and
machines.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dateline import schema

from .parse import Article

DEFAULT_GAZETTEER = Path(__file__).with_name("analysis") / "gazetteer.txt"

# --- names --------------------------------------------------------------------------------------------------

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


# --- the gazetteer ------------------------------------------------------------------------------------------

KINDS = {"country": "places", "region": "places", "city": "places", "place": "places",
         "org": "organizations", "person": "people"}
ENTITY_KEYS = ("organizations", "places", "people")

# Words (from a text folded to straight quotes) and single punctuation marks; hyphens and apostrophes are
# tokens of their own so that "Lachin-Khankendi" yields Lachin and "Azerbaijan's" yields Azerbaijan.
_TOKEN = re.compile(r"\w+(?:[.&]\w+)*|[^\w\s]")
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


class Gazetteer:
    """Known names: a token trie for finding them in text, and a case-insensitive lookup of any form."""

    def __init__(self, entries: list[tuple[Entry, list[str]]]):
        self._trie: dict = {}
        self._forms: dict[str, Entry] = {}
        for entry, aliases in entries:
            for form in [entry.name, *aliases]:
                self._forms.setdefault(_lookup_key(form), entry)
                self._add(form, entry)
                if KINDS[entry.kind] == "places" and not form.isupper() and sum(map(str.isalpha, form)) > 3:
                    self._add(form.upper(), entry)  # upper-case copy: "AZERBAIJAN" but never "TREND"

    def _add(self, form: str, entry: Entry) -> None:
        node = self._trie
        for token in _TOKEN.findall(form):
            node = node.setdefault(token, {})
        node.setdefault(_END, entry)

    def lookup(self, name: str) -> Entry | None:
        """The entry a name or alias stands for, in any casing ("BAKU", "Bakı" → Baku; "Del" → Delaware)."""
        return self._forms.get(_lookup_key(name))

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


def load_gazetteer(path: Path | str = DEFAULT_GAZETTEER) -> Gazetteer:
    """Read a gazetteer file: ``kind | name | aliases, comma-separated | country`` a line (see its header)."""
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
        resolved.append((entry, aliases))
    return Gazetteer(resolved)


# --- entity extraction --------------------------------------------------------------------------------------

_CONNECTORS = frozenset("of for and the on with & de du des la le von van al".split())
# Last words that make a capitalised name an organisation ("AzerGold CJSC", "Russian Youth Association").
_ORG_LAST = frozenset(
    "Inc Corp Corporation Ltd Co Company CJSC OJSC JSC LLC PLC plc AG SA NV GmbH LLP Bhd Holdings Group "
    "Industries Bancorp Brothers Bank Association Committee Commission Council Service Agency Union Fund "
    "Federation Institute University Organization Organisation Party Authority Board Exchange Ministry "
    "Department Foundation Society Bureau Office Assembly Academy Airlines Airways".split()
)
# First words of organisations named "X of/for Y" ("Ministry of Economy", "State Committee for ...").
_ORG_HEAD = frozenset(
    "Ministry Committee Commission Council Bank Agency Association Union Service Department Institute "
    "Federation Organization Organisation Fund Court Chamber Office Academy University Board Authority "
    "Bureau Party Assembly Society Foundation".split()
)
# Words right before a person's name ("Treasury Secretary James Baker", "company spokesman John Smith").
_TITLES = frozenset(
    "President Minister Premier Chancellor Chairman Chairwoman Spokesman Spokeswoman Secretary Senator Sen "
    "Governor Gov Ambassador Director Mr Mrs Ms Dr Professor Prof Judge General Gen Colonel Col Commissioner "
    "Mayor Representative Rep King Queen Prince Princess Pope Sheikh Envoy Ombudsman Deputy Economist "
    "Analyst "
    "chairman chairwoman president minister spokesman spokeswoman secretary director economist analyst "
    "ambassador envoy governor mayor commissioner deputy ombudsman".split()
)
_SAID = frozenset("said says told".split())
# Capitalised words that begin sentences rather than names.
_STARTERS = frozenset(
    "The A An This That These Those It Its He She His Her They Their We Our I In On At By For From With But "
    "And Or If When While As After Before Meanwhile However Also Yesterday Today Tomorrow According Since "
    "January February March April May June July August September October November December Jan Feb Mar Apr "
    "Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
# Capitalised words that are not part of a person's name.
_NOT_NAME = _STARTERS | _ORG_LAST | _ORG_HEAD | _TITLES | frozenset(
    "New North South East West Northern Southern Eastern Western Central National International Federal "
    "State Street Avenue Road River Sea Lake Mount Island Islands Republic Kingdom Prime Vice Chief "
    "Executive "
    "Officer Christmas Easter Ramadan God Internet Prize Stock Oil Gas Gold Trade Finance Foreign Economy "
    "Energy Defence Defense Interior Justice Health Treasury Reserve Dollar Euro".split()
)


def _runs(tokens: list[str], known: list[str | None]) -> Iterator[tuple[int, int]]:
    """(start, end) token spans of capitalised words with the connectors, hyphens, possessives and initials
    between them ("Bank of America", "People's Bank", "Paul A. Volcker"). Known places may be part of a run
    ("Toronto Stock Exchange"); known organisations and people end it. Single words are left out."""
    n, i = len(tokens), 0
    for start in [k for k, token in enumerate(tokens) if token[0].isupper()]:
        if start < i or known[start] not in (None, "places"):
            continue
        end = j = start
        while j < n and known[j] in (None, "places"):
            token = tokens[j]
            if token[0].isupper():
                j += 1
                end = j
            elif token == "and" and tokens[j + 1:j + 2] == ["the"]:
                break  # "Moody's Investors Service Inc and the Toronto Stock Exchange" are two names
            elif token in _CONNECTORS or token == "-" or token == "." and (len(tokens[j - 1]) <= 2
                                                                            or "." in tokens[j - 1]):
                j += 1  # "Mr.", "A.", "E.F."
            elif token == "'" and tokens[j + 1:j + 2] == ["s"]:
                j += 2  # "People's"
            else:
                break
        if end - start > 1:  # one word names neither an organisation nor a person
            yield start, end
        i = end


@dataclass
class _Word:
    text: str
    place: bool  # part of a known place


def _words(tokens: list[str], known: list[str | None]) -> list[_Word]:
    """Tokens of a run joined back into words: "Vice-Chairman", "People's", "A." (an initial)."""
    words: list[_Word] = []
    glue = False
    for token, kind in zip(tokens, known, strict=True):
        if words and (glue or token in ("-", "'", ".")):
            words[-1].text += token
            words[-1].place |= kind == "places"
        else:
            words.append(_Word(token, kind == "places"))
        glue = token in ("-", "'")
    return words


def _organisation(words: list[_Word]) -> str | None:
    """An organisation named by a run of capitalised words, or None. Besides its last word it has a word that
    is not a known place ("Toronto Stock Exchange", but not "Soviet Union" or "Canada Ltd")."""
    text = [w.text for w in words]
    start, end = 0, len(text)
    while start < end and text[start] in _STARTERS:
        start += 1
    while end > start and text[end - 1] in _CONNECTORS:
        end -= 1
    if end - start < 2:
        return None
    if text[end - 1] in _ORG_LAST:
        # The trailing capitalised words ("Members of the Russian Youth Association" → Russian Youth
        # Association), across "of" after a head word ("Bank of America Corp") and "and" between names.
        first = end - 1
        while first > start:
            word, before = words[first - 1], text[first - 2] if first - 2 >= start else ""
            possessive_place = word.place and "'" in word.text  # "Armenia's Foreign Ministry"
            if word.text[0].isupper() and word.text not in _STARTERS and not possessive_place:
                first -= 1
            elif word.text in ("of", "for") and before in _ORG_HEAD or word.text in ("and", "&") and \
                    before[:1].isupper():
                first -= 2
            else:
                break
    else:
        # A head word and what it is of or for ("Ministry of Economy", "State Committee for ...").
        head = next((k for k in range(start, end - 2)
                     if text[k] in _ORG_HEAD and text[k + 1] in ("of", "for")), None)
        if head is None:
            return None
        first = head
        while first > start and text[first - 1][0].isupper() and text[first - 1] not in _STARTERS \
                and not (words[first - 1].place and "'" in text[first - 1]):
            first -= 1
        # It ends before a title ("... Minister John Smith") or "and" a place ("Bank of China and Japan").
        end = next((k for k in range(head + 2, end) if text[k] in _TITLES
                    or text[k] in ("and", "&") and k + 1 < end and words[k + 1].place), end)
        while text[end - 1] in _CONNECTORS:
            end -= 1
        if end <= head + 2:
            return None
    if not any(not w.place and w.text[0].isupper() for w in words[first:end - 1]):
        return None
    return " ".join(text[first:end])


def _is_name_word(word: str) -> bool:
    """A word of a person's name: "Lavrina", "McDonald", "Jean-Pierre", an initial "A."; not "CJSC"."""
    if len(word) == 2 and word[1] == ".":
        return word[0].isupper()
    return len(word) > 1 and word[0].isupper() and word[1].islower() and word not in _NOT_NAME


def _person(words: list[str], before: list[str], after: str) -> str | None:
    """A person named at the end of a run of capitalised words: two or three name words right after a title
    ("Treasury Secretary James Baker", "spokesman John Smith") or after "said" and before a comma."""
    name: list[str] = []
    while words and len(name) < 3 and _is_name_word(words[-1]):
        name.insert(0, words.pop())
    while name and name[0].endswith("."):  # an initial does not begin a name
        words.append(name.pop(0))
    if sum(1 for w in name if not w.endswith(".")) < 2:
        return None
    previous = words[-1].rstrip(".") if words else before[-1] if before else ""
    if previous in _TITLES:
        return " ".join(name)
    if not words and after == "," and (previous in _SAID or before[-2:] == ["according", "to"]):
        return " ".join(name)
    return None


def extract_entities(text: str, gazetteer: Gazetteer) -> dict[str, list[str]]:
    """Organisations, places and people named in ``text``, each list in order of first mention, normalised.

    Known names (gazetteer, longest match first) give their canonical form; the heuristics only look at
    capitalised runs that no known name covers.
    """
    tokens = _TOKEN.findall(fold_quotes(text))
    known: list[str | None] = [None] * len(tokens)  # the entity key of a token inside a known name
    found: dict[str, dict[str, str]] = {key: {} for key in ENTITY_KEYS}
    end = 0
    for i in gazetteer.starts(tokens):
        match = gazetteer.match(tokens, i) if i >= end else None
        if match:
            end, entry = match
            known[i:end] = [KINDS[entry.kind]] * (end - i)
            found[KINDS[entry.kind]].setdefault(entry.name.casefold(), entry.name)
    for start, end in _runs(tokens, known):
        organisation = _organisation(_words(tokens[start:end], known[start:end]))
        if organisation:
            found["organizations"].setdefault(organisation.casefold(), organisation)
            continue
        # A person's name holds no known place: look after the last one ("U.S. Treasury Secretary J. Baker").
        start = max([start] + [k + 1 for k in range(start, end) if known[k]])
        before = tokens[max(0, start - 2):start]
        person = _person([w.text for w in _words(tokens[start:end], known[start:end])], before,
                         tokens[end] if end < len(tokens) else "")
        if person:
            found["people"].setdefault(person.casefold(), person)
    return {key: list(values.values()) for key, values in found.items()}


# --- ids ----------------------------------------------------------------------------------------------------

def article_id(article: Article) -> str:
    """A stable id: the given one if any, else a hash of the normalised body and the date (20 hex digits).

    The same article read twice, from another path or on another machine, gets the same id.
    """
    if article.id:
        return article.id
    body = " ".join(fold_quotes(article.body).split())
    return hashlib.blake2b(f"{article.published}\n{body}".encode(), digest_size=10).hexdigest()


# --- story keys ---------------------------------------------------------------------------------------------

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

    About 8 bytes a slot, where a dict entry with its int key costs some 70: at 100,000 clusters of ten bands
    this is the difference between 16 MB and 70 MB. Keys are never 0 (0 marks a free slot); a key may repeat.
    """

    def __init__(self, capacity: int = 2**12):
        self._keys = array("I", bytes(4 * capacity))
        self._values = array("I", bytes(4 * capacity))
        self._used = 0

    def add(self, key: int, value: int) -> None:
        if 2 * (self._used + 1) > len(self._keys):
            self._grow()
        mask = len(self._keys) - 1
        i = key & mask
        while self._keys[i]:
            i = (i + 1) & mask
        self._keys[i], self._values[i] = key, value
        self._used += 1

    def _grow(self) -> None:
        keys, values = self._keys, self._values
        self._keys = array("I", bytes(8 * len(keys)))
        self._values = array("I", bytes(8 * len(keys)))
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


class StoryClusterer:
    """Streaming near-duplicate clustering: ``assign`` each article in turn and get its story key.

    Only the first article of each cluster is remembered (its id, 64-byte signature and ten band keys), so
    memory grows with the number of distinct stories and stays near 30 MB at 100,000.
    """

    def __init__(self) -> None:
        self._keys: list[str] = []  # story key of each cluster
        self._days = array("i")  # day number of each cluster's first article (0 when undated)
        self._signatures = bytearray()  # each cluster's signature, 2 * BINS bytes apiece
        self._bands = _BandIndex()

    @staticmethod
    def _band_keys(sig: bytes) -> list[int]:
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

    def assign(self, article_id: str, text: str, published: str | None = None) -> str:
        """The story key of this article: the id of the first article met of which it is a near-duplicate
        published within STORY_DAYS of it, else its own id (it starts a new story)."""
        sig = signature(text)
        size = 2 * BINS
        bands = self._band_keys(sig)
        day = date.fromisoformat(published).toordinal() if published else 0
        best, best_score = None, THRESHOLD
        for cluster in sorted({cluster for key in bands for cluster in self._bands.get(key)}):
            if day and self._days[cluster] and abs(day - self._days[cluster]) > STORY_DAYS:
                continue
            score = similarity(sig, self._signatures[cluster * size:(cluster + 1) * size])
            if score > best_score or score == best_score and best is None:
                best, best_score = cluster, score
        if best is not None:
            return self._keys[best]
        cluster = len(self._keys)
        self._keys.append(article_id)
        self._days.append(day)
        self._signatures += sig
        for key in bands:
            self._bands.add(key, cluster)
        return article_id


# --- the index document -------------------------------------------------------------------------------------

def _dateline(article: Article, gazetteer: Gazetteer) -> tuple[str | None, str | None, list[str]]:
    """(city, country, places the dateline names) in canonical form. A region in the country slot
    ("SAN MATEO, Calif.") gives its country; a missing or unknown country, the country of a known city."""
    city_entry = gazetteer.lookup(article.city) if article.city else None
    city = city_entry.name if city_entry else normalise_name(article.city) if article.city else None
    places = [city] if city else []
    country = None
    if article.country:
        entry = gazetteer.lookup(article.country)
        if entry is None:
            country = normalise_name(article.country)
        elif entry.kind == "country":
            country = entry.name
        else:
            places.append(entry.name)
            country = entry.country
    if city_entry and city_entry.country and (country is None or gazetteer.lookup(country) is None):
        country = city_entry.country
    if country:
        places.append(country)
    return city, country, places


def _canonical(name: str, gazetteer: Gazetteer) -> str:
    entry = gazetteer.lookup(name)
    return entry.name if entry else normalise_name(name)


def _merge(*lists: list[str]) -> list[str]:
    """Names in order, each once whatever its casing."""
    seen: dict[str, str] = {}
    for names in lists:
        for name in names:
            if name:
                seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _nest(fields: dict[str, object]) -> dict:
    """Dotted schema field names ("dateline.city") as nested objects."""
    document: dict = {}
    for name, value in fields.items():
        *parents, leaf = name.split(".")
        node = document
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return document


def to_document(article: Article, gazetteer: Gazetteer, story: str) -> dict:
    """The index document of an article (the fields of ``schema.MAPPINGS``), ``story`` its story key."""
    city, country, dateline_places = _dateline(article, gazetteer)
    if article.entities is not None:
        entities = {key: _merge([_canonical(name, gazetteer) for name in article.entities.get(key, [])])
                    for key in ENTITY_KEYS}
    else:
        in_headline = extract_entities(article.headline, gazetteer)
        in_body = extract_entities(article.body, gazetteer)
        entities = {key: _merge(in_headline[key], in_body[key]) for key in ENTITY_KEYS}
    entities["places"] = _merge(dateline_places, entities["places"])
    return _nest({
        schema.ID: article_id(article),
        schema.HEADLINE: article.headline,
        schema.LEDE: article.lede,
        schema.BODY: article.body,
        schema.PUBLISHED: article.published,
        schema.PUBLISHED_RULE: article.published_rule,
        schema.CITY: city,
        schema.COUNTRY: country,
        schema.SOURCE: _canonical(article.source, gazetteer) if article.source else None,
        schema.URL: article.url,
        schema.PATH: article.path,
        schema.ORGANIZATIONS: entities["organizations"],
        schema.PLACES: entities["places"],
        schema.PEOPLE: entities["people"],
        schema.STORY: story,
    })
