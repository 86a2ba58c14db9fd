"""Reading pages: the rules the spiders and `psg reparse` share."""

from __future__ import annotations

import pytest

from psgscraper.fetched import Fetched
from psgscraper.parse import Listing, Record
from psgscraper.parse.item_page import ItemPage
from psgscraper.read import (
    Reader,
    full_text,
    is_posts_url,
    layout_changed,
    posts_shortfall,
    posts_url,
    text_not_had,
)
from psgscraper.read.pages import posts_page_number

SITE = "http://www.perusupportgroup.org.uk/"


def record(n: int, page_url: str, fingerprint: str | None = None) -> Record:
    return Record(
        id=f"article-{n}", url=f"{SITE}article-{n}.html", section="news",
        title=f"Title {n}", date=None, date_precision=None, date_text=None,
        update_number=None, byline=None, summary=f"Summary {n}",
        image_caption=None, position=n, page_url=page_url,
        fingerprint=fingerprint or f"F{n}",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "section", "stops"),
    [
        (f"{SITE}news.php", "news", True),
        (f"{SITE}news.php?position=0", "news", True),
        (f"{SITE}news.php?position=10", "news", False),
        (SITE, "home", True),
        (f"http://a.test/web/2018id_/{SITE}articles.php", "articles", True),
        (f"{SITE}wp-json/wp/v2/posts?per_page=100&page=1", "posts", True),
        (f"{SITE}wp-json/wp/v2/posts?per_page=100&page=2", "posts", False),
    ],
)
def test_a_first_page_without_items_means_the_layout_changed(url, section, stops):
    empty = Listing(url, section, reason="no item list on the page")
    why = layout_changed(empty)
    if stops:
        assert why == (
            f"{url}: no item list on the page where items were expected; "
            "the site's layout may have changed"
        )
    else:
        assert why is None
    with_items = Listing(url, section, items=(record(1, url),))
    assert layout_changed(with_items) is None


def test_the_reader_learns_a_block_repeated_on_three_pages_and_says_where():
    reader = Reader()
    pages = [f"{SITE}news.php?position={n}" for n in (0, 10, 20, 30)]
    read = [
        reader.page(
            Listing(url, "news", items=(record(n, url), record(99, url, "BLOCK"))),
            seen_at=None,
        )
        for n, url in enumerate(pages, 1)
    ]
    assert [page.learned for page in read] == [
        frozenset(),
        frozenset(),
        frozenset({"BLOCK"}),
        frozenset(),
    ]
    # Set aside from the page that showed it to be a block on.
    assert [len(page.listing.items) for page in read] == [2, 2, 1, 1]
    assert [b.reason for b in read[3].listing.set_aside] == ["repeated block"]


def test_blocks_known_from_earlier_crawls_are_set_aside_at_once():
    url = f"{SITE}news.php"
    page = Reader(known_blocks={"BLOCK"}).page(
        Listing(url, "news", items=(record(1, url), record(2, url, "BLOCK"))), None
    )
    assert [item.id for item in page.listing.items] == ["article-1"]
    assert page.learned == frozenset()


def test_an_items_own_page_is_asked_for_once_a_crawl():
    reader = Reader()
    url = f"{SITE}news.php"
    first = reader.texts_to_ask([record(1, url), record(2, url)])
    again = reader.texts_to_ask([record(2, url), record(3, url)])
    assert [r.id for r in first] == ["article-1", "article-2"]
    assert [r.id for r in again] == ["article-3"]


def test_a_full_text_is_dated_by_its_capture():
    url = f"http://a.test/web/20050314060000id_/{SITE}article-7.html"
    fetched = Fetched(url, 200, "text/html", b"", "2026-12-02T10:00:00Z")
    text = full_text("article-7", fetched, ItemPage(url, body="Para one."))
    assert (text.body, text.fetched_at, text.error) == (
        "Para one.",
        "2005-03-14T06:00:00+00:00",
        None,
    )


@pytest.mark.parametrize("status", [404, 410, 500])
def test_an_item_page_with_an_error_status_gives_no_text(status):
    fetched = Fetched(f"{SITE}article-7.html", status, "text/html", b"", None)
    text = full_text("article-7", fetched, None)
    assert (text.body, text.error) == (None, f"HTTP {status}")
    assert text_not_had("article-7", "timed out").error == "timed out"


@pytest.mark.parametrize(
    ("api_root", "expected"),
    [
        (f"{SITE}wp-json/", f"{SITE}wp-json/wp/v2/posts?per_page=100&page=3"),
        (f"{SITE}blog/wp-json", f"{SITE}blog/wp-json/wp/v2/posts?per_page=100&page=3"),
        (
            f"{SITE}index.php?rest_route=/",
            f"{SITE}index.php?rest_route=/wp/v2/posts&per_page=100&page=3",
        ),
        (
            f"{SITE}?rest_route=%2F",
            f"{SITE}?rest_route=/wp/v2/posts&per_page=100&page=3",
        ),
    ],
)
def test_a_posts_url_by_either_route_is_known_as_one(api_root, expected):
    url = posts_url(api_root, "per_page=100&page=3")
    assert url == expected
    assert is_posts_url(url)
    assert posts_page_number(url) == 3


@pytest.mark.parametrize(
    ("counted", "listed", "short"),
    [(None, 3, False), (3, 3, False), (3, 4, False), (0, 0, False), (4, 3, True)],
)
def test_posts_read_short_of_the_count_are_a_shortfall(counted, listed, short):
    shortfall = posts_shortfall(counted, listed)
    assert (shortfall is not None) == short
    if short:
        assert shortfall.startswith(f"read {listed} of the {counted} posts")


@pytest.mark.parametrize(
    "url",
    [f"{SITE}?rest_route=%2Fwp%2Fv2%2Fposts&page=2", f"{SITE}wp-json/wp/v2/posts"],
)
def test_an_encoded_or_bare_posts_url_is_a_posts_url(url):
    assert is_posts_url(url)


def test_other_urls_are_not_posts_urls():
    assert not is_posts_url(f"{SITE}wp-json/wp/v2/pages?page=2")
