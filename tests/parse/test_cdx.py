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


# pywb 2.10's answers, as it gave them (`output=json`: one object a line).
PYWB_JSON = (
    '{"urlkey": "uk,org,perusupportgroup)/news.php", "timestamp": "20190101000000", '
    '"url": "http://www.perusupportgroup.org.uk/news.php", "mime": "text/html", '
    '"status": "200", "digest": "5VK7P55YXTHDBJXIBSR3GWPPHQGRTJDW", "length": "407", '
    '"offset": "0", "filename": "psg-a.warc.gz", "source": "psg/indexes/index.cdxj", '
    '"source-coll": "psg", "access": "allow"}\n'
    '{"urlkey": "uk,org,perusupportgroup)/news.php", "timestamp": "20190801000000", '
    '"url": "http://www.perusupportgroup.org.uk/news.php", "mime": "warc/revisit", '
    '"digest": "5VK7P55YXTHDBJXIBSR3GWPPHQGRTJDW", "length": "391"}\n'
)
PYWB_CDXJ = (
    'uk,org,perusupportgroup)/news.php 20190101000000 {"url": '
    '"http://www.perusupportgroup.org.uk/news.php", "mime": "text/html", '
    '"status": "200", "digest": "5VK7P55YXTHDBJXIBSR3GWPPHQGRTJDW"}\n'
    'uk,org,perusupportgroup)/news.php 20190801000000 {"url": '
    '"http://www.perusupportgroup.org.uk/news.php", "mime": "warc/revisit", '
    '"digest": "5VK7P55YXTHDBJXIBSR3GWPPHQGRTJDW"}\n'
)
PYWB_CAPTURES = (
    CdxCapture("20190101000000", NEWS, "200", "text/html",
               "5VK7P55YXTHDBJXIBSR3GWPPHQGRTJDW"),
    CdxCapture("20190801000000", NEWS, "-", "warc/revisit",
               "5VK7P55YXTHDBJXIBSR3GWPPHQGRTJDW"),
)  # fmt: skip


@pytest.mark.parametrize("body", [PYWB_JSON, PYWB_CDXJ], ids=["ndjson", "cdxj"])
def test_pywbs_answers_are_read_by_its_own_field_names(body):
    page = parse_cdx(body.encode())
    assert page.captures == PYWB_CAPTURES
    assert (page.dialect, page.resume_key, page.reason) == ("pywb", None, None)
    assert page.captures[1].status is None  # a revisit has no status


def test_the_internet_archives_answer_says_its_dialect():
    assert parse_cdx(json.dumps([HEADER, ROW])).dialect == "ia"
    assert parse_cdx("[]").dialect == "ia"
    assert parse_cdx("").dialect is None  # pywb's empty answer: no captures


def test_pywbs_fuzzy_matches_are_not_captures_of_the_url_asked():
    fuzzy = PYWB_JSON.splitlines()[0][:-1] + ', "is_fuzzy": "1"}'
    assert parse_cdx(fuzzy).captures == ()


@pytest.mark.parametrize(
    ("body", "pages"),
    [('{"pages": 3, "pageSize": 2, "blocks": 6}', 3),
     ('{"pages": 0, "pageSize": 10, "blocks": 0}', 0)],
)  # fmt: skip
def test_a_zipnum_index_says_how_many_pages_it_has(body, pages):
    page = parse_cdx(body)
    assert (page.pages, page.captures, page.dialect) == (pages, (), "pywb")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"message": "Invalid match_type: bogus"}',
         "the CDX server says: Invalid match_type: bogus"),
        ('{"url": "http://x/"}\nnot json\n', "the CDX answer is not JSON"),
        ('{"timestamp": "20190101000000"}', "the CDX answer is not a list of rows"),
    ],
)  # fmt: skip
def test_an_unreadable_pywb_answer_says_why(body, reason):
    assert parse_cdx(body).reason == reason
