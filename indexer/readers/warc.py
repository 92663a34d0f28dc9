"""Web archives (``.warc``, ``.warc.gz``), read with warcio: every HTML response is an article page.

An HTML response is read as an HTML page (``html.parse_page``), its record's target URI standing in for a
URL and its date for a date when the page declares none. Other responses and resources (images, scripts,
PDFs, error pages) are skips, so the rebuild counts them; request, metadata and warcinfo records are the
crawl's bookkeeping and are passed over.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..article import Article, Skip
from .files import head, os_reason, size_text, skip_at
from .html import parse_page

if TYPE_CHECKING:
    from . import ReadOptions

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def looks_like(start: bytes) -> bool:
    return start.startswith(b"WARC/")


def _record(record, where: str, max_bytes: int) -> Article | Skip | None:
    if record.rec_type not in ("response", "resource"):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    kind = (http.get_header("Content-Type") if http else record.rec_headers.get_header("Content-Type")) or "?"
    if http and not http.get_statuscode().startswith("2"):
        return skip_at(where, f"HTTP {http.get_statuscode()} for {uri}")
    if kind.split(";")[0].strip().lower() not in _HTML_TYPES:
        return skip_at(where, f"not an HTML page: {kind.split(';')[0]} ({uri})")
    raw = record.content_stream().read(max_bytes + 1)
    if len(raw) > max_bytes:
        return skip_at(where, f"page larger than {size_text(max_bytes)} ({uri})")
    return parse_page(raw, where, url=uri, date=record.rec_headers.get_header("WARC-Date"))


def read(path: str, options: ReadOptions) -> Iterator[Article | Skip]:
    if not looks_like(head(path, 5)):
        yield Skip(path, None, "not a WARC file: it does not start with WARC/")
        return
    number = contents = 0
    try:
        with open(path, "rb") as stream:  # warcio reads plain and gzipped WARCs alike
            for number, record in enumerate(ArchiveIterator(stream), 1):
                found = _record(record, f"{path}:{number}", options.max_bytes)
                if found is not None:
                    contents += 1
                    yield found
    except ArchiveLoadFailed as exc:
        yield Skip(path, number + 1 if number else None, f"not a WARC file: {str(exc).splitlines()[0]}")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Skip(path, number + 1 if number else None, f"broken gzip data: {exc}")
    except OSError as exc:
        yield Skip(path, number + 1 if number else None, os_reason(exc, "file"))
    else:
        if contents == 0:  # warcio ends quietly where a file is cut short
            yield Skip(path, None, f"no response records in {number} records (an empty or truncated WARC)")


def count(path: str) -> int:
    return 1
