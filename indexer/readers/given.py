"""What structured sources give, in the shape ``jsonl.parse_record`` takes: shared by the XML and HTML readers."""

from __future__ import annotations

import email.utils
import re
from datetime import datetime

_BY = re.compile(r"^\s*by\s+", re.I)


def moment(value: str | None) -> str | None:
    """An ISO 8601 date or time stamp of a date the source gives in ISO 8601 (basic or extended) or RFC 822
    ("Wed, 01 Feb 2023 10:15:00 +0400", as in RSS); the offset kept. None when it is no date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    has_time = len(value) > 10 or "T" in value
    return parsed.isoformat() if has_time else parsed.date().isoformat()


def byline(value: str | None) -> str | None:
    """A byline without its leading "By"."""
    value = _BY.sub("", " ".join((value or "").split()))
    return value or None


def unique(values) -> list[str]:
    """Non-blank strings, whitespace collapsed, each once, in order."""
    cleaned = (" ".join(v.split()) for v in values if isinstance(v, str))
    return list(dict.fromkeys(v for v in cleaned if v))
