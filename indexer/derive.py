"""What an article's text says about itself: dateline, date, agency, headline, lede and paragraphs.

Every reader uses these rules for what its source leaves out. All functions are pure. ``published`` is never
guessed silently: ``published_from_dateline`` says which rule gave a date (``article.PUBLISHED_RULES``), or
"none". Datelines may be written in any language whose month names ``dates`` knows ("МОСКВА, 7 февраля (ТАСС)
-", "PARIS, 3 mars 2023 (AFP) -").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import DAY_FIRST, DAY_MONTH_YEAR, iso_date, month_number, path_date, path_year

# --- text helpers -------------------------------------------------------------------------------------------

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH_NAMES = "January February March April May June July August September October November December".split()
MONTH_PATTERN = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DASH = r"(?:--|[-\u2010-\u2015\u2212])"  # hyphen, en dash, em dash, minus and friends
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}|\t)")
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")


def _month(name: str) -> int:
    return _MONTH_NUMBERS[name[:3].lower()]


def normalise_text(text: str) -> str:
    """NFC, Unix line ends, stray control characters removed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank or indented lines; hard line breaks inside a paragraph become spaces."""
    chunks = _PARAGRAPH_BREAK.split(text.strip())
    paragraphs = (_single_spaced(chunk.replace("\n", " ")).strip() for chunk in chunks)
    return [p for p in paragraphs if p]


def _single_spaced(text: str) -> str:
    """Every run of blanks as one space. Most text has none but single spaces: ASCII without a tab or two
    spaces in a row is returned as it is, without a regular expression trying every character."""
    if text.isascii() and "\t" not in text and "  " not in text:
        return text
    return _BLANKS.sub(" ", text)


# --- dateline -------------------------------------------------------------------------------------------------

_NAME = r"[^\W\d_][\w'’.]*(?:[ -][^\W\d_][\w'’.]*){0,3}"
_DATELINE = re.compile(
    rf"""[ \t]*
    (?P<city>{_NAME})
    (?:[ \t]*\((?P<agency>[^()\n]{{2,40}})\))?                  # WASHINGTON (Reuters)
    (?:,[ \t]*(?!{MONTH_PATTERN}\b)(?P<country>{_NAME}))?              # , Azerbaijan  (never a month)
    (?:,?[ \t]*(?P<month>{MONTH_PATTERN})\.?[ \t]+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b
       (?:,[ \t]*(?P<year>\d{{4}}))?                            # , February 1  /  , Feb 26, 1987
     |,[ \t]*(?P<local>{DAY_MONTH_YEAR})\b)?                    # , 7 февраля  /  , 3 mars 2023
    (?:[ \t]*\((?P<agency2>[^()\n]{{2,40}})\))?                 # LONDON, March 3 (Reuters)
    [ \t]*(?P<end>{_DASH}|[.:](?=\s)|\n|\Z)[ \t]*
    (?:/(?P<agency3>[^/\n]{{2,30}})/\.?[ \t]*(?:{_DASH}[ \t]*)?)?  # MOSCOW, February 7. /TASS/.
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Dateline:
    city: str
    country: str | None
    month: int | None
    day: int | None
    year: int | None
    agency: str | None
    end: int  # where the text after the dateline starts


def place_name(name: str) -> str:
    """Collapsed whitespace; an all-capitals name in title case ("NEW YORK" → "New York", "İZMİR" → "İzmir")."""
    name = " ".join(name.replace("’", "'").split())
    if name.isupper():
        # Each word's first letter kept, the rest lowercased; a dotted capital İ inside a word is Turkish i
        # (str.lower would give i and a combining dot, which splits the word).
        name = re.sub(r"[^\W\d_]+", lambda m: m.group()[0] + m.group()[1:].replace("İ", "i").lower(), name)
    return name


def _dateline(text: str) -> Dateline | None:
    found = _DATELINE.match(text)
    if not found:
        return None
    city = found["city"]
    agency = found["agency"] or found["agency2"] or found["agency3"]
    if found["month"]:
        month, day, year = _month(found["month"]), found["day"], found["year"]
    elif found["local"]:  # day first, a month name of any language dateparser knows
        day, name, year = DAY_FIRST.fullmatch(found["local"]).groups()
        month = month_number(name)
        if month is None:
            return None
    else:
        month = day = year = None
    # A date or an agency makes it a dateline; "OPEC MEETS -" or "Analysts said:" is not one.
    if not city[0].isupper() or (month is None and agency is None):
        return None
    return Dateline(
        city=place_name(city),
        country=place_name(found["country"]) if found["country"] else None,
        month=month,
        day=int(day) if day else None,
        year=int(year) if year else None,
        agency=" ".join(agency.split()) if agency else None,
        end=found.end(),
    )


# --- the year of a dateline date ----------------------------------------------------------------------------

# "December 3 and 7, 2022", "Feb 26, 1987", "December 12, 2022"
_MONTH_DAY_YEAR = re.compile(
    rf"\b({MONTH_PATTERN})\.?[ \t]+(\d{{1,2}})(?:st|nd|rd|th)?((?:[ \t]*(?:,|and|&|to|{_DASH})[ \t]*\d{{1,2}})*),?"
    rf"[ \t]+(\d{{4}})\b"
)
# "3 December 2022"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})[ \t]+({MONTH_PATTERN})\.?,?[ \t]+(\d{{4}})\b")
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


def published_from_dateline(dateline: Dateline | None, text: str, path: str) -> tuple[str | None, str, str | None]:
    """(published, rule, note) from the dateline, the text and the file's path; published None and rule "none"
    when no rule gives a date. ``note`` says what an operator may want to check (a dateline date that does not
    exist), else None."""
    if dateline is not None and dateline.month is not None:
        when = f"{_MONTH_NAMES[dateline.month - 1]} {dateline.day}"
        if dateline.year is not None:
            published = iso_date(dateline.year, dateline.month, dateline.day)
            if published:
                return published, "dateline", None
            return None, "none", f"the dateline gives {when}, {dateline.year}, which does not exist"
        year = path_year(path)
        rule = "dateline-year-from-path"
        if year is None and (found := _year_from_text(dateline.month, dateline.day, text)):
            year, rule = found
        if year is not None:
            published = iso_date(year, dateline.month, dateline.day)
            if published:
                return published, rule, None
            return None, "none", f"the dateline gives {when}, {year}, which does not exist"
        return None, "none", None
    found = path_date(path)
    return (found, "path", None) if found else (None, "none", None)


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
    headline = _CREDIT_CLAUSE.sub("", sentence)
    if headline.endswith(".") and not _is_abbreviation(headline, len(headline) - 1):
        headline = headline[:-1]
    return _shorten(headline.strip() or sentence, _HEADLINE_CHARS)  # a lede of "." keeps it


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


def _agency(dateline: Dateline | None, lede: str) -> str | None:
    if dateline is not None and dateline.agency:
        return dateline.agency
    credit = _CREDIT.search(lede)
    return (credit["a"] or credit["b"]) if credit else None


# --- the whole text -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Derived:
    """What the body of an article says about itself."""

    body: str
    lede: str
    headline: str
    dateline: Dateline | None
    agency: str | None


def read_body(text: str) -> Derived | str:
    """Dateline, paragraphs, lede, headline and agency of an article's text, or the reason it has none."""
    text = text.lstrip()
    dateline = _dateline(text)
    paragraphs = _paragraphs(text[dateline.end:] if dateline else text)
    if not paragraphs:
        return "no text after the dateline" if dateline else "empty text"
    lede = _lede(paragraphs)
    return Derived("\n\n".join(paragraphs), lede, _headline(lede), dateline, _agency(dateline, lede))
