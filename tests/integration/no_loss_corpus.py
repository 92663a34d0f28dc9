"""A corpus that loses nothing at the door: undated articles, datelines without a year, years in paths, every
``published`` form, legacy encodings and articles in six languages, each with what the indexer must make of it.

``CASES`` are text files: (relative path, raw bytes, expected). ``RECORDS`` are JSON Lines records written to
one file: (record, expected). ``expected`` names the fields the index must hold (``published`` None: undated).
"""

from __future__ import annotations

import json
from pathlib import Path


def _text(path: str, text: str, encoding: str = "utf-8", **expected) -> tuple[str, bytes, dict]:
    return path, text.encode(encoding), expected


CASES = [
    _text("wire/bbc-rain.txt",
          "LONDON, August 18 (BBC) - Heavy rain flooded roads across southern England on Thursday, the Met "
          "Office said.\n\nForecasters expect more storms over the weekend.",
          published=None, published_rule="none", city="London", country="United Kingdom", language="en",
          source="BBC"),
    _text("wire/bbc-trains.txt",
          " date 2005-08-18\nLONDON, August 18 (BBC) - Train services were cancelled after the floods, the "
          "operator said.\n\nEngineers worked through the night.",
          published="2005-08-18", published_rule="header", city="London", country="United Kingdom",
          language="en", source="BBC"),
    _text("archive/2005/08/18/bbc-roads.txt",
          "LONDON, August 18 (BBC) - Road closures continued on Friday as water levels stayed high.\n\n"
          "Police urged drivers to avoid the area.",
          published="2005-08-18", published_rule="dateline-year-from-path", city="London",
          country="United Kingdom", language="en", source="BBC"),
    _text("archive/2006-03-02-bbc-budget.txt",
          "LONDON, March 2 (BBC) - The chancellor set out spending plans for schools and hospitals.\n\n"
          "Opposition parties called the plans too timid.",
          published="2006-03-02", published_rule="dateline-year-from-path", city="London",
          country="United Kingdom", language="en", source="BBC"),
    _text("archive/2007/bbc-election.txt",
          "LONDON, May 4 (BBC) - Voters went to the polls in local elections across the country.\n\n"
          "Turnout was reported to be low in the morning.",
          published="2007-05-04", published_rule="dateline-year-from-path", city="London",
          country="United Kingdom", language="en", source="BBC"),
    _text("notes/no-dateline.txt",
          "Oil prices fell for a third day as stockpiles grew faster than traders had expected.\n\n"
          "Brent crude closed below eighty dollars a barrel.",
          published=None, published_rule="none", city=None, country=None, language="en", source=None),
    _text("ru/cp1251-protests.txt",
          "МОСКВА, 7 февраля (ТАСС) - Участники протестов в нескольких городах потребовали отставки местных "
          "властей, сообщили организаторы акций.\n\nПротесты продолжаются вторую неделю.",
          "cp1251", published=None, published_rule="none", city="Moscow", country="Russia", language="ru",
          source="ТАСС"),
    _text("ru/2023/koi8-budget.txt",
          "МОСКВА, 9 февраля (Интерфакс) - Правительство России одобрило поправки к федеральному бюджету на "
          "текущий год, говорится в сообщении кабинета министров.\n\nПоправки направлены в Государственную думу.",
          "koi8-r", published="2023-02-09", published_rule="dateline-year-from-path", city="Moscow",
          country="Russia", language="ru", source="Интерфакс"),
    _text("ru/utf16-rail.txt",
          "\ufeffМОСКВА, 10 февраля 2023 (РИА Новости) - Железные дороги России увеличили перевозки грузов в "
          "январе, сообщила компания.\n\nРост составил три процента.",
          "utf-16-le", published="2023-02-10", published_rule="dateline", city="Moscow", country="Russia",
          language="ru", source="РИА Новости"),
    _text("fr/paris-greve.txt",
          "PARIS, 3 mars 2023 (AFP) - Des centaines de milliers de personnes ont manifesté contre la réforme "
          "des retraites à travers la France, selon les syndicats.\n\nLe gouvernement a maintenu son projet.",
          "latin-1", published="2023-03-03", published_rule="dateline", city="Paris", country="France",
          language="fr", source="Agence France-Presse"),
    _text("de/berlin-haushalt.txt",
          "BERLIN, 3. März 2023 (dpa) - Die Bundesregierung hat sich auf die Eckpunkte des Haushalts für das "
          "kommende Jahr geeinigt, teilte das Finanzministerium mit.\n\nDie Opposition übte scharfe Kritik.",
          published="2023-03-03", published_rule="dateline", city="Berlin", country="Germany", language="de",
          source="dpa"),
    _text("az/2023/baki-neft.txt",
          "BAKI, 1 fevral (Trend) - Azərbaycan neftinin qiyməti dünya bazarlarında bahalaşıb. Azeri Light "
          "markalı neftin bir barelinin qiyməti yüksəlib.\n\nBu barədə Trend-ə məlumat verilib.",
          published="2023-02-01", published_rule="dateline-year-from-path", city="Baku", country="Azerbaijan",
          language="az", source="Trend"),
    _text("tr/ankara-enflasyon.txt",
          "ANKARA, 1 Şubat 2023 (AA) - Türkiye İstatistik Kurumu, ocak ayı enflasyon rakamlarını açıkladı. "
          "Yıllık enflasyon beklentilerin altında gerçekleşti.\n\nPiyasalar veriye olumlu tepki verdi.",
          "cp1254", published="2023-02-01", published_rule="dateline", city="Ankara", country="Turkey",
          language="tr", source="AA"),
    _text("es/madrid-empleo.txt",
          "MADRID, 2 de marzo de 2023 (EFE) - El paro registrado bajó en febrero en casi tres mil personas, "
          "según los datos publicados hoy por el Ministerio de Trabajo.\n\nLa afiliación también creció.",
          published="2023-03-02", published_rule="dateline", city="Madrid", country="Spain", language="es",
          source="EFE"),
]

RECORDS = [
    ({"id": "undated-1", "headline": "Council approves budget",
      "body": "The city council approved next year's budget after a long debate on Tuesday evening."},
     {"published": None, "published_rule": "none", "language": "en"}),
    ({"id": "undated-2", "headline": "Bridge reopens",
      "body": "The old river bridge reopened to traffic after two years of repairs, the mayor said."},
     {"published": None, "published_rule": "none", "language": "en"}),
    ({"id": "iso-offset", "body": "Ministers met in Brussels to discuss energy prices and gas storage.",
      "published": "2023-02-01T10:00:00+04:00"},
     {"published": "2023-02-01", "published_at": "2023-02-01T10:00:00+04:00", "published_rule": "given",
      "language": "en"}),
    ({"id": "rfc2822", "body": "Central banks kept interest rates on hold as inflation eased in the winter.",
      "published": "Wed, 01 Feb 2023 10:00:00 +0400"},
     {"published": "2023-02-01", "published_at": "2023-02-01T10:00:00+04:00", "published_rule": "given",
      "language": "en"}),
    ({"id": "month-first", "body": "Farmers protested against new rules on fertiliser use in the north.",
      "published": "February 1, 2023"},
     {"published": "2023-02-01", "published_rule": "given", "language": "en"}),
    ({"id": "day-first", "body": "Shipping companies reported delays at the main container port this week.",
      "published": "1 Feb 2023"},
     {"published": "2023-02-01", "published_rule": "given", "language": "en"}),
    ({"id": "epoch", "body": "Airlines added flights for the holiday season as demand for travel recovered.",
      "published": 1675245600},
     {"published": "2023-02-01", "published_at": "2023-02-01T10:00:00+00:00", "published_rule": "given",
      "language": "en"}),
    ({"id": "ambiguous", "body": "Teachers held a one-day strike over pay and working conditions in schools.",
      "published": "01/02/2023"},
     {"published": None, "published_rule": "none", "language": "en"}),
]


def write(folder: Path, cases=CASES, records=RECORDS, jsonl_name: str = "feed/records.jsonl") -> None:
    """The corpus as files under ``folder``."""
    for path, raw, _ in cases:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(raw)
    if records:
        (folder / jsonl_name).parent.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps(record, ensure_ascii=False) for record, _ in records]
        (folder / jsonl_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
