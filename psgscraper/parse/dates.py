"""Reading the site's date lines: `Update 106. 30 November 2004` and its kin.

A date line may carry the number of the printed newsletter ("Update 106." or a
bare "106."), stray punctuation, a two-month issue ("May / April 2009") or the
CMS's placeholder for an empty date (Unix time 0). The common forms are read by
a regular expression; everything else goes to dateparser, configured never to
fill in missing parts from today's date. Results are cached because a listing
repeats the same date line on several items and across pages.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from .text import fold

DAY, MONTH, YEAR = "day", "month", "year"

# Problems a date line can have; None means the date was read.
PLACEHOLDER = "placeholder"
UNREADABLE = "unreadable"

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Unix time 0, as printed for an empty date in Europe (31 Dec 1969 west of UTC).
EPOCH_PLACEHOLDERS = {"1969-12-31", "1970-01-01"}

_MONTH = r"(?P<{}>[a-z]{{3,9}})\.?"
_NEWSLETTER_PREFIX = re.compile(
    r"""^[^\w]*                                   # stray punctuation
        (?:(?:peru\s+)?update\s*(?:no\.?\s*)?(?P<worded>\d{1,4})\s*[.:,;\-\u2013\u2014]?
          |(?P<bare>\d{1,4})\s*[.:;\-\u2013\u2014])         # "106." without the word
        \s*""",
    re.I | re.X,
)
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.I
)
_DAY_MONTH_YEAR = re.compile(
    r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.format("month") + r",?\s+"
    r"(?P<year>\d{4})$",
    re.I,
)
_MONTH_DAY_YEAR = re.compile(
    "^" + _MONTH.format("month") + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>\d{4})$",
    re.I,
)
_MONTH_YEAR = re.compile("^" + _MONTH.format("month") + r",?\s+(?P<year>\d{4})$", re.I)
_TWO_MONTHS = re.compile(
    "^"
    + _MONTH.format("first")
    + r"\s*(?:/|&|-|\u2013|and)\s*"
    + _MONTH.format("second")
    + r",?\s+(?P<year>\d{4})$",
    re.I,
)
_YEAR = re.compile(r"^(?P<year>\d{4})$")


@dataclass(frozen=True, slots=True)
class DateLine:
    """What a printed date line says.

    `date` is ISO (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) with its `precision`, or
    None with a `problem`: `placeholder` for the CMS's empty date, `unreadable`
    for a line that names no real date.
    """

    date: str | None
    precision: str | None
    update_number: int | None = None
    problem: str | None = None


def parse_date_line(line: str) -> DateLine:
    """Read a printed date line; never raises."""
    return _parse_folded(fold(line))


@lru_cache(maxsize=4096)
def _parse_folded(line: str) -> DateLine:
    rest, update_number = _peel_newsletter_number(line)
    rest = _strip_stray_punctuation(rest)
    date, precision = _read_date(rest)
    if date is None:
        return DateLine(None, None, update_number, UNREADABLE)
    if date in EPOCH_PLACEHOLDERS:
        return DateLine(None, None, update_number, PLACEHOLDER)
    return DateLine(date, precision, update_number)


def _peel_newsletter_number(line: str) -> tuple[str, int | None]:
    match = _NEWSLETTER_PREFIX.match(line)
    if match is None:
        return line, None
    rest = line[match.end() :]
    if match["bare"] and not re.search(r"[a-z]", rest, re.I):
        # "12. 2004" or "10.04.2017" is a date, not a newsletter number.
        return line, None
    return rest, int(match["worded"] or match["bare"])


def _strip_stray_punctuation(text: str) -> str:
    return re.sub(r"^[^\w]+|[^\w]+$", "", text)


def _read_date(text: str) -> tuple[str | None, str | None]:
    text = _WEEKDAY.sub("", text)
    fast = _read_common_form(text)
    if fast is not None:
        return fast
    return _read_with_dateparser(text)


def _read_common_form(text: str) -> tuple[str | None, str | None] | None:
    """The forms the site printed most; None means "ask dateparser"."""
    if match := _DAY_MONTH_YEAR.match(text) or _MONTH_DAY_YEAR.match(text):
        month = MONTHS.get(match["month"].lower())
        if month is None:
            return None
        return _iso_day(int(match["year"]), month, int(match["day"])), DAY
    if match := _MONTH_YEAR.match(text):
        month = MONTHS.get(match["month"].lower())
        if month is None:
            return None
        return f"{match['year']}-{month:02d}", MONTH
    if match := _TWO_MONTHS.match(text):
        first = MONTHS.get(match["first"].lower())
        second = MONTHS.get(match["second"].lower())
        if first is None or second is None:
            return None
        # A two-month issue is filed under its earlier month, in either order.
        return f"{match['year']}-{min(first, second):02d}", MONTH
    if match := _YEAR.match(text):
        return match["year"], YEAR
    return None


def _iso_day(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None  # 31 February: the printed date does not exist


_PERIODS = {"day": DAY, "week": DAY, "time": DAY, "month": MONTH, "year": YEAR}


def _read_with_dateparser(text: str) -> tuple[str | None, str | None]:
    if not text or len(text) > 60:
        return None, None
    data = _date_data_parser().get_date_data(text)
    if data.date_obj is None:
        return None, None
    precision = _PERIODS.get(data.period or "day", DAY)
    when = data.date_obj.date()
    if precision == YEAR:
        return f"{when.year:04d}", YEAR
    if precision == MONTH:
        return f"{when.year:04d}-{when.month:02d}", MONTH
    return when.isoformat(), DAY


@lru_cache(maxsize=1)
def _date_data_parser():
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["year"],
            "PARSERS": ["custom-formats", "absolute-time"],
        },
    )
