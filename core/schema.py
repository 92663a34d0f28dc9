"""The index contract: settings, analyzers, mappings and field names of the article index.

This module is the one source of truth for what an article looks like inside Elasticsearch. The indexer builds
indices from it, the service takes field names from it, and ``docs/querying.md`` documents it for analysts who
query the alias directly.

Analysis chain of the full-text fields (``headline``, ``lede``, ``body``):

1. ``quote_folding`` char filter: curly and typographic apostrophes and quotes become ``'`` and ``"``, so
   ``‘Gizilbulagh’``, ``'Gizilbulagh'`` and ``Gizilbulagh`` are one token.
2. ``standard`` tokenizer, English possessives removed (``Azerbaijan's`` → ``azerbaijan``), lowercase.
3. At search time only: English stop words (``the``, ``of``, ``to`` …) are dropped, so they neither match
   stray fragments nor count as words a query must match; the index keeps them. Then ``place_synonyms``
   (synonym_graph) from ``analysis/synonyms.txt`` and, behind it, ``analysis/place_spellings.txt`` (names of
   countries and large cities in other languages and scripts, from geographic data; ``spelling_rules``),
   inlined into the index settings at rebuild time, so no file has to exist on the Elasticsearch nodes and
   editing the file needs a rebuild but no re-parse.
4. ``accent_folding`` (asciifolding, original kept): ``qızılbulaq`` is indexed as both ``qızılbulaq`` and
   ``qizilbulaq``; a query in the exact spelling matches both tokens and ranks first.
5. English (Porter) stemming: ``peacekeepers`` → ``peacekeep``, ``protesting`` → ``protest``.

The ``skeleton`` sub-fields of ``headline`` and ``body`` find names in spellings nobody listed: each word
written as a name (``Shusha``, not ``SHUSHA`` or ``shusha``) is reduced to a transliteration skeleton
(``SKELETON_LETTERS``, then ``SKELETON_RULES``), so ``Schuscha``, ``Šuša``, ``Шуша`` and ``Shusha`` all
become ``hah``, and ``Kızılbulak``, ``Kyzylboulag`` and ``Gizilbulagh`` become ``kasalbalak``. Only such
words are indexed there (names, mostly). The service searches them when the words as written find no article
with every word, and a word counts there only where the article lacks the word itself.
Languages: Elasticsearch picks an analyzer per field, not per document, so the shared full-text fields above
hold every article's text with that chain (highlights, phrase suggestions and related articles work in every
language), and each non-English article's headline and body are indexed once more in a field of its language
(``LANGUAGE_TEXT``): Russian with Elasticsearch's ``russian`` stop words and stemmer (``протестов`` and
``протесты`` are one word), any other language with language-neutral folding only (lowercase, accents folded
with the original kept, no stemmer). Searches query the shared fields (``TEXT_FIELDS``) and the language
fields (``LANGUAGE_FIELDS``) as two alternatives, so one query finds articles in every language. ``language``
holds the ISO 639-1 code.

The ``autocomplete`` sub-fields (search as you type) fold quotes, lowercase, add every spelling the synonym
rules give (at index time), fold accents and index edge n-grams; their search analyzer only lowercases and
folds. So ``Gizil``, ``gizil``, ``‘Gizil`` and ``Qızıl`` all complete to 'Gizilbulagh' (``qızılbulaq`` is
one of its spellings).
"""

from __future__ import annotations

import re
from pathlib import Path

ANALYSIS_DIR = Path(__file__).with_name("analysis")
DEFAULT_SYNONYMS = ANALYSIS_DIR / "synonyms.txt"
# Spellings of countries, capitals and large cities from geographic data (generated, see
# ``dateline.indexer.enrich.spellings``); searched behind the operator's synonyms (``spelling_rules``).
PLACE_SPELLINGS = ANALYSIS_DIR / "place_spellings.txt"

# Field names. The service and the docs import these instead of spelling them again.
ID = "id"
HEADLINE = "headline"
LEDE = "lede"
BODY = "body"
PUBLISHED = "published"
PUBLISHED_RULE = "published_rule"
PUBLISHED_AT = "published_at"
BYLINE = "byline"
TOPICS = "topics"
LANGUAGE = "language"
CITY = "dateline.city"
COUNTRY = "dateline.country"
SOURCE = "source"
URL = "url"
PATH = "path"
ORGANIZATIONS = "entities.organizations"
PLACES = "entities.places"
PEOPLE = "entities.people"
STORY = "story"
# The living archive (``dateline index add``): the text's fingerprint, the time a correction replaced the
# article, and what story lookup needs of the first article of each story (MinHash band keys and signature).
BODY_HASH = "body_hash"
REVISED = "revised"
STORY_BANDS = "story_bands"
STORY_SIGNATURE = "story_signature"
# Phrase suggestions ("did you mean"): word 1–2-grams of the headline and the lede, copied there at index time
# (indexed, not stored). Shingles of the whole body cost more than the rest of the mapping beyond a plain one
# (bench/mapping.py, docs/querying.md), while a word worth suggesting is nearly always in some headline or lede:
# on the typo lists (bench/didyoumean.py) the corrections lead to the same searches as the body's did.
PHRASES = "phrases"
# Its longest shingle. Trigrams as well were a third of its tokens and changed no correction of either typo
# list of bench/didyoumean.py.
PHRASE_GRAMS = 2
# The sentence embedding of headline and lede (``dateline.embedding``): signed bytes, base64, read by the service
# as doc values of the lexical query's top hits (this node has no ``dense_vector``). The model that made the
# vectors is recorded in the index's ``_meta`` under ``EMBEDDING_META``; an index without that entry has no
# vectors to rank by.
VECTOR = "embedding"
EMBEDDING_META = "embedding"
RUSSIAN_TEXT = "text_by_language.russian"
FOLDED_TEXT = "text_by_language.folded"

# Full-text fields with the weight each carries in a search (``best_fields`` with a tie breaker, as BEIR's BM25
# baseline). BM25 already favours a word in a short headline over one in a long body; on top of that a
# headline weighs a little less than the body, chosen on SciFact's training queries, not its test queries
# (nDCG@10 0.686 at 1.2, 0.693 at 1.0, 0.700 at 0.8 and 0.7; bench/relevance.py scores the test queries).
# The lede is not searched: it is the body's first paragraph, so searching it counted those words twice.
TEXT_FIELDS = {HEADLINE: 0.8, BODY: 1.0}
# The weight of the name skeletons (``SKELETON`` sub-fields of the text fields) beside the words themselves.
NAME_WEIGHT = 0.2

# The field of each language's own analysis ("en" has none: the shared fields analyse English); every other
# language not listed here goes to FOLDED_TEXT. These hold headline and body together, indexed, not stored.
LANGUAGE_TEXT = {"ru": RUSSIAN_TEXT}
ENGLISH = "en"
# The language fields with the weight each carries in a search; a search queries them beside TEXT_FIELDS.
LANGUAGE_FIELDS = {RUSSIAN_TEXT: 1.0, FOLDED_TEXT: 1.0}
LANGUAGE_TEXT_OBJECT = "text_by_language"  # the object holding them: present on non-English articles only

# Sub-fields.
AUTOCOMPLETE = "autocomplete"  # edge n-grams of every spelling, accent and case insensitive: headline, facets
AUTOCOMPLETE_MAX_GRAM = 20
FOLDED = "folded"  # keyword lowercased and accent folded: facet value search
SKELETON = "skeleton"  # transliteration skeletons of capitalised words: names in any spelling
KEYWORD = "keyword"  # the exact headline, for sorting and terms lookups

QUOTE_FOLDING = [
    "\u2018=>'",  # ‘ left single quotation mark
    "\u2019=>'",  # ’ right single quotation mark / typographic apostrophe
    "\u201a=>'",  # ‚ single low-9 quotation mark
    "\u201b=>'",  # ‛ single high-reversed-9 quotation mark
    "\u2032=>'",  # ′ prime
    "\u00b4=>'",  # ´ acute accent used as an apostrophe
    "\u0060=>'",  # ` grave accent used as an apostrophe
    "\u02bc=>'",  # ʼ modifier letter apostrophe
    '\u201c=>"',  # “
    '\u201d=>"',  # ”
    '\u201e=>"',  # „
    '\u00ab=>"',  # «
    '\u00bb=>"',  # »
]


# Letters of the Azerbaijani, Turkish, Czech, Polish, Russian, Ukrainian and Azerbaijani Cyrillic alphabets as
# the digraphs an English-language writer would use; capitals stay capitals (only capitalised words are names).
SKELETON_LETTERS = {
    "Ə": "E", "ə": "e", "Ä": "E", "ä": "e", "ı": "i", "İ": "I", "Ş": "Sh", "ş": "sh", "Ç": "Ch", "ç": "ch",
    "Ğ": "Gh", "ğ": "gh", "X": "Kh", "x": "kh", "Q": "K", "q": "k",
    "Š": "Sh", "š": "sh", "Č": "Ch", "č": "ch", "Ž": "Zh", "ž": "zh", "Ż": "Zh", "ż": "zh", "Ś": "Sh", "ś": "sh",
    "Ć": "Ch", "ć": "ch", "Ź": "Zh", "ź": "zh", "Ł": "L", "ł": "l",
    "А": "A", "а": "a", "Б": "B", "б": "b", "В": "V", "в": "v", "Г": "G", "г": "g", "Д": "D", "д": "d",
    "Е": "E", "е": "e", "Ё": "Yo", "ё": "yo", "Ж": "Zh", "ж": "zh", "З": "Z", "з": "z", "И": "I", "и": "i",
    "Й": "Y", "й": "y", "К": "K", "к": "k", "Л": "L", "л": "l", "М": "M", "м": "m", "Н": "N", "н": "n",
    "О": "O", "о": "o", "П": "P", "п": "p", "Р": "R", "р": "r", "С": "S", "с": "s", "Т": "T", "т": "t",
    "У": "U", "у": "u", "Ф": "F", "ф": "f", "Х": "Kh", "х": "kh", "Ц": "Ts", "ц": "ts", "Ч": "Ch", "ч": "ch",
    "Ш": "Sh", "ш": "sh", "Щ": "Shch", "щ": "shch", "Ъ": "", "ъ": "", "Ы": "Y", "ы": "y", "Ь": "", "ь": "",
    "Э": "E", "э": "e", "Ю": "Yu", "ю": "yu", "Я": "Ya", "я": "ya",
    "І": "I", "і": "i", "Ї": "Yi", "ї": "yi", "Є": "Ye", "є": "ye", "Ґ": "G", "ґ": "g",
    "Ә": "E", "ә": "e", "Ғ": "Gh", "ғ": "gh", "Ҝ": "G", "ҝ": "g", "Ҹ": "J", "ҹ": "j", "Ј": "Y", "ј": "y",
    "Һ": "H", "һ": "h", "Ө": "O", "ө": "o", "Ү": "U", "ү": "u",
}

# The skeleton of a lowercased, ASCII-folded word: (Java regular expression, replacement), in order. Sounds that
# romanization systems spell differently become one letter: the j sounds (German dsch, Russian-style dzh, French
# dj), the hushing and guttural sounds (sh, ch, kh, zh and their German, Polish and ISO spellings, x, h), g/k/q,
# v/w and s/z; every vowel run is one vowel, doubled letters are one, and a word ends alike with or without a
# final vowel or a final guttural (Karabakh, Karabağ, Karabach).
SKELETON_RULES = [
    ("ph", "f"),
    ("dsch|dzh|dj", "j"),
    ("gh", "k"),
    ("szcz|shch|tsch|sch|tch|sz|cz|ch|sh|kh|zh|h", "h"),
    ("ck|q|g", "k"),
    ("w", "v"),
    ("z", "s"),
    ("(.)\\1+", "$1"),
    ("(?<=[aeiouy])j(?=[aeiouy]|$)", "y"),  # j as a vowel glide: Anastasija, Azerbajdžan
    ("[aeiouy]+", "a"),
    ("(.)\\1+", "$1"),
    ("(?<=.)h$", "k"),
    ("(?<=..)a$", ""),
]
SKELETON_MIN_LENGTH = 3  # shorter skeletons match too many unrelated words


def _skeleton_filters() -> dict:
    rules = {f"skeleton_rule_{i}": {"type": "pattern_replace", "pattern": pattern, "replacement": replacement}
             for i, (pattern, replacement) in enumerate(SKELETON_RULES, 1)}
    return {
        # Index side: words that are not written as names (a capital, then a small letter) become empty and
        # are dropped. Words in capitals are left out too: acronyms have no other spellings, and a headline
        # in capitals would put every one of its words among the names.
        "capitalised_only": {"type": "pattern_replace", "pattern": "^(?!\\p{Lu}\\p{Ll}).*", "replacement": ""},
        "skeleton_min_length": {"type": "length", "min": SKELETON_MIN_LENGTH},
        **rules,
    }


def _skeleton_analyzer(capitalised_only: bool) -> dict:
    first = ["english_possessive"] + (["capitalised_only"] if capitalised_only else [])
    rules = [f"skeleton_rule_{i}" for i in range(1, len(SKELETON_RULES) + 1)]
    # The length filter runs first and before the rules as well: no filter here lengthens a word (bar the
    # ASCII folding of a rare ligature), so a word too short (a third of all words; then most others, emptied
    # by ``capitalised_only``) is dropped before any regular expression runs on it.
    return {
        "type": "custom",
        "char_filter": ["skeleton_letters"],
        "tokenizer": "standard",
        "filter": ["skeleton_min_length", *first, "lowercase", "english_stop", "plain_folding",
                   "skeleton_min_length", *rules, "skeleton_min_length"],
    }


def read_synonyms(path: Path | str = DEFAULT_SYNONYMS) -> list[str]:
    """The synonym rules of an operator's file: one rule a line, blank lines and ``#`` comments dropped."""
    rules = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append(line)
    return rules


def spelling_rules(operator: list[str], places: list[str]) -> list[str]:
    """The search-time spelling rules: the operator's, each group extended by the place group of the same
    place (the place line whose first spelling, its English name, the operator's group holds), then the other
    place groups. A spelling the operator's rules hold belongs to the operator's group only: they win."""
    def spellings(rule: str) -> list[str]:
        return [s.strip().lower() for s in re.split(r",|=>", rule) if s.strip()]

    claimed = {s for rule in operator for s in spellings(rule)}
    extensions: dict[str, list[str]] = {}
    rules = []
    for rule in places:
        group = spellings(rule)
        if group[0] in claimed:
            extensions[group[0]] = group
            continue
        free = [s for s in group if s not in claimed]
        if len(free) > 1:
            rules.append(", ".join(free))
    merged = []
    for rule in operator:
        group = spellings(rule)
        if "=>" not in rule:
            extra = [s for name in group for s in extensions.get(name, ()) if s not in claimed]
            rule = ", ".join(dict.fromkeys([*group, *extra]))
        merged.append(rule)
    return merged + rules


def _analyzer(filters: list[str]) -> dict:
    """A text analyzer: quotes folded, the standard tokenizer, then ``filters``."""
    return {"type": "custom", "char_filter": ["quote_folding"], "tokenizer": "standard", "filter": filters}


def analysis(synonyms: list[str]) -> dict:
    """The ``analysis`` section of the index settings, with ``synonyms`` (the operator's) inlined: searches
    apply them with the place spellings (``spelling_rules``), autocomplete only them (it applies its rules at
    index time, and every spelling of every large city would weigh on each indexed headline)."""
    text_filters = ["english_possessive", "lowercase", "accent_folding", "english_stemmer"]
    return {
        "char_filter": {
            "quote_folding": {"type": "mapping", "mappings": QUOTE_FOLDING},
            # The quote folding and the letters in one pass over the text: their keys are apart and neither's
            # output is the other's input, so the text is the same as after the two filters in a row.
            "skeleton_letters": {"type": "mapping", "mappings": QUOTE_FOLDING + [
                f"{k}=>{v}" for k, v in SKELETON_LETTERS.items()]},
        },
        "filter": {
            "english_possessive": {"type": "stemmer", "language": "possessive_english"},
            "english_stemmer": {"type": "stemmer", "language": "english"},
            "russian_stop": {"type": "stop", "stopwords": "_russian_"},
            "russian_stemmer": {"type": "stemmer", "language": "russian"},
            # Search side only: dropping stop words from the index as well ranked worse (SciFact nDCG@10
            # 0.667 → 0.664, bench/relevance.py). Before the synonyms: a stop filter after synonym_graph would
            # cut holes in its graphs (so a spelling in synonyms.txt must not contain a stop word).
            "english_stop": {"type": "stop", "stopwords": "_english_"},
            "accent_folding": {"type": "asciifolding", "preserve_original": True},
            "plain_folding": {"type": "asciifolding", "preserve_original": False},
            "place_synonyms": {"type": "synonym_graph",
                               "synonyms": spelling_rules(synonyms, read_synonyms(PLACE_SPELLINGS))},
            # Autocomplete indexes every spelling of a place or name (the same synonym rules, applied at
            # index time), so a prefix of any spelling finds it: "Qızıl" finds 'Gizilbulagh'. Search tokens
            # are cut to the longest gram, so a long word typed in full still matches.
            "autocomplete_synonyms": {"type": "synonym", "synonyms": synonyms},
            "autocomplete_grams": {"type": "edge_ngram", "min_gram": 1, "max_gram": AUTOCOMPLETE_MAX_GRAM},
            "autocomplete_truncate": {"type": "truncate", "length": AUTOCOMPLETE_MAX_GRAM},
            "word_shingles": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": PHRASE_GRAMS,
                "output_unigrams": True,
            },
            **_skeleton_filters(),
        },
        "analyzer": {
            "dateline_text": _analyzer(text_filters),
            "dateline_search": _analyzer(text_filters[:2] + ["english_stop", "place_synonyms"] + text_filters[2:]),
            # Elasticsearch's ``russian`` analyzer, with the quote folding of the other text fields.
            "russian_text": _analyzer(["lowercase", "russian_stop", "russian_stemmer"]),
            "folded_text": _analyzer(["lowercase", "accent_folding"]),
            "autocomplete_index": _analyzer(
                ["lowercase", "autocomplete_synonyms", "plain_folding", "autocomplete_grams"]),
            "autocomplete_search": _analyzer(["lowercase", "plain_folding", "autocomplete_truncate"]),
            "skeleton_index": _skeleton_analyzer(capitalised_only=True),
            "skeleton_search": _skeleton_analyzer(capitalised_only=False),
            "shingles": _analyzer(["lowercase", "word_shingles"]),
        },
        "normalizer": {
            "facet": {"type": "custom", "char_filter": ["quote_folding"], "filter": []},
            "folded": {"type": "custom", "char_filter": ["quote_folding"], "filter": ["lowercase", "asciifolding"]},
        },
    }


def _text(offsets: bool = False, **extra) -> dict:
    """A full-text field; with ``offsets`` in its postings where the service highlights it, so the highlighter
    reads them instead of analysing the text again."""
    return {
        "type": "text",
        "analyzer": "dateline_text",
        "search_analyzer": "dateline_search",
        **({"index_options": "offsets"} if offsets else {}),
        **extra,
    }


# Term frequencies without positions: skeletons are matched word by word, never as phrases.
_SKELETON_FIELD = {"type": "text", "analyzer": "skeleton_index", "search_analyzer": "skeleton_search",
                   "index_options": "freqs"}

_AUTOCOMPLETE_FIELD = {
    "type": "text",
    "analyzer": "autocomplete_index",
    "search_analyzer": "autocomplete_search",
}
# The headline's: matched word by word (``match``, every word), never as a phrase, so no positions.
_HEADLINE_AUTOCOMPLETE_FIELD = {**_AUTOCOMPLETE_FIELD, "index_options": "freqs"}
# The facets': their values stored beside the field, because the service highlights them to tell which value of
# an article matches a prefix (``TermsFacet.aggregation``), one article per candidate value: from stored values
# the highlighter reads a few names instead of parsing the article's whole ``_source`` (autocomplete 5-6 times
# faster on 10,000 articles; 1 % more disk).
_FACET_AUTOCOMPLETE_FIELD = {**_AUTOCOMPLETE_FIELD, "store": True}


def _facet() -> dict:
    return {
        "type": "keyword",
        "normalizer": "facet",
        "ignore_above": 256,
        "fields": {
            # Only filtered on (``terms``), never aggregated or sorted: no doc values.
            FOLDED: {"type": "keyword", "normalizer": "folded", "ignore_above": 256, "doc_values": False},
            AUTOCOMPLETE: _FACET_AUTOCOMPLETE_FIELD,
        },
    }


# The version of this contract. Each index records the one it was built with in its ``_meta``, and
# ``dateline index add`` refuses to write into an index of another version: ``dateline index rebuild`` moves an
# archive to the current one. It goes up whenever the settings, the analysis (place_spellings.txt included) or
# the mappings change. 1 (unnumbered): phrase suggestions from the whole body, offsets in every text field.
# 2: phrase suggestions from headline and lede, offsets only where highlights are read. 3: the place spellings
# from geographic data searched behind the operator's synonyms. 4: the name skeletons without positions.
# 5: the same tokens for less work: no doc values in ``*.folded``, no positions in ``headline.autocomplete``,
# one character mapping pass for the name skeletons. 6: phrases of one and two words, not three; the name
# skeletons drop short words before any other filter. 7: the facets' ``*.autocomplete`` values stored.
CONTRACT_VERSION = 7
CONTRACT = "contract"  # its key in ``_meta``

MAPPINGS = {
    "dynamic": "strict",
    "_meta": {CONTRACT: CONTRACT_VERSION},
    # The language fields repeat the headline and body for their analysis; the source keeps them once.
    "_source": {"excludes": [LANGUAGE_TEXT_OBJECT]},
    "properties": {
        ID: {"type": "keyword"},
        HEADLINE: _text(
            offsets=True,
            copy_to=PHRASES,
            fields={
                KEYWORD: {"type": "keyword", "ignore_above": 512},
                AUTOCOMPLETE: _HEADLINE_AUTOCOMPLETE_FIELD,
                SKELETON: _SKELETON_FIELD,
            }
        ),
        LEDE: _text(copy_to=PHRASES),
        BODY: _text(offsets=True, fields={SKELETON: _SKELETON_FIELD}),
        # Only term frequencies: the phrase suggester reads no positions, and nothing scores this field. (Counting
        # documents only changed which corrections win: bench/didyoumean.py tuning 99 → 101, held-out 92 → 90.)
        PHRASES: {"type": "text", "analyzer": "shingles", "index_options": "freqs", "norms": False},
        PUBLISHED: {"type": "date", "format": "strict_date_optional_time"},
        PUBLISHED_RULE: {"type": "keyword"},
        PUBLISHED_AT: {"type": "date", "format": "strict_date_optional_time"},
        BYLINE: _text(fields={KEYWORD: {"type": "keyword", "ignore_above": 256}}),
        TOPICS: _facet(),
        LANGUAGE: _facet(),
        "dateline": {"properties": {"city": _facet(), "country": _facet()}},
        SOURCE: _facet(),
        URL: {"type": "keyword", "index": False},
        PATH: {"type": "keyword"},
        "entities": {"properties": {"organizations": _facet(), "places": _facet(), "people": _facet()}},
        STORY: {"type": "keyword"},
        BODY_HASH: {"type": "keyword"},
        REVISED: {"type": "date", "format": "strict_date_optional_time"},
        STORY_BANDS: {"type": "keyword"},
        STORY_SIGNATURE: {"type": "binary"},
        VECTOR: {"type": "binary", "doc_values": True},
        LANGUAGE_TEXT_OBJECT: {"properties": {
            "russian": {"type": "text", "analyzer": "russian_text"},
            "folded": {"type": "text", "analyzer": "folded_text"},
        }},
    },
}

# Beside the versions of an alias: the takedowns (ids taken down with ``dateline index delete``, which the
# article page answers with 410 Gone and rebuilds leave out) and the journal of writes (ids that ``add`` and
# ``delete`` changed and when, so a rebuild that ran meanwhile carries them into its new index).
TAKEDOWN_ID, TAKEN_DOWN = "id", "taken_down"
TAKEDOWN_MAPPINGS = {"dynamic": "strict", "properties": {TAKEDOWN_ID: {"type": "keyword"},
                                                          TAKEN_DOWN: {"type": "date"}}}
JOURNAL_MAPPINGS = {"dynamic": "strict", "properties": {
    "at": {"type": "date"}, "op": {"type": "keyword"}, "ids": {"type": "keyword", "index": False},
    "index": {"type": "keyword"}}}

# While a new index is loaded nobody searches it: no replicas, no refresh.
BULK_LOAD_SETTINGS = {"index": {"number_of_replicas": 0, "auto_expand_replicas": False, "refresh_interval": "-1"}}
# Once it serves: one replica wherever a second node exists, refreshed every second.
SERVING_SETTINGS = {"index": {"auto_expand_replicas": "0-1", "refresh_interval": "1s"}}


def index_body(synonyms: list[str] | None = None) -> dict:
    """Settings and mappings for a new article index (as created, i.e. ready for bulk loading)."""
    if synonyms is None:
        synonyms = read_synonyms()
    return {
        "settings": {
            "index": {"number_of_shards": 1, **BULK_LOAD_SETTINGS["index"]},
            "analysis": analysis(synonyms),
        },
        "mappings": MAPPINGS,
    }


def field_mapping(name: str) -> dict:
    """The mapping of a field given by its dotted name, sub-fields included (``headline.autocomplete``)."""
    node: dict = {"properties": MAPPINGS["properties"]}
    for part in name.split("."):
        children = {**node.get("properties", {}), **node.get("fields", {})}
        if part not in children:
            raise KeyError(name)
        node = children[part]
    return node


def takedowns_index(alias: str) -> str:
    return f"{alias}-takedowns"


def journal_index(alias: str) -> str:
    return f"{alias}-journal"


def is_version(alias: str, name: str) -> bool:
    """Whether ``name`` is one of the alias's versioned indices, ``<alias>-<20-digit UTC stamp>``, which
    rebuilds create and never write into again."""
    return re.fullmatch(rf"{re.escape(alias)}-\d{{20}}", name) is not None
