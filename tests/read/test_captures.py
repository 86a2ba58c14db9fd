"""CaptureReading: which of a web archive's captures a crawl fetches, and what
became of each; the rules the Wayback spider and `psg reparse` share."""

from __future__ import annotations

import pytest

from psgscraper.fetched import Fetched
from psgscraper.parse import Listing, Record
from psgscraper.parse.cdx import CdxCapture
from psgscraper.read import CaptureReading, CaptureSeen, Page
from psgscraper.read.captures import is_cdx_answer, payload_digest, web_archive_name

REPLAY = "http://archive.test/"
SITE = "http://www.perusupportgroup.org.uk"


def capture(path="/news.php", stamp="20190325060000", status="200",
            mimetype="text/html", digest="D1") -> CdxCapture:  # fmt: skip
    return CdxCapture(stamp, f"{SITE}{path}", status, mimetype, digest)


def planned(reading: CaptureReading, recorded=(), read_before=None) -> list:
    return list(reading.plan(set(recorded), lambda digests: dict(read_before or {})))


def fetched_for(reading, cdx: CdxCapture, status=200, location=None) -> Fetched:
    return Fetched(
        reading.replay_url(cdx), status, "text/html", b"<html></html>",
        "2026-12-02T10:00:00.000000Z", location,
    )  # fmt: skip


def page_with_items(url: str, items: int) -> Page:
    records = tuple(
        Record(id=f"article-{n}", url=None, section="news", title=f"T{n}",
               date=None, date_precision=None, date_text=None, update_number=None,
               byline=None, summary="S", image_caption=None, position=n,
               page_url=url, fingerprint=f"F{n}")
        for n in range(1, items + 1)
    )  # fmt: skip
    reason = None if items else "the item list is empty"
    return Page(Listing(url, "news", items=records, reason=reason))


@pytest.mark.parametrize(
    ("row", "note"),
    [
        (capture(path="/about.php"), "not a page of the newsletter's listings"),
        (capture(status="404"), "HTTP 404 when captured"),
        (capture(status="503"), "HTTP 503 when captured"),
        (capture(mimetype="image/gif"), "not HTML (image/gif)"),
        (capture(mimetype="application/rss+xml"), "not HTML (application/rss+xml)"),
    ],
)
def test_a_capture_that_cannot_show_the_newsletter_is_skipped_unfetched(row, note):
    reading = CaptureReading(REPLAY)
    reading.listed([row])
    (seen,) = planned(reading)
    assert isinstance(seen, CaptureSeen)
    assert (seen.outcome, seen.note, seen.fetched_at) == ("skipped", note, None)
    assert seen.url == f"{REPLAY}web/{row.timestamp}id_/{row.original}"
    assert seen.captured == "2019-03-25T06:00:00+00:00"


@pytest.mark.parametrize("mimetype", ["text/html", "unk", "warc/revisit"])
def test_an_html_capture_not_read_before_is_fetched(mimetype):
    reading = CaptureReading(REPLAY)
    row = capture(mimetype=mimetype)
    reading.listed([row])
    assert planned(reading) == [row]


def test_content_read_by_an_earlier_crawl_is_seen_again_unfetched():
    reading = CaptureReading(REPLAY)
    reading.listed([capture(digest="OLD")])
    (seen,) = planned(reading, read_before={"OLD": "http://archive.test/first"})
    assert (seen.outcome, seen.same_content_as) == (
        "same content",
        "http://archive.test/first",
    )


def test_captures_already_recorded_are_left_alone():
    reading = CaptureReading(REPLAY)
    old, new = capture(stamp="20190101000000"), capture(stamp="20190201000000")
    reading.listed([old, new])
    assert planned(reading, recorded={(old.original, old.timestamp)}) == [new]


def test_captures_are_planned_oldest_first_each_listed_once():
    reading = CaptureReading(REPLAY)
    later = capture(stamp="20190201000000", digest="B")
    earlier = capture(stamp="20190101000000", digest="A")
    reading.listed([later, earlier, later])
    assert planned(reading) == [earlier, later]


def test_at_most_max_fetches_are_fetched_the_rest_left_for_the_next_run():
    reading = CaptureReading(REPLAY, max_fetches=2)
    rows = [capture(stamp=f"2019010{n}000000", digest=f"D{n}") for n in range(1, 5)]
    reading.listed(rows)
    assert planned(reading) == rows[:2]


def test_a_second_capture_of_the_same_content_waits_for_the_first():
    reading = CaptureReading(REPLAY)
    first = capture(stamp="20190101000000", digest="SAME")
    again = capture(path="/index.php", stamp="20190108000000", digest="SAME")
    reading.listed([first, again])
    assert planned(reading) == [first]  # the second is not fetched
    page = page_with_items(reading.replay_url(first), 3)
    seen, same = reading.read(first, fetched_for(reading, first), page)
    assert (seen.outcome, seen.page, seen.fetched_at) == (
        "parsed",
        page,
        "2026-12-02T10:00:00+00:00",
    )
    assert same.capture == again
    assert (same.outcome, same.same_content_as) == ("same content", seen.url)


def test_content_that_gave_no_items_skips_its_other_captures_too():
    reading = CaptureReading(REPLAY)
    first = capture(stamp="20190101000000", digest="SAME")
    again = capture(stamp="20190108000000", digest="SAME")
    reading.listed([first, again])
    planned(reading)
    empty = page_with_items(reading.replay_url(first), 0)
    seen, same = reading.read(first, fetched_for(reading, first), empty)
    assert seen.outcome == "skipped"
    assert seen.note == "the item list is empty: an error page or another layout"
    assert (same.outcome, same.note) == ("skipped", f"as {seen.url}: {seen.note}")


def test_an_answer_that_is_not_html_is_skipped():
    reading = CaptureReading(REPLAY)
    row = capture()
    reading.listed([row])
    planned(reading)
    answer = Fetched(reading.replay_url(row), 200, "image/png", b"\x89PNG")
    (seen,) = reading.read(row, answer, None)
    assert (seen.outcome, seen.note) == ("skipped", "not HTML (image/png)")


def test_a_capture_not_had_leaves_those_waiting_for_it_to_the_next_run():
    reading = CaptureReading(REPLAY)
    first = capture(stamp="20190101000000", digest="SAME")
    again = capture(stamp="20190108000000", digest="SAME")
    reading.listed([first, again])
    planned(reading)
    reading.not_had(first)
    page = page_with_items(reading.replay_url(first), 1)
    # Had later after all (a retry): nothing was left waiting for it.
    assert len(reading.read(first, fetched_for(reading, first), page)) == 1


def test_a_capture_the_archive_refuses_to_replay_is_skipped():
    reading = CaptureReading(REPLAY)
    row = capture()
    reading.listed([row])
    planned(reading)
    seen = reading.refused(row, fetched_for(reading, row, status=404), "HTTP 404")
    assert (seen.outcome, seen.note) == (
        "skipped",
        "the archive cannot replay it (HTTP 404)",
    )


def test_redirect_captures_are_each_fetched_whatever_their_digest():
    reading = CaptureReading(REPLAY)
    rows = [capture(path="/index.php", stamp=f"2019010{n}000000", status="302",
                    digest="SAME") for n in (1, 2)]  # fmt: skip
    reading.listed(rows)
    assert planned(reading) == rows


@pytest.mark.parametrize(
    ("location", "note", "follows"),
    [
        (None, "a redirect without a Location", False),
        (f"/web/20190101000001id_/{SITE}/news.php",
         f"to {SITE}/news.php, whose captures are read on their own", False),
        (f"/web/20190101000001id_/{SITE}/index.html",
         f"to {SITE}/index.html, read from the capture there", True),
        (f"/web/20190101000001id_/{SITE}/about.html",
         f"to {SITE}/about.html, not a page of the newsletter's listings", False),
    ],
)  # fmt: skip
def test_where_a_redirect_capture_leads(location, note, follows):
    reading = CaptureReading(REPLAY)
    moved = capture(path="/index.php", status="302", stamp="20190101000000")
    reading.listed([moved, capture(stamp="20190102000000", digest="N")])
    planned(reading)
    redirect = reading.redirected(moved, fetched_for(reading, moved, 302, location))
    expected_outcome = "skipped" if location is None else "redirect"
    assert (redirect.seen.outcome, redirect.seen.note) == (expected_outcome, note)
    assert (redirect.target is not None) == follows
    if follows:
        assert redirect.target == f"{REPLAY}web/20190101000001id_/{SITE}/index.html"
        assert redirect.target_section == "home"


def test_a_redirect_to_the_site_itself_is_followed_in_the_archive():
    """pywb replays a 302 with its Location as the site sent it."""
    reading = CaptureReading(REPLAY)
    moved = capture(path="/index.php", status="302", stamp="20190101000000")
    reading.listed([moved])
    planned(reading)
    answer = fetched_for(reading, moved, 302, f"{SITE}/index.html")
    redirect = reading.redirected(moved, answer)
    assert redirect.target == f"{REPLAY}web/20190101000000id_/{SITE}/index.html"


def test_the_capture_a_redirect_led_to_is_read_once():
    reading = CaptureReading(REPLAY)
    url = f"{REPLAY}web/20190101000001id_/{SITE}/index.html"
    answer = Fetched(url, 200, "text/html", b"<html>home</html>")
    led_to = reading.redirect_target(answer)
    assert led_to == CdxCapture("20190101000001", f"{SITE}/index.html", "200",
                                "text/html", payload_digest(answer.body))  # fmt: skip
    assert reading.redirect_target(answer) is None  # listed now: not twice


def test_payload_digest_is_the_cdx_servers_base32_sha1():
    assert payload_digest(b"") == "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


@pytest.mark.parametrize(
    ("url", "answer"),
    [
        ("http://a.test/cdx/search/cdx?url=x%2Fnews.php&matchType=prefix"
         "&output=json&fl=timestamp", True),
        ("http://a.test/psg/cdx?url=x&matchType=exact&output=json&allowFuzzy=false",
         True),
        ("http://a.test/cdx/search/cdx?url=x&matchType=prefix&fl=timestamp", False),
        ("http://a.test/web/20190101000000id_/http://x/news.php?output=json", False),
    ],
)  # fmt: skip
def test_a_cdx_answer_is_known_by_its_query(url, answer):
    assert is_cdx_answer(url) is answer


@pytest.mark.parametrize(
    ("cdx_url", "name"),
    [
        ("https://web.archive.org/cdx/search/cdx", "web.archive.org"),
        ("http://127.0.0.1:8080/psg/cdx", "127.0.0.1:8080/psg"),
        ("https://www.webarchive.org.uk/wayback/archive/cdx",
         "www.webarchive.org.uk/wayback/archive"),
        ("http://127.0.0.1:8002/cdx/search/cdx", "127.0.0.1:8002"),
    ],
)  # fmt: skip
def test_a_web_archive_is_named_by_its_cdx_server(cdx_url, name):
    assert web_archive_name(cdx_url) == name
