"""Cursors: opaque tokens that continue a search past the first 10,000 results.

Elasticsearch pages with ``from`` and ``size`` only within ``index.max_result_window`` (10,000 results).
Past it, each page asks for the results after the sort values of the previous page's last result
(``search_after``). Every sort ends on the article id, so those values name one position exactly.

A cursor also names the index that served the previous page, when a rebuild made it (``<alias>-<20-digit UTC
timestamp>``), and later pages search that index instead of the alias. Such an index never changes once the
alias points at it (rebuilds write into a new index and then move the alias), so it is a point in time:
paging goes on through the same articles even while a rebuild moves the alias. (The point-in-time API would do
the same, but it needs X-Pack, which an OSS node lacks; an index that is never written to needs no such API.)
Any other index is not pinned: later pages search the alias.

The token is base64url of a small JSON array. It is opaque to users but not secret; ``decode`` checks
everything in it and refuses any index but the versions of the alias, so no cursor reaches another index.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from dataclasses import dataclass

from dateline import schema

from .params import ParamError, SearchParams

# What the sort values of each sort key look like in JSON: scores are numbers, dates epoch milliseconds.
_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "_score": (int, float), schema.PUBLISHED: (int,), schema.ID: (str,),
}
_VERSION = re.compile(r".+-\d{20}")  # the name of an index a rebuild made
_STALE = "this cursor belongs to another search: follow the Next link of the page you are on"
_NOT_A_CURSOR = "this is not a cursor of a results page: follow the page's Next link"


@dataclass(frozen=True)
class Cursor:
    index: str  # the version of the alias the results before this page came from, "" for the alias itself
    after: tuple  # the sort values of the last result before this page
    position: int  # how many results come before this page
    search: str  # fingerprint of the search it continues (``fingerprint``)


def fingerprint(params: SearchParams) -> str:
    """A short digest of what decides a search's results and their order."""
    return hashlib.blake2b(params.search_key().encode(), digest_size=8).hexdigest()


def pinned(index: str) -> str:
    """What a cursor names for the index a page came from: the index if a rebuild made it, else ``""``."""
    return index if _VERSION.fullmatch(index) else ""


def encode(cursor: Cursor) -> str:
    raw = json.dumps([cursor.index, list(cursor.after), cursor.position, cursor.search],
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode(token: str, params: SearchParams, alias: str, sort: list) -> Cursor:
    """The cursor ``token`` holds, checked against the search it is used with; ``ParamError`` naming
    ``after`` if it is not a cursor, belongs to another search or sort, or names an index that is not a
    version of ``alias``."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        index, after, position, search = json.loads(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise ParamError("after", _NOT_A_CURSOR) from None
    if search != fingerprint(params):
        raise ParamError("after", _STALE)
    if not (index == "" or isinstance(index, str) and schema.is_version(alias, index)):
        raise ParamError("after", "this cursor names no index of this archive")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ParamError("after", "this cursor holds no valid position")
    keys = [clause if isinstance(clause, str) else next(iter(clause)) for clause in sort]
    if not isinstance(after, list) or len(after) != len(keys) or not all(
            isinstance(value, _VALUE_TYPES[key]) and not isinstance(value, bool) and _in_range(value)
            for key, value in zip(keys, after, strict=True)):
        raise ParamError("after", _STALE)
    return Cursor(index, tuple(after), position, search)


def _in_range(value) -> bool:
    """Whether Elasticsearch accepts ``value`` as a sort key: a finite number within 64 bits, or text."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return True
