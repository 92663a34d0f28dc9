"""A fixed set of realistic searches, drawn (seeded) from the articles a benchmark loaded.

Each search is the query string a person's browser would send, as (name, value) pairs; the mix follows what
readers of a news archive do: words from headlines, quoted phrases, facet selections (alone and with words),
date ranges and the newest/oldest sorts, and the occasional second page. Every word, phrase, facet value and
date comes from an article that is in the index, so almost every search finds something.

The same searches go to all three targets of the latency benchmark: the service's JSON API and HTML page take
the query string; Elasticsearch gets the requests the service sends for it (``bench.latency``).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from dateline import schema
from dateline.indexer.article import Article
from dateline.indexer.enrich.document import to_document
from dateline.indexer.enrich.gazetteer import load_gazetteer
from dateline.indexer.readers import iter_articles
from dateline.service.facets import FACETS_BY_NAME
from dateline.service.stored import field_value

COUNT = 300
SAMPLE = 3000  # articles the searches are drawn from
SEED = 7

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_STOP = frozenset("""about after again against also among been before being between both could does doing down
during each from further have having here into just more most once only other over same should some such than
that their them then there these they this those through under until very were what when where which while who
whom will with would your says said reply subject""".split())


def _words(headline: str) -> list[str]:
    headline = re.sub(r"^(re|fwd?):\s*", "", headline, flags=re.I)
    return [w.lower() for w in _WORD.findall(headline) if w.lower() not in _STOP]


def _values(document: dict, facet: str) -> list[str]:
    value = field_value(document, FACETS_BY_NAME[facet].field)
    return [value] if isinstance(value, str) else list(value or [])


def _facet_values(documents: list[dict]) -> dict[str, list[str]]:
    """The 30 most frequent values of each facet: the ones a reader sees listed and ticks."""
    counters = {facet: Counter() for facet in FACETS_BY_NAME}
    for document in documents:
        for facet, counter in counters.items():
            counter.update(_values(document, facet))
    return {facet: [v for v, _ in counter.most_common(30)] for facet, counter in counters.items() if counter}


def _one(rng: random.Random, document: dict, facets: dict[str, list[str]]) -> list[tuple[str, str]]:
    words = _words(document[schema.HEADLINE]) or _words(document[schema.LEDE][:200]) or ["news"]
    kind = rng.choices(["words", "phrase", "facet+words", "facet", "dates", "sorted"],
                       weights=[30, 15, 20, 10, 15, 10])[0]
    if kind == "phrase" and len(words) >= 2:
        start = rng.randrange(len(words) - 1)
        pairs = [("q", f'"{words[start]} {words[start + 1]}"')]
    elif kind == "facet":
        name = rng.choice(sorted(facets))
        pairs = [(name, v) for v in rng.sample(facets[name], k=min(len(facets[name]), rng.choice([1, 1, 2])))]
    else:
        pairs = [("q", " ".join(rng.sample(words, k=min(len(words), rng.choice([1, 1, 2])))))]
    own = {facet: _values(document, facet) for facet in FACETS_BY_NAME}
    own = {facet: values for facet, values in own.items() if values}
    if kind == "facet+words" and own:  # a value of the article itself, as a reader ticks one the results list
        name = rng.choice(sorted(own))
        pairs.append((name, rng.choice(own[name])))
    if kind == "dates":
        published = date.fromisoformat(document[schema.PUBLISHED])
        days = rng.choice([7, 30, 90, 365])
        pairs += [("from", (published - timedelta(days=days // 2)).isoformat()),
                  ("to", (published + timedelta(days=days - days // 2)).isoformat())]
    if kind == "sorted" or rng.random() < 0.1:
        pairs.append(("sort", rng.choice(["newest", "oldest"])))
    if rng.random() < 0.05:
        pairs.append(("page", "2"))
    return pairs


def sample(articles_file: Path, size: int, rng: random.Random) -> list[Article]:
    """A uniform random sample of the file's articles (reservoir sampling: one pass, ``size`` held)."""
    sample: list[Article] = []
    seen = 0
    for article in iter_articles([str(articles_file)]):
        if not isinstance(article, Article):
            continue
        seen += 1
        if len(sample) < size:
            sample.append(article)
        elif (slot := rng.randrange(seen)) < size:
            sample[slot] = article
    return sample


def make_queries(articles_file: Path, count: int = COUNT, seed: int = SEED) -> list[list[tuple[str, str]]]:
    """``count`` distinct searches drawn from a sample of the articles of ``articles_file``.

    The sample goes through the indexer's own enrichment, so words, dates and facet values are the ones in
    the index (entities included).
    """
    rng = random.Random(seed)
    gazetteer = load_gazetteer()
    documents = [to_document(a, gazetteer, story="") for a in sample(articles_file, SAMPLE, rng)]
    facets = _facet_values(documents)
    searches: dict[tuple, list[tuple[str, str]]] = {}
    while len(searches) < count:
        pairs = _one(rng, rng.choice(documents), facets)
        searches.setdefault(tuple(pairs), pairs)
    return list(searches.values())
