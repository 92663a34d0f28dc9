"""A stored article read back: the one place that turns an indexed document into what the views, feeds and
exports show (headline, dateline, entities, paragraphs).

Searches fetch only the fields they need, so every field may be absent; absent lists read as empty.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from dateline import schema

UNTITLED = "(untitled)"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def field_value(source: dict, dotted: str):
    """The value of a dotted field name (``dateline.city``) in a document, ``None`` where absent."""
    value = source
    for part in _parts(dotted):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@functools.lru_cache(maxsize=64)
def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of an article's text: its non-blank lines, stripped."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


@dataclass(slots=True)  # built for every hit of every page: no frozen checks
class StoredArticle:
    id: str
    headline: str | None = None  # as stored; ``title`` is what to show
    lede: str | None = None
    body: str | None = None
    published: str | None = None
    published_at: str | None = None  # with the time and offset, when the source gave a time
    byline: str | None = None
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    revised: str | None = None  # when a corrected text replaced it
    city: str | None = None
    country: str | None = None
    source: str | None = None
    url: str | None = None  # where it was first published
    path: str | None = None
    story: str | None = None
    organizations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)

    @classmethod
    def from_source(cls, source: dict, default_id: str | None = None) -> StoredArticle:
        """The article of a document's ``_source``; ``default_id`` (the hit's ``_id``) when it has no id."""
        return cls(
            id=source.get(schema.ID) or default_id,
            headline=source.get(schema.HEADLINE),
            lede=source.get(schema.LEDE),
            body=source.get(schema.BODY),
            published=source.get(schema.PUBLISHED),
            published_at=source.get(schema.PUBLISHED_AT),
            byline=source.get(schema.BYLINE),
            language=source.get(schema.LANGUAGE),
            topics=source.get(schema.TOPICS) or [],
            revised=source.get(schema.REVISED),
            city=field_value(source, schema.CITY),
            country=field_value(source, schema.COUNTRY),
            source=source.get(schema.SOURCE),
            url=source.get(schema.URL),
            path=source.get(schema.PATH),
            story=source.get(schema.STORY),
            organizations=field_value(source, schema.ORGANIZATIONS) or [],
            places=field_value(source, schema.PLACES) or [],
            people=field_value(source, schema.PEOPLE) or [],
        )

    @property
    def title(self) -> str:
        return self.headline or UNTITLED

    @property
    def dateline(self) -> dict:
        return {"city": self.city, "country": self.country}

    @property
    def place(self) -> str:
        """``Yerevan, Armenia``: the dateline in words (empty if it has none)."""
        return ", ".join(value for value in (self.city, self.country) if value)

    @property
    def entities(self) -> dict:
        return {"organizations": self.organizations, "places": self.places, "people": self.people}

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body)
