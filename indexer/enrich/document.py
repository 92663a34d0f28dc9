"""The index document of an article: stable id, canonical dateline, entities and story key, nested as the
contract's mapping wants them."""

from __future__ import annotations

import base64
import hashlib
import os
from collections import Counter

from dateline import schema

from ..article import MAX_ID_BYTES, Article, file_and_line
from ..language import detect as detect_language
from .entities import entity_mentions, paragraph_mentions
from .gazetteer import ENTITY_KEYS, Entry, Gazetteer
from .names import fold_quotes, normalise_name
from .stories import Sketch


def article_id(article: Article, root: str | None = None) -> str:
    """The id an article keeps through corrections: the id the source gives, else its URL, else where it was
    read from (path, and line for JSON Lines) relative to ``root``, the ``--source`` it was found under.

    A corrected file keeps its path, so re-adding it replaces its document. An id longer than Elasticsearch
    allows becomes a hash of itself.
    """
    found = article.id or article.url or _relative(article.path, root)
    return found if len(found.encode()) <= MAX_ID_BYTES else \
        hashlib.blake2b(found.encode(), digest_size=20).hexdigest()


def _relative(path: str, root: str | None) -> str:
    """``path`` (``file`` or ``file:line``) relative to ``root`` (a folder, or the file itself), in / form."""
    if root is None:
        return path
    file, line = file_and_line(path)
    base = root if os.path.isdir(root) else os.path.dirname(root)
    relative = os.path.relpath(file, base or os.curdir).replace(os.sep, "/")
    return f"{relative}:{line}" if line else relative


def body_hash(article: Article) -> str:
    """A hash of the normalised body and the date (20 hex digits): the same text met twice, under another
    path or from another format, has the same hash."""
    return _body_hash(article.published, fold_quotes(article.body))


def _body_hash(published: str | None, folded_body: str) -> str:
    body = " ".join(folded_body.split())
    return hashlib.blake2b(f"{published or ''}\n{body}".encode(), digest_size=10).hexdigest()


MENTIONS = 2  # times a place or organisation is named to be one of the story, wherever it is named
ORG_PARAGRAPHS = 5  # an organisation named in the first paragraphs (the lead and its context) is one of the story

# --- the index document -------------------------------------------------------------------------------------

def _canonical_dateline(article: Article, gazetteer: Gazetteer) -> tuple[str | None, str | None, list[str]]:
    """(city, country, places the dateline names) in canonical form. A region in the country slot
    ("SAN MATEO, Calif.") gives its country; a missing or unknown country, the country of a known city."""
    city_entry = gazetteer.lookup(article.city) if article.city else None
    city = city_entry.name if city_entry else normalise_name(article.city) if article.city else None
    places = [city] if city else []
    country = None
    if article.country:
        entry = gazetteer.lookup(article.country)
        if entry is None:
            country = normalise_name(article.country)
        elif entry.kind == "country":
            country = entry.name
        else:
            places.append(entry.name)
            country = entry.country
    if city_entry and city_entry.country and (country is None or gazetteer.lookup(country) is None):
        country = city_entry.country
    if country:
        places.append(country)
    return city, country, places


def _canonical(name: str, gazetteer: Gazetteer) -> str:
    entry = gazetteer.lookup(name)
    return entry.name if entry else normalise_name(name)


def _merge(*lists: list[str]) -> list[str]:
    """Names in order, each once whatever its casing."""
    seen: dict[str, str] = {}
    for names in lists:
        for name in names:
            if name:
                seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _nest(fields: dict[str, object]) -> dict:
    """Dotted schema field names ("dateline.city") as nested objects."""
    document: dict = {}
    for name, value in fields.items():
        *parents, leaf = name.split(".")
        node = document
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return document


def _specific(entry: Entry, gazetteer: Gazetteer) -> bool:
    """A place named once is a place of the story when it is specific: a region, a smaller place, or a city
    that is not large ("protests near Shusha", but not "a London-based bank")."""
    return entry.kind not in ("country", "city") or entry.kind == "city" and entry.name not in gazetteer.large_cities


def _found_entities(article: Article, folded_body: str, gazetteer: Gazetteer) -> dict[str, list[str]]:
    """The entities of an article's text, as far as the story is about them (tuned on Reuters TRAIN against
    what its editors tagged; a name in passing, "the U.S. dollar", "the EC's", is not what a story is about):

    - people wherever they are named (except "the Reagan administration", see ``entities``);
    - organisations named in the headline, the first ``ORG_PARAGRAPHS`` paragraphs or at least twice;
    - countries and cities named in the headline or the lede or at least twice, and any region or smaller
      place or city that is not large; each with its country, as a dateline city brings its country.
    """
    in_headline = entity_mentions(article.headline, gazetteer)
    paragraphs = paragraph_mentions(folded_body, gazetteer)
    in_body = {key: Counter() for key in ENTITY_KEYS}
    for paragraph in paragraphs:
        for key in ENTITY_KEYS:
            in_body[key].update(paragraph[key])
    lead = {key: [name for p in paragraphs[:ORG_PARAGRAPHS] for name in p[key]] for key in ENTITY_KEYS}
    organisations = [name for name, count in in_body["organizations"].items()
                     if count >= MENTIONS or name in lead["organizations"]]
    places = [name for name, count in in_body["places"].items()
              if count >= MENTIONS or name in paragraphs[0]["places"] or _specific(gazetteer.lookup(name), gazetteer)]
    places = _merge(list(in_headline["places"]), places)
    return {
        "organizations": _merge(list(in_headline["organizations"]), organisations),
        "people": _merge(list(in_headline["people"]), list(in_body["people"])),
        "places": _merge(places, [entry.country for place in places
                                  if (entry := gazetteer.lookup(place)) and entry.country]),
    }


def _language(article: Article) -> str | None:
    """The article's language as ISO 639-1: the one its source declares ("fr-CA" is "fr"), else detected."""
    if article.language:
        return article.language.split("-")[0].split("_")[0].lower()
    return detect_language(article.body)


def _language_text(article: Article, language: str | None) -> dict[str, str]:
    """The article's text in the field of its language's analysis; nothing for English or an unknown language
    (the shared fields analyse those)."""
    if language is None or language == schema.ENGLISH:
        return {}
    return {schema.LANGUAGE_TEXT.get(language, schema.FOLDED_TEXT): f"{article.headline}\n\n{article.body}"}


def story_fields(story: str, starts: Sketch | None = None) -> dict:
    """The story fields of a document: its key, and the sketch of the story's first article (``starts``)."""
    return {
        schema.STORY: story,
        schema.STORY_BANDS: [str(band) for band in starts.bands] if starts else None,
        schema.STORY_SIGNATURE: base64.b64encode(starts.signature).decode() if starts else None,
    }


def to_document(article: Article, gazetteer: Gazetteer, story: str, doc_id: str | None = None,
                starts: Sketch | None = None) -> dict:
    """The index document of an article (the fields of ``schema.MAPPINGS``), ``story`` its story key, ``doc_id``
    its id (by default ``article_id`` without a root). ``starts``: the sketch of the article when it is the
    first of its story, stored so that articles added later can find the story. An undated article
    has no ``published``; its ``published_rule`` is "none"."""
    city, country, dateline_places = _canonical_dateline(article, gazetteer)
    folded_body = fold_quotes(article.body)  # for the entities and the body hash
    if article.entities is not None:
        entities = {key: _merge([_canonical(name, gazetteer) for name in article.entities.get(key, [])])
                    for key in ENTITY_KEYS}
    else:
        entities = _found_entities(article, folded_body, gazetteer)
    entities["places"] = _merge(dateline_places, [_canonical(name, gazetteer) for name in article.places],
                                entities["places"])
    language = _language(article)
    return _nest({
        schema.ID: doc_id or article_id(article),
        schema.HEADLINE: article.headline,
        schema.LEDE: article.lede,
        schema.BODY: article.body,
        schema.PUBLISHED: article.published,
        schema.PUBLISHED_RULE: article.published_rule,
        schema.PUBLISHED_AT: article.published_at,
        schema.BYLINE: article.byline,
        schema.TOPICS: list(article.topics),
        schema.CITY: city,
        schema.COUNTRY: country,
        schema.SOURCE: _canonical(article.source, gazetteer) if article.source else None,
        schema.URL: article.url,
        schema.PATH: article.path,
        schema.ORGANIZATIONS: entities["organizations"],
        schema.PLACES: entities["places"],
        schema.PEOPLE: entities["people"],
        **story_fields(story, starts),
        schema.BODY_HASH: _body_hash(article.published, folded_body),
        schema.LANGUAGE: language,
        **_language_text(article, language),
    })
