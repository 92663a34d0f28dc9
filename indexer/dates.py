"""Dates as archives write them: month names of many languages, ISO 8601, RFC 2822, epoch seconds, written
dates in any order, and dates in file paths. All functions are pure.

Month names come from dateparser's language data (its CLDR-based locales), not from a hand list. A date alone
stays a date ("2023-02-01"); a time of day is kept with its offset ("2023-02-01T10:00:00+04:00"). A date that
can be read two ways ("01/02/2023") is refused with the reason, never guessed.
"""

from __future__ import annotations

import email.utils
import functools
import re
from datetime import UTC, date, datetime

# Languages whose month names datelines, headers and given dates may use. A word that names different months
# in two of them is left out rather than guessed.
LANGUAGES = ("en", "ru", "uk", "az", "tr", "fr", "de", "es", "it", "pt", "nl")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")

MONTH_WORD = r"[^\W\d_]{3,12}"  # what a month name in any of LANGUAGES looks like; MONTHS says if it is one
# Day first, the order of most languages: "7 февраля", "3 mars 2023", "5. Mai 2020", "2 de octubre de 2019".
DAY_MONTH_YEAR = rf"(\d{{1,2}})\.?[ \t]+(?:de[ \t]+)?({MONTH_WORD})\.?(?:,?[ \t]+(?:de[ \t]+)?(\d{{4}}))?"
DAY_FIRST = re.compile(DAY_MONTH_YEAR)
_MONTH_DAY_YEAR = re.compile(rf"({MONTH_WORD})\.?[ \t]+(\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(\d{{4}})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
# A whole date as a header writes it; ``written_date`` reads it.
WRITTEN_DATE = (r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?P<separator>[/.-])\d{1,2}(?P=separator)\d{4}"
                rf"|\d{{1,2}}\.?[ \t]+(?:de[ \t]+)?{MONTH_WORD}\.?,?[ \t]+(?:de[ \t]+)?\d{{4}}"
                rf"|{MONTH_WORD}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}")
_EPOCH = re.compile(r"\d{9,11}(?:\.\d+)?")  # as a string: 1973 to 5138, never a bare year or "20230201"


def _month_key(word: str) -> str:
    return word.casefold().rstrip(".")


@functools.cache
def months() -> dict[str, int]:
    """Month name or abbreviation (casefolded, no final full stop) → month number, in every language of
    LANGUAGES. Loaded on first use: dateparser's data takes a moment to read."""
    from dateparser.languages import default_loader

    table: dict[str, int] = {}
    clashes = set()
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for number, key in enumerate(_MONTH_KEYS, 1):
            for name in info.get(key, []):
                word = _month_key(name)
                if len(word) >= 3 and table.setdefault(word, number) != number:
                    clashes.add(word)
    for word in clashes:
        del table[word]
    return table


def month_number(word: str) -> int | None:
    """The month a name means in any language of LANGUAGES ("février", "февраля", "Şubat", "Feb."), or None."""
    return months().get(_month_key(word))


def iso_date(year: int, month: int, day: int) -> str | None:
    """"YYYY-MM-DD", or None for a day that does not exist (February 30)."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _written(value: str) -> str | None:
    """ "February 1, 2023", "1 Feb 2023", "1 февраля 2023", "3. März 2023" as "YYYY-MM-DD", else None."""
    found = DAY_FIRST.fullmatch(value)
    if found and found[3]:
        day, month, year = found[1], found[2], found[3]
    elif found := _MONTH_DAY_YEAR.fullmatch(value):
        month, day, year = found[1], found[2], found[3]
    else:
        return None
    number = month_number(month)
    return iso_date(int(year), number, int(day)) if number else None


def _numeric(value: str) -> str | None:
    """ "25/12/2023" or "12/25/2023" (one reading only) as "YYYY-MM-DD"; ValueError when both are possible."""
    found = _NUMERIC.fullmatch(value)
    if not found:
        return None
    first, second, year = int(found[1]), int(found[3]), int(found[4])
    readings = {iso_date(year, month, day) for day, month in ((first, second), (second, first))} - {None}
    if len(readings) > 1:
        raise ValueError(f"{value!r} could be day/month or month/day")
    if not readings:
        raise ValueError(f"{value!r} is not a date")
    return readings.pop()


def written_date(value: str) -> str | None:
    """A date as a header or an archive writes it, without time: ISO ("2023-02-01"), written in any language of
    LANGUAGES in either order, or day.month.year. None when it is none of these or does not exist;
    ValueError when it is ambiguous ("01/02/2023")."""
    value = " ".join(value.split())
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
        return iso_date(*map(int, value.split("-")))
    return _written(value) or _numeric(value)


def given_published(value: object) -> tuple[str, str | None]:
    """(day, time stamp) of a ``published`` value as an archive gives it; ValueError with the reason when it
    cannot be read or can be read two ways. A date alone gives no time stamp; a time is kept with its offset
    (epoch seconds in UTC), the day being the day at that offset.

    ISO 8601 with or without time and offset, RFC 2822 ("Wed, 01 Feb 2023 10:00:00 +0400"), a written date in
    any order and language of LANGUAGES ("February 1, 2023", "1 Feb 2023"), numeric dates with only one
    reading, and epoch seconds (a JSON number or a string of digits).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f'"published" must be a string or epoch seconds, not {type(value).__name__}')
    text = str(value).strip()
    if not isinstance(value, str) or _EPOCH.fullmatch(text):
        try:
            moment = datetime.fromtimestamp(float(text), UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f'"published" is not a date: {text!r}') from None
        return moment.date().isoformat(), moment.isoformat()
    try:
        written = written_date(text)
    except ValueError as exc:
        raise ValueError(f'"published" is ambiguous: {exc}') from None
    if written:
        return written, None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueError(f'"published" is not a date: {text!r}') from None
    if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
        return moment.date().isoformat(), None
    return moment.date().isoformat(), moment.isoformat()


# A year as its own part of a path: "2005/…", "…/2005-08-18-title.txt", "news_2005.txt".
_PATH_YEAR = re.compile(r"(?:^|(?<=[/\\_. -]))((?:1[89]|2[01])\d\d)(?=$|[/\\_. -])")
_PATH_DATE = re.compile(r"(?:^|(?<=[/\\_. -]))((?:1[89]|2[01])\d\d)([/\\_-])(\d{1,2})\2(\d{1,2})(?=$|[/\\_. -])")


def path_year(path: str) -> int | None:
    """The year a file's path names, the one nearest the file name; None when it names none."""
    years = _PATH_YEAR.findall(path)
    return int(years[-1]) if years else None


def path_date(path: str) -> str | None:
    """The full date a file's path names ("2005/08/18/…", "2005-08-18-title.txt"), the one nearest the file
    name; None when it names none."""
    for year, _, month, day in reversed(_PATH_DATE.findall(path)):
        if found := iso_date(int(year), int(month), int(day)):
            return found
    return None
