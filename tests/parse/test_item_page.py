"""`parse_item_page`: an item's own page, its full text as the archive keeps it."""

from __future__ import annotations

import pytest
from helpers import FIXTURES, expected_records
from hypothesis import given, settings
from hypothesis import strategies as st

from psgscraper.parse import parse_item_page
from psgscraper.parse.item_page import NO_TEXT
from psgscraper.parse.records import BINARY, EMPTY_BODY, NOT_HTML

URL = "http://www.perusupportgroup.org.uk/article-1220.html"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_the_article_block_is_the_full_text():
    page = parse_item_page(read("item-page.html"), URL)
    assert page.title == "Mining and communities in La Libertad"
    assert page.date_text == "Update 156. 29 June 2013"
    assert page.byline == "Catherine Ward from Cajamarca"
    assert page.body == (
        "Communities in Cajamarca say they were never consulted before the "
        "concession was granted. Last month’s report described the first "
        "protests.\n\n"
        "The Environment Ministry’s agency, OEFA, has opened an inquiry.\n\n"
        "A decision is expected before the end of the year."
    )
    assert page.reason is None


@pytest.mark.parametrize(
    "framing",
    ["PSG Aims", "Back to Articles", "Thornhill Square", "A march in Cajamarca"],
)
def test_the_frame_around_the_text_is_left_out(framing):
    assert framing not in parse_item_page(read("item-page.html"), URL).body


def test_a_page_without_a_text_block_gives_its_main_paragraphs():
    page = parse_item_page(read("item-page-no-article-block.html"), URL)
    assert page.title == "Letter from Puno"
    assert page.date_text == "102. 29 February 2004"
    assert page.body == (
        "The rains came late to the altiplano this year.\n\n"
        "Prices of potatoes in the market have doubled."
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", EMPTY_BODY),
        (b"   \n", EMPTY_BODY),
        (b"\x00\x01\x02\x03" * 50, BINARY),
        (b"Not found", NOT_HTML),
        (b'<html><body><div id="main"><h1>Title</h1></div></body></html>', NO_TEXT),
        (b'<html><body><div class="article"></div></body></html>', NO_TEXT),
    ],
    ids=["empty", "blank", "binary", "plain text", "title only", "empty block"],
)
def test_a_page_without_text_says_why(body, reason):
    page = parse_item_page(body, URL)
    assert page.body == ""
    assert page.reason == reason


def test_every_item_page_of_the_mirror_gives_its_full_text(mirror_week0):
    for record in expected_records(mirror_week0):
        if record["path"] is None:
            continue
        page = parse_item_page(
            (mirror_week0 / "site" / record["path"]).read_bytes(),
            f"http://127.0.0.1/{record['path']}",
        )
        assert (page.title, page.date_text, page.byline, page.body) == (
            record["title"],
            record["date_text"],
            record["byline"],
            record["body"],
        ), record["id"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_any_bytes_give_a_page_or_a_reason(body):
    page = parse_item_page(body, URL)
    assert (page.reason is None) == bool(page.body)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 4000), st.binary(max_size=64))
def test_a_mangled_page_gives_a_page_or_a_reason(cut, junk):
    body = read("item-page.html")
    page = parse_item_page(body[:cut] + junk + body[cut:], URL)
    assert (page.reason is None) == bool(page.body)
