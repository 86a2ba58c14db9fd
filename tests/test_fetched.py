"""When a fetched page showed what it shows."""

from __future__ import annotations

import pytest

from psgscraper.fetched import Fetched

ARRIVED = "2026-12-02T16:30:00.123456Z"
REPLAY = (
    "http://127.0.0.1:8080/psg/20190325063720id_/"
    "http://perusupportgroup.org.uk/article-10.html"
)
LIVE = "http://127.0.0.1:8080/article-10.html"


@pytest.mark.parametrize(
    ("url", "memento", "seen"),
    [
        # The capture the web archive replayed, whatever time was asked.
        (REPLAY, "Mon, 25 Mar 2019 06:54:00 GMT", "2019-03-25T06:54:00+00:00"),
        (REPLAY, "Mon, 25 Mar 2019 06:54:00 -0000", "2019-03-25T06:54:00+00:00"),
        (REPLAY, "Mon, 25 Mar 2019 07:54:00 +0100", "2019-03-25T06:54:00+00:00"),
        # Without the header, or with one that is not a date: the URL's time.
        (REPLAY, None, "2019-03-25T06:37:20+00:00"),
        (REPLAY, "", "2019-03-25T06:37:20+00:00"),
        (REPLAY, "yesterday", "2019-03-25T06:37:20+00:00"),
        # Not from a web archive: when it arrived.
        (LIVE, None, "2026-12-02T16:30:00+00:00"),
    ],
)
def test_a_page_is_dated_by_the_capture_it_came_from(url, memento, seen):
    fetched = Fetched(url, 200, "text/html", b"", ARRIVED, memento_datetime=memento)
    assert fetched.seen_at == seen
