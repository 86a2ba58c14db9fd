"""A CDX server's JSON answer read into captures, with its resume key."""

import json

import pytest

from psgscraper.parse.cdx import CDX_FIELDS, CdxCapture, parse_cdx

HEADER = list(CDX_FIELDS)
NEWS = "http://www.perusupportgroup.org.uk/news.php"
ROW = ["20050314060709", NEWS, "200", "text/html", "AAAABBBBCCCCDDDD"]


def test_rows_become_captures_and_the_resume_key_is_kept():
    body = json.dumps([HEADER, ROW, [], ["uk%2Corg%2Cperusupportgroup%29%2Fnews.php"]])
    page = parse_cdx(body.encode())
    assert page.captures == (CdxCapture(*ROW),)
    assert page.resume_key == "uk%2Corg%2Cperusupportgroup%29%2Fnews.php"
    assert page.reason is None
    assert page.captures[0].status == 200


def test_fields_are_read_by_name_in_any_order():
    header = ["original", "digest", "timestamp", "mimetype", "statuscode", "length"]
    row = [NEWS, "AAAABBBBCCCCDDDD", "20050314060709", "text/html", "200", "812"]
    assert parse_cdx(json.dumps([header, row])).captures == (CdxCapture(*ROW),)


def test_a_revisit_has_no_status():
    row = ["20050314060709", NEWS, "-", "warc/revisit", "AAAABBBBCCCCDDDD"]
    assert parse_cdx(json.dumps([HEADER, row])).captures[0].status is None


@pytest.mark.parametrize("body", [b"", b"  \n", b"[]"])
def test_no_captures_is_an_empty_answer_not_an_error(body):
    page = parse_cdx(body)
    assert page.captures == () and page.reason is None and page.resume_key is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>Service Unavailable</html>", "not JSON"),
        (b'{"error": "bad"}', "not a list of rows"),
        (json.dumps([["timestamp", "original"], ROW[:2]]).encode(), "lacks the fields"),
    ],
)
def test_an_unreadable_answer_says_why(body, reason):
    page = parse_cdx(body)
    assert page.captures == ()
    assert reason in page.reason


@pytest.mark.parametrize(
    "row",
    [
        ["2005", NEWS, "200", "text/html", "X"],  # not a capture's full timestamp
        ["2005031406070x", NEWS, "200", "text/html", "X"],
        ["20050314060709", "", "200", "text/html", "X"],  # no URL
        ["20050314060709", NEWS, "200"],  # a short row
    ],
)
def test_broken_rows_are_left_out(row):
    page = parse_cdx(json.dumps([HEADER, row, ROW]))
    assert page.captures == (CdxCapture(*ROW),)
