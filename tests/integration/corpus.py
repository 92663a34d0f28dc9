"""A generated news corpus of a few hundred articles in the document shape, and the truth about it.

The generator is deterministic (a fixed seed), so a failing count can be reproduced. Tests compare what the
service answers with what these functions compute from the documents themselves.

Every article has one or two topic words (``TOPICS``) that appear nowhere else: once in the body, and in the
headline for about half the articles, never in the lede. So "which articles match the word" is a plain
Python question, and an article with the word in its headline should rank above one with it only in the body.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import date, timedelta

from dateline import schema
from dateline.service.facets import FACETS_BY_NAME

SIZE = 300
FIRST_DAY = date(2021, 1, 1)
DAYS = 3 * 365

TOPICS = ["pipeline", "harvest", "election", "earthquake", "summit", "railway", "vaccine", "festival"]
DATELINES = [
    ("Baku", "Azerbaijan"), ("Ganja", "Azerbaijan"), ("Shusha", "Azerbaijan"), ("Tbilisi", "Georgia"),
    ("Batumi", "Georgia"), ("Yerevan", "Armenia"), ("Gyumri", "Armenia"), ("Ankara", "Turkey"),
    ("Moscow", "Russia"), (None, "Azerbaijan"), (None, None),
]
SOURCES = ["Trend", "Reuters", "AzerNews", "APA", None]
ORGANIZATIONS = ["SOCAR", "United Nations", "European Union", "World Bank", "OSCE", "NATO", "BP",
                 "Red Crescent"]
PLACES = ["Caspian Sea", "Lachin corridor", "Karabakh", "Nakhchivan", "Absheron", "Kura river", "Mingachevir",
          "Lankaran", "Sheki", "Guba", "Zangilan", "Aghdam"]
# More people than a facet lists, with falling weights, so some names are always outside the top ten.
PEOPLE = ["Ilham Aliyev", "Nikol Pashinyan", "Irakli Garibashvili", "Charles Michel", "Antony Blinken",
          "Josep Borrell", "Recep Erdogan", "Sergey Lavrov", "Jeyhun Bayramov", "Ararat Mirzoyan",
          "Hikmet Hajiyev", "Mevlut Cavusoglu", "Toivo Klaar", "Philip Reeker", "Louis Bono", "Amir Nazim"]

_SUBJECTS = ["Ministers", "Officials", "Delegates", "Experts", "Residents", "Farmers", "Engineers", "Envoys"]
_VERBS = ["discuss", "review", "welcome", "debate", "prepare for", "report on", "plan", "assess"]
_FILLER = [
    "The meeting took place on Tuesday morning.",
    "Several delegations attended the talks in the capital.",
    "Officials said further consultations would follow next month.",
    "Local residents followed the proceedings closely.",
    "The statement was published on the official website.",
    "Observers expect a decision before the end of the year.",
    "The ministry declined to comment on the details.",
    "Representatives of several agencies were present.",
]

# Articles written for particular tests: hostile markup, phrases, exclusions.
SCRIPT_ID = "script0000000001"
SCRIPT_HEADLINE = 'Zanzibarite <script>alert("headline")</script> & friends'
PHRASE_ID = "phrase0000000001"
SCATTERED_ID = "phrase0000000002"


def _id(n: int) -> str:
    return hashlib.sha1(f"corpus-{n}".encode()).hexdigest()[:16]


def _document(n: int, rng: random.Random) -> dict:
    topics = rng.sample(TOPICS, rng.choice([1, 1, 2]))
    city, country = rng.choice(DATELINES)
    published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    headline = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} the {topics[0]}" if rng.random() < 0.5 else (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} regional cooperation")
    lede = f"{city or 'The capital'}: {rng.choice(_FILLER)} {rng.choice(_FILLER)}"
    topic_paragraph = f"The talks concerned the {' and the '.join(topics)} among other matters."
    body = "\n\n".join([lede, topic_paragraph, " ".join(rng.sample(_FILLER, 3))])
    article_id = _id(n)
    return {
        schema.ID: article_id,
        schema.HEADLINE: headline,
        schema.LEDE: lede,
        schema.BODY: body,
        schema.PUBLISHED: published.isoformat(),
        schema.PUBLISHED_RULE: "header",
        "dateline": {"city": city, "country": country},
        schema.SOURCE: rng.choice(SOURCES),
        schema.URL: f"https://news.example/{article_id}",
        schema.PATH: f"corpus.jsonl:{n + 1}",
        "entities": {
            "organizations": sorted(set(rng.sample(ORGANIZATIONS, rng.randrange(3)))),
            "places": sorted(set(rng.sample(PLACES, rng.randrange(4)))),
            "people": sorted(set(rng.choices(PEOPLE, weights=range(len(PEOPLE), 0, -1), k=rng.randrange(4)))),
        },
        schema.STORY: article_id,  # a story of its own: versions are tested on corpora made for it
    }


def _special(article_id: str, headline: str, body: str, published: str) -> dict:
    return {
        schema.ID: article_id,
        schema.HEADLINE: headline,
        schema.LEDE: body.split("\n\n")[0],
        schema.BODY: body,
        schema.PUBLISHED: published,
        schema.PUBLISHED_RULE: "given",
        "dateline": {"city": "Baku", "country": "Azerbaijan"},
        schema.SOURCE: "Trend",
        schema.URL: None,
        schema.PATH: f"special/{article_id}.txt",
        "entities": {"organizations": [], "places": [], "people": []},
        schema.STORY: article_id,
    }


def articles() -> list[dict]:
    """The corpus: ``SIZE`` generated articles and three written for particular tests."""
    rng = random.Random(20221213)
    docs = [_document(n, rng) for n in range(SIZE)]
    docs.append(_special(
        SCRIPT_ID, SCRIPT_HEADLINE,
        'Zanzibarite <script>alert("body")</script> was found in <b>bold</b> & "quoted" text.\n\n'
        "A second paragraph about the zanzibarite find.",
        "2022-06-15",
    ))
    docs.append(_special(PHRASE_ID, "A new solar farm opens", "The solar farm opened near Baku today.",
                         "2022-06-16"))
    docs.append(_special(SCATTERED_ID, "Solar panels for every farm",
                         "Solar panels were installed on the farm roofs.", "2022-06-17"))
    return docs


def facet_values(doc: dict, facet: str) -> list[str]:
    """The values ``doc`` has for a facet of the URL (``country``, ``org``, ...)."""
    value = doc
    for part in FACETS_BY_NAME[facet].field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def has_word(doc: dict, word: str) -> bool:
    """Whether ``word`` appears as a whole word in the headline or body (the lede is the body's start)."""
    text = " ".join(doc.get(field) or "" for field in schema.TEXT_FIELDS)
    return re.search(rf"\b{re.escape(word)}\b", text, re.I) is not None


def load(client, alias: str, docs: list[dict] | None = None) -> str:
    """Create an index from the index contract behind ``alias``, load ``docs`` (default: the corpus) and
    refresh; the index name."""
    name = f"{alias}-corpus"
    body = schema.index_body()
    client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                          aliases={alias: {}})
    lines = []
    for doc in articles() if docs is None else docs:
        lines += [{"index": {"_index": name, "_id": doc[schema.ID]}}, doc]
    result = client.bulk(body=lines, refresh="true")
    assert not result["errors"], result
    return name
