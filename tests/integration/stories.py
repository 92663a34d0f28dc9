"""A generated archive in which some stories have several versions, and the truth about it.

Thirty stories of one to four versions each, on three topics. Versions of a story share its story key, topic
and headline words but differ in agency, date and wording, as wire copies do. Deterministic (a fixed seed).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from dateline import schema

TOPICS = ["quarry", "orchard", "tunnel"]
SOURCES = ["Trend", "Reuters", "APA"]
COUNTRIES = ["Azerbaijan", "Georgia", "Armenia"]
_WORDS = ["officials", "residents", "engineers", "inspected", "reported", "announced", "the", "site", "near",
          "village", "works", "progress", "today", "local", "regional", "authorities", "expected", "finished"]


def articles() -> list[dict]:
    rng = random.Random(1213)
    docs = []
    for s in range(30):
        topic = TOPICS[s % len(TOPICS)]
        day = date(2022, 1, 1) + timedelta(days=rng.randrange(700))
        country = rng.choice(COUNTRIES)
        detail = " ".join(rng.sample(_WORDS, 8))
        for v in range(rng.choice([1, 1, 2, 3, 4])):
            body = (f"The {topic} story number {s} was covered again. {detail.capitalize()}.\n\n"
                    f"This is version {v} of it, filed by another desk with its own {rng.choice(_WORDS)} "
                    "wording.")
            docs.append({
                schema.ID: f"st{s:02d}v{v}",
                schema.HEADLINE: f"Story {s} about the {topic}, version {v}",
                schema.LEDE: body.split("\n\n")[0],
                schema.BODY: body,
                schema.PUBLISHED: (day + timedelta(days=v)).isoformat(),
                schema.PUBLISHED_RULE: "given",
                "dateline": {"city": None, "country": country},
                schema.SOURCE: rng.choice(SOURCES),
                schema.URL: None,
                schema.PATH: f"stories.jsonl:{len(docs) + 1}",
                "entities": {"organizations": [], "places": [], "people": []},
                schema.STORY: f"story-{s:02d}",
            })
    return docs


def versions(docs: list[dict]) -> Counter:
    """Story key → how many of ``docs`` are its versions."""
    return Counter(doc[schema.STORY] for doc in docs)
