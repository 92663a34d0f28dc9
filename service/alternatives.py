"""When a search finds nothing: what to try instead, each offered only when it finds something.

In this order: the words with their spelling corrected, the same search without each active filter (with the
number of articles it finds), and the words joined by OR instead of AND. One request answers all of them, and
it is sent only when a search finds nothing, so a search that finds something stays one round trip.

The correction comes from a phrase suggester over the word shingles of headlines and ledes. Its ``collate`` runs each
candidate as a search of the full-text fields with the same filters and keeps only those that find articles.
The filters reach the collate template as a parameter, so no value a user typed is ever read as template
syntax. Corrections are of the words only: quotes, exclusions and other operators are not carried over.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from dateline import schema

from .params import MAX_Q_LENGTH, SearchParams
from .query import OPERATOR_WORDS, TERM, filter_clauses, full_text_query, match_query, plain_words

_SUGGESTION = "{{suggestion}}"  # where the collate template puts each candidate
_FILTERS = "@filters@"  # stands for the filters until the template text is made
_PLAIN_WORD = re.compile(r'[^\s"|+\-()][^\s"|()]*')

FILTER_PATH = "aggregations.*.doc_count,suggest.spelling.options.text"


def any_of_the_words(q: str) -> str | None:
    """``q`` with OR between its words and quoted phrases, if it has several and no other operators."""
    terms = TERM.findall(q)
    plain = q.count('"') % 2 == 0 and all((term.startswith('"') and term.endswith('"') and len(term) > 2)
                or (_PLAIN_WORD.fullmatch(term) and term not in OPERATOR_WORDS) for term in terms)
    return " OR ".join(terms) if plain and len(terms) > 1 else None


def _collate(params: SearchParams) -> dict:
    template = json.dumps({"bool": {"must": [full_text_query(_SUGGESTION)], "filter": _FILTERS}})
    template = template.replace(json.dumps(_FILTERS), "{{#toJson}}filters{{/toJson}}")
    return {"query": {"source": template}, "params": {"filters": filter_clauses(params)}, "prune": False}


class Alternatives:
    """The alternatives to a search that found nothing: ``request()`` asks Elasticsearch about all of them,
    ``view()`` lists those that find something."""

    def __init__(self, params: SearchParams):
        self.params = params
        self.words = plain_words(params.q)
        # (kind, text shown, the search it stands for)
        self.alternatives: list[tuple[str, str, SearchParams]] = []
        self.alternatives += [("without_filter", text, without) for text, without in params.restrictions()]
        any_word = any_of_the_words(params.q)
        if any_word and len(any_word) <= MAX_Q_LENGTH:  # a longer query would be refused
            self.alternatives.append(("any_word", any_word, params.with_q(any_word)))

    def request(self) -> dict | None:
        """Keyword arguments for ``Elasticsearch.search``, or ``None`` when there is nothing to try."""
        if not (self.words or self.alternatives):
            return None
        request: dict = {
            "size": 0,
            "track_total_hits": False,
            "aggs": {f"alternative{i}": {"filter": match_query(params)}
                     for i, (_, _, params) in enumerate(self.alternatives)},
        }
        if self.words:
            request["suggest"] = {"text": self.words, "spelling": {"phrase": {
                "field": schema.PHRASES,
                "size": 3,
                "gram_size": schema.PHRASE_GRAMS,
                "max_errors": 2,
                "direct_generator": [{"field": schema.PHRASES, "suggest_mode": "always",
                                      "min_word_length": 3}],
                "collate": _collate(self.params),
            }}}
        return request

    def view(self, answer: dict, search_url: Callable[[SearchParams], str]) -> list[dict]:
        """``[{"kind": "spelling" | "without_filter" | "any_word", "text", "count", "url"}]`` in the order to
        offer them; a correction's count is not known (``None``), the others' are above zero."""
        offers = []
        words = self.words.lower()
        for entry in answer.get("suggest", {}).get("spelling", []):
            corrected = next((o["text"] for o in entry.get("options", []) if o["text"] != words), None)
            if corrected:
                offers.append({"kind": "spelling", "text": corrected, "count": None,
                               "url": search_url(self.params.with_q(corrected))})
        aggs = answer.get("aggregations", {})
        for i, (kind, text, params) in enumerate(self.alternatives):
            count = aggs.get(f"alternative{i}", {}).get("doc_count", 0)
            if count:
                offers.append({"kind": kind, "text": text, "count": count, "url": search_url(params)})
        return offers
