"""The date lines the mirror prints, each with what it means (SITE.md, "The date line").

Every function returns a `DateLine`: the text as printed and the date, precision
and "Peru Update" number an archive should read from it. The mirror writes the
text into its pages and the meaning into `expected.jsonl`, so the meaning is
worked out here from the calendar, never by reading the text back.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# "Peru Update" 102 covered February and March 2004; one issue every two months
# (106 in November 2004, 133 in April/May 2009, 134 in June/July 2009).
_FIRST_ISSUE = (2004, 2, 102)


class DateLine(NamedTuple):
    text: str
    date: str | None
    precision: str | None
    update_number: int | None = None


def day_text(day: datetime.date, padded: bool) -> str:
    """`9 September 2018`, or `09 September 2018` as the site printed in 2013-2018."""
    number = f"{day.day:02d}" if padded else str(day.day)
    return f"{number} {MONTH_NAMES[day.month - 1]} {day.year}"


def plain(day: datetime.date, padded: bool) -> DateLine:
    return DateLine(day_text(day, padded), day.isoformat(), "day")


def stray_punctuation(day: datetime.date, padded: bool) -> DateLine:
    """`. 10 April 2017`: the CMS left a separator before the date."""
    return DateLine(". " + day_text(day, padded), day.isoformat(), "day")


def update_issue(day: datetime.date, padded: bool, worded: bool = True) -> DateLine:
    """`Update 106. 30 November 2004`, or `106. 30 November 2004` without the word."""
    number = update_number(day)
    prefix = f"Update {number}. " if worded else f"{number}. "
    return DateLine(prefix + day_text(day, padded), day.isoformat(), "day", number)


def two_month_issue(
    day: datetime.date, upper: bool = False, reverse: bool = False
) -> DateLine | None:
    """`UPDATE 133. May / April 2009`: an issue named by its two months.

    The archive files it under the earlier month. None for the December/January
    issue, which the site never printed in this form (its months span two years).
    """
    first, second = issue_months(day)
    if first.year != second.year:
        return None
    number = update_number(day)
    months = [MONTH_NAMES[first.month - 1], MONTH_NAMES[second.month - 1]]
    if reverse:
        months.reverse()
    word = "UPDATE" if upper else "Update"
    text = f"{word} {number}. {months[0]} / {months[1]} {first.year}"
    return DateLine(text, f"{first.year}-{first.month:02d}", "month", number)


def placeholder(which: int, padded: bool) -> DateLine:
    """The CMS's empty date, printed as Unix time 0: the date is unknown."""
    if which == 0:
        return DateLine("31 December 1969", None, None)
    return DateLine(day_text(datetime.date(1970, 1, 1), padded), None, None)


def update_number(day: datetime.date) -> int:
    """The number of the "Peru Update" issue current at `day`."""
    year, month, number = _FIRST_ISSUE
    return number + _months_between(year, month, day) // 2


def issue_months(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first days of the two months the issue current at `day` covers."""
    year, month, _ = _FIRST_ISSUE
    issues = _months_between(year, month, day) // 2
    first = year * 12 + month - 1 + 2 * issues
    return _month_start(first), _month_start(first + 1)


def _months_between(year: int, month: int, day: datetime.date) -> int:
    return (day.year * 12 + day.month) - (year * 12 + month)


def _month_start(index: int) -> datetime.date:
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1)
