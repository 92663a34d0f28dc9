"""Names in any spelling: what the name skeletons find, and what they change for everyone else.

Three measurements, all through ``/api/search`` (the Flask app in process), as users get them:

- **Recall of spelling variants** over the seeds: the tuning list (``tests/relevance/variant_queries.tsv``)
  and the held-out list (``tests/relevance/variant_queries_heldout.tsv``, written before the skeleton rules
  and never tuned on). A query counts as found when its first page holds every seed it names.
- **Recall of place spellings** (``tests/relevance/place_spellings_heldout.tsv``, held out): cities and
  countries in other scripts and languages, over one short article per place (``place_articles``); a spelling
  counts as found when its place's article is the first hit.
- **Precision guard** over Reuters-21578 (indexed by the product's rebuild): ``QUERIES`` ordinary queries,
  words drawn (seeded) from Reuters headlines as a user would type them (see ``ordinary_queries``). The top 10 of
  ``/api/search`` against the top 10 of the same search without name skeletons (``build_search`` as is):
  the share of queries whose top 10 stays the same (same articles, same order) and holds the same articles.

Run ``.venv/bin/python -m bench.names`` (the relevance benchmark runs it too, for its table).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
from pathlib import Path

from elasticsearch import Elasticsearch

from dateline import config, schema
from dateline.client import connect
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app
from dateline.service.params import SearchParams
from dateline.service.query import build_search

from .corpora import DATA, REUTERS, reuters

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
VARIANT_LISTS = {"tuning": ROOT / "tests" / "relevance" / "variant_queries.tsv",
                 "held-out": ROOT / "tests" / "relevance" / "variant_queries_heldout.tsv"}
PLACE_SPELLINGS = ROOT / "tests" / "relevance" / "place_spellings_heldout.tsv"
QUERIES = 300
SEED = 1987
TOP = 10
_WORD = re.compile(r"[A-Za-z]{3,}")
_STOP = {"the", "and", "for", "with", "from", "says", "said", "sees", "set", "not", "its", "has", "new", "inc",
         "corp", "co", "ltd", "pct", "mln", "dlrs", "vs", "cts", "qtr", "net", "shr", "year", "unit", "to"}


def read_variants(path: Path) -> list[tuple[str, set[str], str]]:
    """(query, seed file names it must find, what it exercises) for each row of a variant list."""
    with path.open(encoding="utf-8", newline="") as stream:
        lines = (line for line in stream if not line.startswith("#"))
        rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["query"], set(row["must_find"].split(",")), row["variant"]) for row in rows]


def api(es: Elasticsearch, alias: str):
    """A client of the search service over ``alias`` (the Flask app in process)."""
    return create_app(config.Settings(alias=alias), client=es).test_client()


def api_top(client, q: str) -> list[str]:
    """The ids of the first page of ``/api/search?q=``."""
    answer = client.get("/api/search", query_string={"q": q, "size": TOP})
    if answer.status_code != 200:
        raise RuntimeError(f"/api/search?q={q} answered {answer.status_code}")
    return [hit["id"] for hit in answer.get_json()["hits"]]


def variant_misses(es: Elasticsearch, alias: str, variants: list[tuple[str, set[str], str]]) -> list[str]:
    """The variants whose first page lacks a seed they must find, each described."""
    misses = []
    with api(es, alias) as client:
        for query, expected, variant in variants:
            found = es.search(index=alias, query={"terms": {schema.ID: api_top(client, query)}},
                              _source=[schema.PATH])["hits"]["hits"]
            missed = expected - {Path(hit["_source"][schema.PATH]).name for hit in found}
            if missed:
                misses.append(f"{query} ({variant}) missed {', '.join(sorted(missed))}")
    return misses


def variant_recall(es: Elasticsearch, alias: str) -> dict:
    """Recall of each variant list over the seeds, indexed by the product's rebuild behind ``alias``."""
    try:
        rebuild(es, alias, [str(SEEDS)], keep=0)
        figures = {}
        for name, path in VARIANT_LISTS.items():
            variants = read_variants(path)
            misses = variant_misses(es, alias, variants)
            figures[name] = {"queries": len(variants), "found": len(variants) - len(misses),
                             "recall": round(1 - len(misses) / len(variants), 4), "misses": misses}
        return figures
    finally:
        delete_alias(es, alias)


def read_place_spellings(path: Path = PLACE_SPELLINGS) -> list[tuple[str, str, str]]:
    """(query, the place as an English-language article names it, where the spelling is from) of each row."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = csv.DictReader((line for line in stream if not line.startswith("#")), delimiter="\t",
                              quoting=csv.QUOTE_NONE)
        return [(row["query"], row["place"], row["variant"]) for row in rows]


def place_articles(places: list[str]) -> list[dict]:
    """One short English-language article for each place, naming it once; the rest of the text is alike."""
    return [{"id": f"place-{i}", "headline": f"Trade talks open in {place}", "published": "2026-11-30",
             "body": f"Officials met in {place} on Monday to discuss trade, energy and transport links."}
            for i, place in enumerate(places)]


def place_recall(es: Elasticsearch, alias: str, spellings: list[tuple[str, str, str]] | None = None) -> dict:
    """Held-out place spellings: over one article per place (``place_articles``), indexed by the product's
    rebuild behind ``alias``, a spelling counts as found when its place's article is the first hit of
    ``/api/search``."""
    spellings = read_place_spellings() if spellings is None else spellings
    places = list(dict.fromkeys(place for _, place, _ in spellings))
    ids = {place: article["id"] for place, article in zip(places, place_articles(places), strict=True)}
    try:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "places.jsonl"
            source.write_text("".join(json.dumps(a) + "\n" for a in place_articles(places)), encoding="utf-8")
            rebuild(es, alias, [str(source)], keep=0)
        with api(es, alias) as client:
            misses = [f"{query} ({variant}) for {place}" for query, place, variant in spellings
                      if api_top(client, query)[:1] != [ids[place]]]
    finally:
        delete_alias(es, alias)
    return {"queries": len(spellings), "found": len(spellings) - len(misses),
            "recall": round(1 - len(misses) / len(spellings), 4), "misses": misses}


def _headline_words(rng: random.Random, records: list[dict]) -> list[str]:
    words = [w.lower() for w in _WORD.findall(rng.choice(records)["headline"] or "")]
    return [w for w in words if w not in _STOP]


def ordinary_queries(records: list[dict], count: int = QUERIES, seed: int = SEED) -> list[str]:
    """``count`` distinct queries, lowercased as people type them: two in three are one to three words of a
    headline, one in three a word from each of two headlines (which often no article holds together, so the
    words are also searched in any spelling)."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = _headline_words(rng, records)
        if not words:
            continue
        if len(queries) % 3 == 2:
            other = _headline_words(rng, records)
            query = f"{rng.choice(words)} {rng.choice(other)}" if other else ""
        else:
            start = rng.randrange(len(words))
            query = " ".join(words[start : start + rng.choice((1, 2, 2, 3))])
        if query and query not in queries:
            queries.append(query)
    return queries


def _top(es: Elasticsearch, alias: str, q: str) -> list[str]:
    """The ids of the top 10 of a search of ``q`` with its words as written only."""
    result = es.search(index=alias, **build_search(SearchParams(q=q, size=TOP)))
    return [hit["_source"][schema.ID] for hit in result["hits"]["hits"]]


def precision_guard(es: Elasticsearch, alias: str, data_dir: Path = DATA) -> dict:
    """How many ordinary Reuters queries keep their top 10 when the name skeletons are searched too."""
    records = list(reuters(data_dir / REUTERS))
    queries = ordinary_queries(records)
    try:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "reuters.jsonl"
            with source.open("w", encoding="utf-8") as stream:
                stream.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
            rebuild(es, alias, [str(source)], keep=0)
        same_order = same_articles = 0
        changed = []
        with api(es, alias) as client:
            tops = [(_top(es, alias, q), api_top(client, q)) for q in queries]
        for q, (without, with_names) in zip(queries, tops, strict=True):
            same_order += without == with_names
            same_articles += set(without) == set(with_names)
            if set(without) != set(with_names):
                changed.append(q)
    finally:
        delete_alias(es, alias)
    return {"documents": len(records), "queries": len(queries),
            "same_top10": round(same_order / len(queries), 4),
            "same_top10_articles": round(same_articles / len(queries), 4),
            "changed_articles": changed}


def delete_alias(es: Elasticsearch, alias: str) -> None:
    indices = [name for name in es.indices.get_alias(name=alias, ignore=404) if schema.is_version(alias, name)]
    if indices:
        es.indices.delete(index=",".join(indices), ignore_unavailable=True)


TUNING_RECALL, HELD_OUT_RECALL, SAME_TOP10, PLACE_RECALL = 1.0, 0.95, 0.95, 0.9


def measure(es: Elasticsearch, prefix: str, data_dir: Path = DATA) -> dict:
    """The measurements and their targets, under indices named after ``prefix``."""
    variants = variant_recall(es, f"{prefix}-seeds")
    places = place_recall(es, f"{prefix}-places")
    reuters_guard = precision_guard(es, f"{prefix}-reuters", Path(data_dir))
    bars = [("tuning variants found", variants["tuning"]["recall"], TUNING_RECALL),
            ("held-out variants found", variants["held-out"]["recall"], HELD_OUT_RECALL),
            ("held-out place spellings found", places["recall"], PLACE_RECALL),
            ("Reuters queries with the same top 10", reuters_guard["same_top10"], SAME_TOP10)]
    return {"variants": variants, "places": places, "reuters": reuters_guard,
            "targets": [{"target": f"{name} ≥ {bar:.0%}", "bar": bar, "value": value, "met": value >= bar}
                        for name, value, bar in bars]}


def markdown(figures: dict) -> str:
    """The names section of the relevance table."""
    variants, guard, places = figures["variants"], figures["reuters"], figures["places"]
    lines = ["## Names in any spelling", "",
             f"Spelling variants of the seeds' names through `/api/search`: tuning list {variants['tuning']['found']}"
             f" of {variants['tuning']['queries']}, held-out list {variants['held-out']['found']} of "
             f"{variants['held-out']['queries']}; held-out place spellings (one article per place) "
             f"{places['found']} of {places['queries']}. Reuters-21578 ({guard['documents']} articles): of "
             f"{guard['queries']} ordinary queries, {guard['same_top10']:.1%} keep the same top 10 (same order), "
             f"{guard['same_top10_articles']:.1%} the same articles.", "",
             "| target | value | met |", "|---|---:|---|"]
    lines += [f"| {t['target']} | {t['value']:.1%} | {'yes' if t['met'] else '**no**'} |" for t in figures["targets"]]
    misses = [miss for part in [*variants.values(), places] for miss in part["misses"]]
    if misses:
        lines += ["", "Missed: " + "; ".join(misses)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DATA,
                        help=f"the shared data folder (default: {DATA})")
    args = parser.parse_args(argv)
    report = measure(connect(config.from_env()), "bench-names", args.data_dir)
    print(markdown(report))
    return 0 if all(t["met"] for t in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
