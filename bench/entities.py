"""Entity quality against human labels: the product's places, people and organisations on Reuters-21578.

``python -m bench.entities --split TEST`` reads the Reuters articles of one ``LEWISSPLIT`` half with the
product's SGML reader, makes their index documents (``dateline.indexer.enrich.document.to_document``, as a
rebuild does) and scores each document's
``entities`` against the labels Reuters staff gave the story (``<PLACES>``, ``<PEOPLE>``, ``<ORGS>``):
precision, recall and F1 per kind, micro-averaged over documents. Tune on TRAIN; report TEST.

The label mapping, written down here and tested in ``tests/unit/test_entities_bench.py``:

- **places**: every place of a document is taken to its country (a country is itself; a city, region or
  other place gives the country the gazetteer records for it) and the country to a label code:
  ``COUNTRY_LABELS`` names the country of each code (by default the code in title case, ``new-zealand`` →
  New Zealand); ``COUNTRY_MERGES`` folds today's names into the 1987 codes (Germany → ``west-germany``,
  Russia or Ukraine → ``ussr``, Croatia → ``yugoslavia``). Places that are no country of the vocabulary
  (Europe, the Caspian Sea) are not scored.
- **people**: a name is slugged (ASCII, lower case, initials dropped, ``-`` between words) and the longest
  tail of its words that is a label code names the person (``James A. Baker`` → ``james-baker``;
  ``Paul Volcker`` → ``volcker``; ``Miguel de la Madrid`` → ``de-la-madrid``).
- **organisations**: ``ORG_LABELS`` gives each code its names (from the collection's category descriptions);
  a product name is compared in its gazetteer-canonical form, casefolded.

Names the vocabulary lacks cannot be judged by these labels and are left out of precision (they are counted
as "unjudged"); the current-news test set in ``tests/unit/test_entities.py`` checks them instead. The labels
mark what a story is *about*, not every mention, so precision has a ceiling below 1: the "ceiling" row scores
a reader that finds exactly the vocabulary names written in the text (their label names and aliases, as
whole words), and nothing else.

Documents without a body (title-only briefs) are left out, as rebuilds leave them out. The reader keeps the
collection's ``<PLACES>`` as places an article's source gives; they are the labels, so the benchmark drops
them and scores only what the product finds in the text and the dateline.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from dateline.indexer.article import Article
from dateline.indexer.enrich.document import to_document
from dateline.indexer.enrich.gazetteer import Gazetteer, load_gazetteer
from dateline.indexer.readers import iter_articles

from . import corpora

FOLDER = corpora.DATA / corpora.REUTERS
RESULTS = Path(__file__).resolve().parent / "results"
KINDS = ("places", "people", "organizations")
_LABEL_TAG = {"places": "PLACES", "people": "PEOPLE", "organizations": "ORGS"}

# Codes whose country is not the code in title case.
COUNTRY_LABELS = {
    "usa": "United States", "uk": "United Kingdom", "ussr": "Soviet Union", "uae": "United Arab Emirates",
    "west-germany": "West Germany", "east-germany": "East Germany", "trinidad-tobago": "Trinidad and Tobago",
    "kampuchea": "Cambodia", "burma": "Myanmar", "congo": "Republic of the Congo", "macao": "Macao",
    "guinea-bissau": "Guinea-Bissau", "western-samoa": "Samoa", "yemen-arab-republic": "Yemen",
    "yemen-demo-republic": "South Yemen", "us-virgin-islands": "U.S. Virgin Islands",
    "vatican": "Vatican City", "swaziland": "Eswatini", "cape-verde": "Cabo Verde",
}
# Today's names of what in 1987 was one labelled country.
COUNTRY_MERGES = {
    "Germany": "west-germany", "Federal Republic of Germany": "west-germany",
    "Russia": "ussr", "Ukraine": "ussr", "Belarus": "ussr", "Moldova": "ussr", "Lithuania": "ussr",
    "Latvia": "ussr", "Estonia": "ussr", "Georgia": "ussr", "Armenia": "ussr", "Azerbaijan": "ussr",
    "Kazakhstan": "ussr", "Uzbekistan": "ussr", "Turkmenistan": "ussr", "Kyrgyzstan": "ussr",
    "Tajikistan": "ussr",
    "Czech Republic": "czechoslovakia", "Czechia": "czechoslovakia", "Slovakia": "czechoslovakia",
    "Serbia": "yugoslavia", "Croatia": "yugoslavia", "Slovenia": "yugoslavia", "Montenegro": "yugoslavia",
    "Bosnia and Herzegovina": "yugoslavia", "North Macedonia": "yugoslavia", "Kosovo": "yugoslavia",
    "Democratic Republic of the Congo": "zaire", "Zaire": "zaire",
    "Swaziland": "swaziland", "Cape Verde": "cape-verde", "Vatican": "vatican", "Burma": "burma",
    "Kampuchea": "kampuchea", "Western Samoa": "western-samoa", "Curacao": "netherlands-antilles",
    "Sint Maarten": "netherlands-antilles", "Bonaire, Sint Eustatius, and Saba": "netherlands-antilles",
    "British Virgin Islands": "british-virgin-islands", "Virgin Islands": "us-virgin-islands",
    "Ivory Coast": "ivory-coast", "Côte d'Ivoire": "ivory-coast", "Macau": "macao",
    "Congo": "congo", "Republic of the Congo": "congo",
}
# Each organisation code and the names it goes by (the collection's cat-descriptions file).
ORG_LABELS = {
    "adb-africa": ["African Development Bank"], "adb-asia": ["Asian Development Bank"],
    "aid": ["Agency for International Development", "USAID"],
    "aibd": ["Association of International Bond Dealers"],
    "anrpc": ["Association of Natural Rubber Producing Countries"],
    "asean": ["ASEAN", "Association of South East Asian Nations", "Association of Southeast Asian Nations"],
    "atpc": ["Association of Tin Producing Countries"], "bis": ["Bank for International Settlements", "BIS"],
    "cipec": ["CIPEC", "Intergovernmental Council of Copper Exporting Countries"],
    "comecon": ["Comecon", "Council for Mutual Economic Assistance"],
    "ec": ["European Community", "European Communities", "European Economic Community", "EC", "EEC"],
    "eca": ["Economic Commission for Africa"], "ecafe": ["Economic Commission for Asia and the Far East"],
    "ece": ["Economic Commission for Europe"],
    "ecla": ["Economic Commission for Latin America", "Economic Commission for Latin America and the Caribbean"],
    "ecsc": ["European Coal and Steel Community"], "ecwa": ["Economic Commission for West Asia"],
    "emcf": ["European Monetary Cooperation Fund"], "euratom": ["Euratom", "European Atomic Energy Community"],
    "efta": ["EFTA", "European Free Trade Association"], "eib": ["European Investment Bank"],
    "escap": ["ESCAP", "Economic and Social Commission for Asia and the Pacific"],
    "fao": ["Food and Agriculture Organization", "FAO"],
    "gatt": ["GATT", "General Agreement on Tariffs and Trade"],
    "geplacea": ["GEPLACEA", "Group of Latin American and Caribbean Sugar Exporting Countries"],
    "gcc": ["Gulf Cooperation Council", "GCC"],
    "imco": ["Inter-Governmental Maritime Consultative Organization"],
    "iata": ["IATA", "International Air Transport Association"],
    "iaea": ["International Atomic Energy Agency", "IAEA"],
    "worldbank": ["World Bank", "International Bank for Reconstruction and Development"],
    "icco": ["International Cocoa Organization", "ICCO"],
    "ico-coffee": ["International Coffee Organization", "ICO"],
    "ida": ["International Development Association"], "iea": ["International Energy Agency", "IEA"],
    "iisi": ["International Iron and Steel Institute"], "ilo": ["International Labour Organization", "ILO"],
    "ilzsg": ["International Lead and Zinc Study Group"], "imf": ["International Monetary Fund", "IMF"],
    "inro": ["International Natural Rubber Organization", "INRO"],
    "irsg": ["International Rubber Study Group"], "isa": ["International Sugar Agreement"],
    "itc": ["International Tin Council", "ITC"], "iwc-whale": ["International Whaling Commission"],
    "iwc-wheat": ["International Wheat Council"], "iws": ["International Wool Secretariat"],
    "iwto": ["International Wool Textile Organisation"], "iwcc": ["International Wrought Copper Council"],
    "ico-islam": ["Islamic Conference Organization", "Organization of the Islamic Conference"],
    "lafta": ["Latin American Free Trade Association"], "mfa": ["Multi-Fibre Arrangement", "MFA"],
    "oecd": ["OECD", "Organization for Economic Cooperation and Development"],
    "oapec": ["OAPEC", "Organization of Arab Petroleum Exporting Countries"],
    "opec": ["OPEC", "Organization of Petroleum Exporting Countries"], "un": ["United Nations", "UN"],
    "unctad": ["UNCTAD", "United Nations Conference on Trade and Development"],
    "who": ["World Health Organization", "WHO"],
}


def _vocabulary(kind: str, folder: Path = FOLDER) -> frozenset[str]:
    name = {"places": "places", "people": "people", "organizations": "orgs"}[kind]
    return frozenset((folder / f"all-{name}-strings.lc.txt").read_text(encoding="latin-1").split())


def slug(name: str) -> str:
    """ASCII, lower case, words joined by hyphens: "François Mitterrand" → "francois-mitterrand"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))


def _british(name: str) -> str:
    """One spelling of "Organization"/"Organisation" and "Co-operation"/"Cooperation" for comparing names."""
    return name.casefold().replace("organisation", "organization").replace("co-operation", "cooperation")


class LabelMap:
    """Product facet values → Reuters label codes, per kind (None for a value the vocabulary lacks)."""

    def __init__(self, gazetteer: Gazetteer, folder: Path = FOLDER):
        self.gazetteer = gazetteer
        self.vocabulary = {kind: _vocabulary(kind, folder) for kind in KINDS}
        self._countries = {_british(name): code for name, code in COUNTRY_MERGES.items()}
        for code in self.vocabulary["places"]:
            self._countries[_british(COUNTRY_LABELS.get(code, code.replace("-", " ").title()))] = code
        self._orgs = {_british(name): code for code, names in ORG_LABELS.items() for name in names}

    def country(self, place: str) -> str | None:
        """The label code of the country a place lies in (or is)."""
        entry = self.gazetteer.lookup(place)
        country = place if entry is None else entry.name if entry.kind == "country" else entry.country
        return self._countries.get(_british(country)) if country else None

    def person(self, name: str) -> str | None:
        """The label code of a person: the longest tail of the name's words that is one."""
        words = [w for w in slug(name).split("-") if len(w) > 1]
        return next((code for k in range(len(words)) if (code := "-".join(words[k:])) in self.vocabulary["people"]),
                    None)

    def organization(self, name: str) -> str | None:
        entry = self.gazetteer.lookup(name)
        forms = [name] + ([entry.name] if entry else [])
        return next((self._orgs[_british(f)] for f in forms if _british(f) in self._orgs), None)

    def code(self, kind: str, value: str) -> str | None:
        return {"places": self.country, "people": self.person, "organizations": self.organization}[kind](value)


# --- the articles and their labels ----------------------------------------------------------------------------

@dataclass
class Labelled:
    article: Article  # as the product reads it, without the places the source gives
    labels: dict[str, set[str]]  # kind → label codes


_DOC = re.compile(r"<REUTERS ([^>]*)>(.*?)</REUTERS>", re.S)


def _codes(doc: str, tag: str) -> set[str]:
    found = re.search(rf"<{tag}>(.*?)</{tag}>", doc, re.S)
    return set(re.findall(r"<D>(.*?)</D>", found.group(1))) if found else set()


def _labels(split: str, files: list[Path]) -> dict[str, dict[str, set[str]]]:
    """Article id → the label codes of each kind, for the documents of one LEWISSPLIT half."""
    labels = {}
    for path in files:
        for attributes, doc in _DOC.findall(gzip.open(path, "rt", encoding="latin-1").read()):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', attributes))
            if attrs.get("LEWISSPLIT") == split:
                labels[f"reuters-{attrs['NEWID']}"] = {kind: _codes(doc, tag) for kind, tag in _LABEL_TAG.items()}
    return labels


def reuters(split: str, folder: Path = FOLDER, limit: int | None = None) -> Iterator[Labelled]:
    """The articles of one LEWISSPLIT half, read by the product's SGML reader, with their labels. The reader
    keeps the collection's ``<PLACES>`` as the article's places: they are the answer, so they are dropped."""
    files = sorted(folder.glob("reut2-*.sgm.gz"))
    labels = _labels(split, files)
    count = 0
    for article in iter_articles(files):
        if isinstance(article, Article) and article.id in labels:
            yield Labelled(replace(article, places=()), labels[article.id])
            count += 1
            if limit and count >= limit:
                return


def enrich(articles: Iterable[Article], gazetteer: Gazetteer) -> tuple[dict[str, dict], float]:
    """The product's index documents of ``articles`` by id, and articles enriched per second."""
    articles = list(articles)
    start = time.perf_counter()
    found = {article.id: to_document(article, gazetteer, article.id) for article in articles}
    return found, len(found) / (time.perf_counter() - start)


# --- scores ---------------------------------------------------------------------------------------------------

@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unjudged: Counter = field(default_factory=Counter)  # values no label code stands for
    wrong: Counter = field(default_factory=Counter)  # codes found but not labelled
    missed: Counter = field(default_factory=Counter)  # codes labelled but not found

    def add(self, found: set[str], gold: set[str]) -> None:
        self.tp += len(found & gold)
        self.fp += len(found - gold)
        self.fn += len(gold - found)
        self.wrong.update(found - gold)
        self.missed.update(gold - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _mentions(text: str, forms: dict[str, str]) -> set[str]:
    """Codes of the vocabulary names written in ``text`` as whole words (``forms``: name → code)."""
    return {code for form, code in forms.items() if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text)}


def ceiling_forms(labels: LabelMap) -> dict[str, dict[str, str]]:
    """Per kind, the written forms of each vocabulary name (for the precision ceiling)."""
    people = {}
    for code in labels.vocabulary["people"]:
        words = code.split("-")
        people[" ".join(w.capitalize() for w in words)] = code  # the surname, or the full name
    orgs = {name: code for code, names in ORG_LABELS.items() for name in names}
    return {"people": people, "organizations": orgs}


def score(items: list[Labelled], found: dict[str, dict], labels: LabelMap) -> dict[str, Score]:
    scores = {kind: Score() for kind in KINDS}
    ceiling = {kind: Score() for kind in ("people", "organizations")}
    forms = ceiling_forms(labels)
    for item in items:
        document = found[item.article.id]
        entities = document["entities"]
        for kind in KINDS:
            codes = set()
            for value in entities[kind]:
                if kind == "places" and value == document["dateline"]["city"] and document["dateline"]["country"]:
                    continue  # the dateline says which country its city is in ("BIRMINGHAM, Ala.")
                code = labels.code(kind, value)
                if code is None:
                    scores[kind].unjudged[value] += 1
                else:
                    codes.add(code)
            scores[kind].add(codes, item.labels[kind])
        text = f"{item.article.headline}\n{item.article.body}"
        for kind in ceiling:
            mentioned = _mentions(text, forms[kind])
            ceiling[kind].add(mentioned, item.labels[kind] & mentioned)
    scores.update({f"{kind} ceiling": s for kind, s in ceiling.items()})
    return scores


def table(scores: dict[str, Score]) -> str:
    lines = ["| kind | precision | recall | F1 | found right | found wrong | missed |", "|---|---|---|---|---|---|---|"]
    for kind, s in scores.items():
        lines.append(f"| {kind} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.entities", description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("TRAIN", "TEST"), default="TEST",
                        help="LEWISSPLIT half to score [default: TEST; tune on TRAIN]")
    parser.add_argument("--limit", type=int, help="score only the first N articles of the half")
    parser.add_argument("--errors", type=int, default=0, help="list the N most frequent errors per kind")
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer()
    labels = LabelMap(gazetteer)
    items = list(reuters(args.split, limit=args.limit))
    found, rate = enrich((item.article for item in items), gazetteer)
    scores = score(items, found, labels)
    print(f"Reuters-21578 {args.split}: {len(items)} articles, enriched at {rate:.0f} articles/s\n")
    print(table(scores))
    for kind in KINDS if args.errors else ():
        s = scores[kind]
        print(f"\n{kind}: wrong {s.wrong.most_common(args.errors)}\n  missed {s.missed.most_common(args.errors)}"
              f"\n  unjudged {s.unjudged.most_common(args.errors)}")
    if args.json:
        args.json.write_text(json.dumps({"split": args.split, "articles": len(items),
                                         "articles_per_second": round(rate, 1),
                                         "scores": {k: s.row() for k, s in scores.items()}}, indent=2) + "\n")


if __name__ == "__main__":
    main()
