"""Reading article files and parsing articles: plain text with a dateline, or JSON Lines records.

Everything here is a pure function of its input except ``iter_articles``, which walks files and folders and
streams what it finds, one ``Article`` or ``Skip`` at a time, without ever holding a corpus in memory.

A plain-text article is an optional header line `` date YYYY-MM-DD``, a dateline (``BAKU, Azerbaijan,
February 1.``, ``LONDON, March 3 -``, ``WASHINGTON (Reuters) -``), then paragraphs separated by blank lines
(or by indented lines, as in Reuters wire copy). The header may share its line with the dateline.

``published`` is never guessed silently: ``Article.published_rule`` says which rule gave it, and an article
whose year cannot be read from the header, the dateline or the text is a ``Skip`` with the reason "no date".
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

MAX_BYTES = 10 * 2**20
MAX_ID_BYTES = 512  # Elasticsearch's limit on a document _id


@dataclass(frozen=True)
class Article:
    """One parsed article, before enrichment (``dateline.indexer.enrich`` turns it into an index document)."""

    id: str | None  # given id (JSON Lines) or None; the final id is computed by enrich.article_id
    headline: str
    lede: str
    body: str  # the whole text, all paragraphs incl. the lede paragraph, dateline prefix removed
    published: str  # "YYYY-MM-DD"
    published_rule: str  # which rule gave the date, see PUBLISHED_RULES
    city: str | None
    country: str | None  # as the dateline says it (may be a US state such as "Calif."), or None
    source: str | None  # agency: "Trend", "Reuters", ...
    url: str | None
    path: str  # where it came from: "seeds/000_x.txt" or "dump.jsonl:12"
    entities: dict | None  # given entities (JSON Lines) or None
    encoding: str  # "utf-8", or the fallback used to decode ("cp1252", "latin-1")


@dataclass(frozen=True)
class Skip:
    """Input that gave no article, and why, in plain words."""

    path: str
    line: int | None  # line number in a JSON Lines file
    reason: str


PUBLISHED_RULES = {
    "given": "the published field of a JSON Lines record",
    "header": "the ` date YYYY-MM-DD` header line",
    "dateline": "a dateline that names the year (`LONDON, March 3, 1987 -`)",
    "dateline-year-from-text": "the dateline's month and day; the year of a date of that month in the text",
    "dateline-year-from-recent-date": "the dateline's month and day; the year that puts a date named in the "
                                      "text within the three months before it",
}

# --- text helpers -------------------------------------------------------------------------------------------

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH_NAMES = "January February March April May June July August September October November December".split()
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DASH = r"(?:--|[-\u2010-\u2015\u2212])"  # hyphen, en dash, em dash, minus and friends
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}|\t)")
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")


def _month(name: str) -> int:
    return _MONTH_NUMBERS[name[:3].lower()]


def _normalise_text(text: str) -> str:
    """NFC, Unix line ends, stray control characters removed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank or indented lines; hard line breaks inside a paragraph become spaces."""
    chunks = _PARAGRAPH_BREAK.split(text.strip())
    paragraphs = (_BLANKS.sub(" ", chunk.replace("\n", " ")).strip() for chunk in chunks)
    return [p for p in paragraphs if p]


# --- decoding -----------------------------------------------------------------------------------------------

def _is_binary(raw: bytes) -> bool:
    """NUL bytes, or mostly control characters, in the first 8 KB."""
    head = raw[:8192]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * 0.3


def _decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (BOM stripped), else cp1252, else latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "latin-1"


# --- header and dateline ------------------------------------------------------------------------------------

_HEADER = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{1,2}-\d{1,2})\b[ \t]*\n?", re.I)
_NAME = r"[^\W\d_][\w'’.]*(?:[ -][^\W\d_][\w'’.]*){0,3}"
_DATELINE = re.compile(
    rf"""[ \t]*
    (?P<city>{_NAME})
    (?:[ \t]*\((?P<agency>[^()\n]{{2,40}})\))?                  # WASHINGTON (Reuters)
    (?:,[ \t]*(?!{_MONTH}\b)(?P<country>{_NAME}))?              # , Azerbaijan  (never a month)
    (?:,?[ \t]*(?P<month>{_MONTH})\.?[ \t]+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b
       (?:,[ \t]*(?P<year>\d{{4}}))?)?                          # , February 1  /  , Feb 26, 1987
    (?:[ \t]*\((?P<agency2>[^()\n]{{2,40}})\))?                 # LONDON, March 3 (Reuters)
    [ \t]*(?P<end>{_DASH}|[.:](?=\s)|\n|\Z)[ \t]*
    (?:/(?P<agency3>[^/\n]{{2,30}})/\.?[ \t]*(?:{_DASH}[ \t]*)?)?  # MOSCOW, February 7. /TASS/.
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Dateline:
    city: str
    country: str | None
    month: int | None
    day: int | None
    year: int | None
    agency: str | None
    end: int  # where the text after the dateline starts


def _place_name(name: str) -> str:
    """Collapsed whitespace; an all-capitals name in title case ("NEW YORK" → "New York")."""
    name = " ".join(name.replace("’", "'").split())
    if name.isupper():
        name = re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), name.lower())
    return name


def _dateline(text: str) -> _Dateline | None:
    found = _DATELINE.match(text)
    if not found:
        return None
    city, month = found["city"], found["month"]
    agency = found["agency"] or found["agency2"] or found["agency3"]
    # A date or an agency makes it a dateline; "OPEC MEETS -" or "Analysts said:" is not one.
    if not city[0].isupper() or (month is None and agency is None):
        return None
    return _Dateline(
        city=_place_name(city),
        country=_place_name(found["country"]) if found["country"] else None,
        month=_month(month) if month else None,
        day=int(found["day"]) if found["day"] else None,
        year=int(found["year"]) if found["year"] else None,
        agency=" ".join(agency.split()) if agency else None,
        end=found.end(),
    )


# --- the year of a dateline date ----------------------------------------------------------------------------

# "December 3 and 7, 2022", "Feb 26, 1987", "December 12, 2022"
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?[ \t]+(\d{{1,2}})(?:st|nd|rd|th)?((?:[ \t]*(?:,|and|&|to|{_DASH})[ \t]*\d{{1,2}})*),?"
    rf"[ \t]+(\d{{4}})\b"
)
# "3 December 2022"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})[ \t]+({_MONTH})\.?,?[ \t]+(\d{{4}})\b")
_RECENT = timedelta(days=92)


def _dates_in(text: str) -> list[date]:
    """Every full date the text names, in order."""
    found = []
    for match in _MONTH_DAY_YEAR.finditer(text):
        month, year = _month(match[1]), int(match[4])
        for day in [match[2], *re.findall(r"\d{1,2}", match[3])]:
            found.append((match.start(), year, month, int(day)))
    for match in _DAY_MONTH_YEAR.finditer(text):
        found.append((match.start(), int(match[3]), _month(match[2]), int(match[1])))
    dates = []
    for _, year, month, day in sorted(found):
        try:
            dates.append(date(year, month, day))
        except ValueError:
            pass
    return dates


def _year_from_text(month: int, day: int, text: str) -> tuple[int, str] | None:
    """The year of a dateline's month and day, read from the full dates the text names, and the rule used.

    A full date in the same month gives its year ("December 3 and 7, 2022" for December 13), preferring days
    up to the dateline's day (already past when written). Otherwise a date that falls within the three months
    before the dateline date in exactly one candidate year gives that year ("December 12, 2022" for February 1
    gives 2023). Anything else is not a year worth trusting.
    """
    dates = _dates_in(text)
    same_month = [d for d in dates if d.month == month]
    if same_month:
        earlier = [d for d in same_month if d.day <= day] or same_month
        return max(d.year for d in earlier), "dateline-year-from-text"
    years = set()
    for mentioned in dates:
        for year in (mentioned.year, mentioned.year + 1):
            try:
                published = date(year, month, day)
            except ValueError:
                continue
            if timedelta(0) <= published - mentioned <= _RECENT:
                years.add(year)
    if len(years) == 1:
        return years.pop(), "dateline-year-from-recent-date"
    return None


def _iso_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _published_from_dateline(dateline: _Dateline | None, text: str) -> tuple[str, str] | str:
    """(published, rule) from the dateline and the text, or the reason there is none."""
    if dateline is None:
        return 'no date: no "published" field and no dateline'
    if dateline.month is None:
        return "no date: the dateline names no day and there is no date header"
    when = f"{_MONTH_NAMES[dateline.month - 1]} {dateline.day}"
    if dateline.year is not None:
        published = _iso_date(dateline.year, dateline.month, dateline.day)
        if published is None:
            return f"no date: the dateline gives {when}, {dateline.year}"
        return published, "dateline"
    found = _year_from_text(dateline.month, dateline.day, text)
    if found is None:
        return f"no date: the dateline gives {when} but no year can be read from the text"
    published = _iso_date(found[0], dateline.month, dateline.day)
    return (published, found[1]) if published else f"no date: the dateline gives {when}, {found[0]}"


# --- agency, headline, lede ---------------------------------------------------------------------------------

# Agencies credited by name in a lede; "(Agency)" in a dateline is taken whatever it says.
_AGENCIES = ("Trend", "Reuters", "AFP", "AP", "APA", "Interfax", "TASS", "ITAR-TASS", "Xinhua", "Anadolu",
             "AzerTac", "Azertac", "Sputnik", "RIA Novosti", "Kyodo", "UPI", "Bloomberg", "Dow Jones")
_AGENCY_NAMES = "|".join(re.escape(name) for name in sorted(_AGENCIES, key=len, reverse=True))
_CREDIT = re.compile(
    rf"\b(?:told|reports?|according to|quoted by|cited by)[ \t]+(?:the[ \t]+)?(?P<a>{_AGENCY_NAMES})\b"
    rf"|\b(?P<b>{_AGENCY_NAMES})(?:[ \t]+news[ \t]+agency)?[ \t]+(?:reports|reported|has learned)\b"
)
_CREDIT_CLAUSE = re.compile(
    rf",[ \t]*(?:{_AGENCY_NAMES})[ \t]+reports\.?$|,[ \t]*reports[ \t]+(?:{_AGENCY_NAMES})\.?$"
)

# Words that a full stop follows without ending a sentence (case matters: "No. 5" but "said no.").
_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr Prof St Sen Rep Gov Gen Col Lt Sgt Capt Cmdr Adm Jr Sr Inc Corp Ltd Co Bros No Nos vs etc "
    "approx Dept Univ Mt Ft Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Ala Ariz Ark Calif Colo Conn "
    "Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev Okla Ore Pa Penn Tenn Va Vt Wash "
    "Wis Wyo".split()
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]|\s*$)")
_HEADLINE_CHARS = 150
_LEDE_CHARS = 600
_DANGLING = frozenset("a an the of and or to in on at by for from with as".split())


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation (Mr., Dec., U.S., an initial), not a sentence."""
    # The word before the dot (``[\w.]*``), read backwards from it: a regex anchored at the end would rescan
    # the text before every dot, and a long paragraph of "Mr. Mr. ..." would take hours.
    start = dot
    while start and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    word = text[start:dot]
    return "." in word or (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def _sentences(text: str) -> Iterator[str]:
    """The sentences of a paragraph, not split after abbreviations."""
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if text[end.start()] == "." and _is_abbreviation(text, end.start()):
            continue
        yield text[start:end.end()].strip()
        start = end.end()
    if text[start:].strip():
        yield text[start:].strip()


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when cut."""
    if len(text) <= limit:
        return text
    words = text[:limit].split()[:-1] if not text[limit].isspace() else text[:limit].split()
    while len(words) > 1 and (words[-1].lower().strip(",;:") in _DANGLING or re.fullmatch(r"\W+", words[-1])):
        words.pop()
    return " ".join(words).rstrip(",;:([{–—-") + "…"


def _headline(lede: str) -> str:
    """The lede's first sentence without a trailing agency credit or full stop, at most ~150 characters."""
    sentence = next(_sentences(lede), lede)
    sentence = _CREDIT_CLAUSE.sub("", sentence)
    if sentence.endswith(".") and not _is_abbreviation(sentence, len(sentence) - 1):
        sentence = sentence[:-1]
    return _shorten(sentence, _HEADLINE_CHARS)


def _lede(paragraphs: list[str]) -> str:
    """The first paragraph; of a very long one (a text without paragraph breaks), its first sentences."""
    first = paragraphs[0]
    if len(first) <= _LEDE_CHARS:
        return first
    lede = ""
    for sentence in _sentences(first):
        if lede and len(lede) + len(sentence) >= _LEDE_CHARS:
            break
        lede = f"{lede} {sentence}".strip()
    return _shorten(lede, _LEDE_CHARS)


def _agency(dateline: _Dateline | None, lede: str) -> str | None:
    if dateline is not None and dateline.agency:
        return dateline.agency
    credit = _CREDIT.search(lede)
    return (credit["a"] or credit["b"]) if credit else None


# --- articles -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Text:
    """What the body of an article says about itself."""

    body: str
    lede: str
    headline: str
    dateline: _Dateline | None
    agency: str | None


def _read_body(text: str) -> _Text | str:
    """Dateline, paragraphs, lede, headline and agency of an article's text, or the reason it has none."""
    text = text.lstrip()
    dateline = _dateline(text)
    paragraphs = _paragraphs(text[dateline.end:] if dateline else text)
    if not paragraphs:
        return "no text after the dateline" if dateline else "empty text"
    lede = _lede(paragraphs)
    return _Text("\n\n".join(paragraphs), lede, _headline(lede), dateline, _agency(dateline, lede))


def parse_text(raw: bytes, path: str) -> Article | Skip:
    """A plain-text article file: optional ``date`` header, dateline, paragraphs."""
    if not raw.strip():
        return Skip(path, None, "empty file")
    if _is_binary(raw):
        return Skip(path, None, "binary file")
    text, encoding = _decode(raw)
    text = _normalise_text(text)
    if not text.strip():
        return Skip(path, None, "empty file")
    header = _HEADER.match(text)
    published = None
    if header:
        year, month, day = map(int, header[1].split("-"))
        published = _iso_date(year, month, day)
        if published is None:
            return Skip(path, None, f"impossible date in the header: {header[1]}")
        text = text[header.end():]
    parsed = _read_body(text)
    if isinstance(parsed, str):
        return Skip(path, None, parsed)
    if parsed.dateline is None:
        return Skip(path, None, "no dateline")
    if published is not None:
        rule = "header"
    else:
        found = _published_from_dateline(parsed.dateline, parsed.body)
        if isinstance(found, str):
            return Skip(path, None, found)
        published, rule = found
    return Article(
        id=None, headline=parsed.headline, lede=parsed.lede, body=parsed.body, published=published,
        published_rule=rule, city=parsed.dateline.city, country=parsed.dateline.country, source=parsed.agency,
        url=None, path=path, entities=None, encoding=encoding,
    )


def _given_text(record: dict, key: str) -> str | None:
    """A string field of a record, whitespace-trimmed; None when absent, null or blank."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key == "id":
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')
    value = _normalise_text(value).strip()
    return value or None


def _given_date(value: str) -> str:
    """The date of a given ``published`` ("2023-02-01" or a full ISO 8601 timestamp), or ValueError."""
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        raise ValueError(f'"published" is not a date: {value!r}') from None


def parse_record(record: dict, path: str, encoding: str = "utf-8") -> Article | Skip:
    """One JSON Lines record (already JSON-decoded). ``body`` is required; given fields are kept as given,
    missing ones are derived from the body as for text files. ``path`` names the file and line."""
    file, _, line = path.rpartition(":")
    where = (file, int(line)) if line.isdigit() and file else (path, None)
    if not isinstance(record, dict):
        return Skip(*where, f"not a JSON object but {type(record).__name__}")
    try:
        body = _given_text(record, "body")
        given = {key: _given_text(record, key) for key in ("id", "headline", "published", "source", "url")}
        if given["id"] and len(given["id"].encode()) > MAX_ID_BYTES:
            raise ValueError(f'"id" is longer than the {MAX_ID_BYTES} bytes Elasticsearch allows')
        published = _given_date(given["published"]) if given["published"] else None
        dateline = record.get("dateline") or {}
        if not isinstance(dateline, dict):
            raise ValueError('"dateline" must be an object with "city" and "country"')
        city, country = _given_text(dateline, "city"), _given_text(dateline, "country")
        entities = record.get("entities")
        if entities is not None and not (isinstance(entities, dict) and all(
                isinstance(v, list) and all(isinstance(x, str) for x in v) for v in entities.values())):
            raise ValueError('"entities" must be an object of lists of names')
    except ValueError as exc:
        return Skip(*where, str(exc))
    if body is None:
        return Skip(*where, 'no "body"')
    parsed = _read_body(body)
    if isinstance(parsed, str):
        return Skip(*where, parsed)
    rule = "given"
    if published is None:
        found = _published_from_dateline(parsed.dateline, parsed.body)
        if isinstance(found, str):
            return Skip(*where, found)
        published, rule = found
    return Article(
        id=given["id"], headline=given["headline"] or parsed.headline, lede=parsed.lede, body=parsed.body,
        published=published, published_rule=rule,
        city=_place_name(city) if city else parsed.dateline and parsed.dateline.city,
        country=_place_name(country) if country else parsed.dateline and parsed.dateline.country,
        source=given["source"] or parsed.agency, url=given["url"], path=path, entities=entities,
        encoding=encoding,
    )


# --- files and folders --------------------------------------------------------------------------------------

def _size(limit: int) -> str:
    if limit % 2**20 == 0:
        return f"{limit // 2**20} MB"
    return f"{limit // 1024} KB" if limit >= 1024 else f"{limit} bytes"


def _os_reason(exc: OSError, what: str) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "no such file or folder (or a broken symlink)"
    return f"cannot read {what}: {(exc.strerror or str(exc)).lower()}"


def _jsonl_lines(path: str, max_bytes: int) -> Iterator[Article | Skip]:
    opener = gzip.open if path.endswith(".gz") else open
    number = 0
    seen_any = False
    try:
        with opener(path, "rb") as stream:
            while True:
                raw = stream.readline(max_bytes + 1)
                if not raw:
                    break
                number += 1
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                        pass
                    seen_any = True
                    yield Skip(path, number, f"line larger than {_size(max_bytes)}")
                    continue
                if not raw.strip():
                    continue
                seen_any = True
                text, encoding = _decode(raw)
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Skip(path, number, f"broken JSON: {exc.msg} at column {exc.colno}")
                    continue
                except ValueError as exc:  # valid JSON Python refuses: a number of more than 4300 digits
                    yield Skip(path, number, f"unreadable JSON: {exc}")
                    continue
                except RecursionError:
                    yield Skip(path, number, "unreadable JSON: nested too deeply")
                    continue
                yield parse_record(record, f"{path}:{number}", encoding)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Skip(path, number + 1 if number else None, f"broken gzip data: {exc}")
        return
    except OSError as exc:
        yield Skip(path, number + 1 if number else None, _os_reason(exc, "file"))
        return
    if not seen_any:
        yield Skip(path, None, "empty file")


def _text_file(path: str, max_bytes: int) -> Article | Skip:
    try:
        with open(path, "rb") as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as exc:
        return Skip(path, None, _os_reason(exc, "file"))
    if len(raw) > max_bytes:
        return Skip(path, None, f"file larger than {_size(max_bytes)}")
    return parse_text(raw, path)


def _file(path: str, size: int, max_bytes: int) -> Iterator[Article | Skip]:
    name = os.path.basename(path)
    if name.endswith((".jsonl", ".jsonl.gz")):
        yield from _jsonl_lines(path, max_bytes)
    elif name.endswith(".txt") or "." not in name:
        if size > max_bytes:
            yield Skip(path, None, f"file larger than {_size(max_bytes)}")
        else:
            yield _text_file(path, max_bytes)
    else:
        stem, suffix = os.path.splitext(name)
        if suffix == ".gz":  # "reut2-000.sgm.gz" is a .sgm.gz
            suffix = os.path.splitext(stem)[1] + suffix
        yield Skip(path, None, f"unsupported file type ({suffix})")


def _walk(source: str, max_bytes: int) -> Iterator[Article | Skip]:
    """Everything under ``source``, depth first in sorted order. The folders being read are a stack of their
    listings rather than nested calls, so a folder tree of any depth streams without reaching Python's
    recursion limit."""
    listings = [iter([(source, frozenset())])]
    while listings:
        entry = next(listings[-1], None)
        if entry is None:
            listings.pop()
            continue
        path, ancestors = entry  # ancestors: (device, inode) of the folders above, to see symlink loops
        try:
            info = os.stat(path)
        except OSError as exc:
            yield Skip(path, None, _os_reason(exc, "file"))
            continue
        if stat.S_ISREG(info.st_mode):
            yield from _file(path, info.st_size, max_bytes)
            continue
        if not stat.S_ISDIR(info.st_mode):
            yield Skip(path, None, "not a regular file")
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in ancestors:
            yield Skip(path, None, "symlink loop (a folder that contains itself)")
            continue
        try:
            names = sorted(name for name in os.listdir(path) if not name.startswith("."))
        except OSError as exc:
            yield Skip(path, None, _os_reason(exc, "folder"))
            continue
        inside = ancestors | {identity}
        children = [name if path == os.curdir else os.path.join(path, name) for name in names]
        listings.append(iter([(child, inside) for child in children]))


def iter_articles(sources: Iterable[str | Path], max_bytes: int = MAX_BYTES) -> Iterator[Article | Skip]:
    """Stream every article of files and folders (recursively, deterministic sorted order), one at a time.

    Never holds the corpus in memory (JSON Lines is read line by line, ``.jsonl.gz`` too). ``.txt`` files and
    files without an extension are plain-text articles; ``.jsonl`` and ``.jsonl.gz`` are JSON Lines; other
    files are skipped as unsupported. Hidden files and folders (".name") inside folders are ignored. Symlink
    loops, unreadable files and folders and nonexistent paths become ``Skip`` records, never exceptions.
    """
    for source in sources:
        yield from _walk(os.path.normpath(source), max_bytes)
