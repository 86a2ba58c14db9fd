"""Date lines: every form SITE.md lists, and the ones an archive of this age meets."""

import pytest

from psgscraper.parse.dates import PLACEHOLDER, UNREADABLE, DateLine, parse_date_line


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        # The forms published on the real site (SITE.md).
        ("16 September 2018", DateLine("2018-09-16", "day")),
        ("1 April 2019", DateLine("2019-04-01", "day")),
        (". 10 April 2017", DateLine("2017-04-10", "day")),
        ("Update 106. 30 November 2004", DateLine("2004-11-30", "day", 106)),
        ("102. 29 February 2004", DateLine("2004-02-29", "day", 102)),
        ("UPDATE 133. May / April 2009", DateLine("2009-04", "month", 133)),
        ("Update 134. June / July 2009", DateLine("2009-06", "month", 134)),
        ("31 December 1969", DateLine(None, None, None, PLACEHOLDER)),
        ("1 January 1970", DateLine(None, None, None, PLACEHOLDER)),
        # Forms an archive of this kind also meets.
        ("09 September 2018", DateLine("2018-09-09", "day")),
        ("30th November 2004", DateLine("2004-11-30", "day")),
        ("1st March 2005", DateLine("2005-03-01", "day")),
        ("Nov 2004", DateLine("2004-11", "month")),
        ("Sept. 2004", DateLine("2004-09", "month")),
        ("November 2004", DateLine("2004-11", "month")),
        ("November 30, 2004", DateLine("2004-11-30", "day")),
        ("2004", DateLine("2004", "year")),
        ("16 September 2018   ", DateLine("2018-09-16", "day")),
        ("16\u00a0September\u00a02018\u00a0", DateLine("2018-09-16", "day")),
        ("  \n16 September\n 2018 ", DateLine("2018-09-16", "day")),
        ("Monday 16 September 2018", DateLine("2018-09-16", "day")),
        ("16 SEPTEMBER 2018", DateLine("2018-09-16", "day")),
        ("Update 107 - 14 December 2004", DateLine("2004-12-14", "day", 107)),
        ("Update 140. December / November 2009", DateLine("2009-11", "month", 140)),
        ("Update 106. 31 December 1969", DateLine(None, None, 106, PLACEHOLDER)),
        # Forms only dateparser reads (day first, as in Britain).
        ("16/09/2018", DateLine("2018-09-16", "day")),
        ("03/04/2005", DateLine("2005-04-03", "day")),
        ("2018-09-16", DateLine("2018-09-16", "day")),
        ("16 Sep, 2018", DateLine("2018-09-16", "day")),
        # Lines that name no real date: unreadable, never guessed from today.
        ("31 February 2004", DateLine(None, None, None, UNREADABLE)),
        ("30 Febtember 2004", DateLine(None, None, None, UNREADABLE)),
        ("16 September", DateLine(None, None, None, UNREADABLE)),
        ("September", DateLine(None, None, None, UNREADABLE)),
        ("yesterday", DateLine(None, None, None, UNREADABLE)),
        ("Spring 2004", DateLine(None, None, None, UNREADABLE)),
        ("", DateLine(None, None, None, UNREADABLE)),
        ("Update 106", DateLine(None, None, 106, UNREADABLE)),
        ("Date to be confirmed", DateLine(None, None, None, UNREADABLE)),
    ],
)
def test_date_line(printed, expected):
    assert parse_date_line(printed) == expected


def test_a_long_line_is_not_sent_to_dateparser_as_a_date():
    line = "The meeting of 12 May 2018 was postponed until further notice " * 3
    assert parse_date_line(line).problem == UNREADABLE


def test_repeated_lines_come_from_the_cache():
    first = parse_date_line("Update 121. 3 March 2008")
    assert parse_date_line("Update 121.  3 March 2008") is first
