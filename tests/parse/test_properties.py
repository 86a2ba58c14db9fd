"""Property tests: `parse_listing` never raises, always answers, and is deterministic.

Whatever the bytes or text, mangled seed pages included, the parser returns a
`Listing` and gives the same answer twice. Deep nesting and a very large page
are checked with plain tests.
"""

from __future__ import annotations

import re

import pytest
from helpers import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psgscraper.parse import Listing, Record, parse_listing

NEWS_URL = "http://www.perusupportgroup.org.uk/news.php"
SEEDS = {
    "seed-news-0.html": NEWS_URL,
    "seed-news-20.html": f"{NEWS_URL}?position=20",
}
SEED_BYTES = {name: (FIXTURES / name).read_bytes() for name in SEEDS}
TAG = re.compile(rb"<[^<>]*>")

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def snapshot(listing: Listing) -> tuple:
    """What two parses of the same page must agree on."""
    return (
        [record.as_dict() for record in listing.items],
        listing.set_aside,
        listing.newer,
        listing.older,
        listing.reason,
    )


def parse_twice(body: bytes | str, url: str = NEWS_URL) -> Listing:
    """Parse `body` twice; check the answer is a well-formed, repeatable Listing."""
    first = parse_listing(body, url)
    second = parse_listing(body, url)
    assert isinstance(first, Listing)
    assert all(isinstance(record, Record) for record in first.items)
    # A page gives items or says why it gave none, never both.
    assert (first.reason is None) == bool(first.items)
    assert [record.position for record in first.items] == list(
        range(1, len(first.items) + 1)
    )
    assert snapshot(first) == snapshot(second)
    return first


# -- arbitrary input ----------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(body: bytes) -> None:
    parse_twice(body)


@SETTINGS
@given(st.text(max_size=4096))
def test_arbitrary_text(body: str) -> None:
    parse_twice(body)


# Fragments of the site's markup, shuffled into pages the parser must survive.
HTML_TOKENS = st.sampled_from(
    [
        "<html>", "<body>", "</body>", '<div id="main">', '<div id="header">',
        "<div>", "</div>", '<ul class="list">', "<ul>", "</ul>", "<li>", "</li>",
        "<h1>News</h1>", "<h2>", "<h3>", "</h3>", "<h4>", '<a href="article-7.html">',
        '<a href="news.php?position=10">', "Older &raquo;", "&laquo; Newer",
        "</a>", '<p class="date">', "<p>", "</p>", "<br>", "<br><br>",
        '<img src="x.jpg" alt="A picture">', "<table><tr><td>", "</td></tr></table>",
        "1 April 2019", "Update 812", "(by Jane Doe)", "Read more", "Title", " ",
        '<div class="pagination">', "<script>", "</script>", "<!--", "-->", "\x00",
    ]
)  # fmt: skip


@SETTINGS
@given(st.lists(HTML_TOKENS, max_size=80).map("".join))
def test_html_like_text(body: str) -> None:
    parse_twice(body)


# -- mangled seed pages -------------------------------------------------------


@st.composite
def seed(draw) -> tuple[bytes, str]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    return SEED_BYTES[name], SEEDS[name]


@SETTINGS
@given(seed(), st.data())
def test_truncated_seed(page: tuple[bytes, str], data: st.DataObject) -> None:
    body, url = page
    cut = data.draw(st.integers(0, len(body)), label="cut")
    parse_twice(body[:cut], url)


@SETTINGS
@given(seed(), st.data())
def test_seed_with_tags_removed(page: tuple[bytes, str], data: st.DataObject) -> None:
    body, url = page
    tags = list(TAG.finditer(body))
    removed = data.draw(
        st.sets(st.integers(0, len(tags) - 1), min_size=1), label="removed tags"
    )
    for index in sorted(removed, reverse=True):
        match = tags[index]
        body = body[: match.start()] + body[match.end() :]
    parse_twice(body, url)


@SETTINGS
@given(seed(), st.data())
def test_seed_with_bytes_spliced_in(
    page: tuple[bytes, str], data: st.DataObject
) -> None:
    body, url = page
    splices = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(body)), st.binary(min_size=1, max_size=16)),
            min_size=1,
            max_size=8,
        ),
        label="splices",
    )
    for offset, noise in sorted(splices, reverse=True):
        body = body[:offset] + noise + body[offset:]
    parse_twice(body, url)


# -- deep nesting -------------------------------------------------------------

DEPTH = 1000
ONE_ITEM = (
    '<ul class="list"><li><h3><a href="article-1.html">T</a></h3>'
    '<p class="date">1 April 2019</p><p>S</p></li></ul>'
)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("<div>", "</div>"), ("<ul><li>", "</li></ul>"), ("<li>", "</li>")],
    ids=["div", "ul-li", "li"],
)
def test_item_nested_a_thousand_deep(opening: str, closing: str) -> None:
    page = (
        "<html><body>" + opening * DEPTH + ONE_ITEM + closing * DEPTH + "</body></html>"
    )
    listing = parse_twice(page)
    assert [record.id for record in listing.items] == ["article-1"]
    (record,) = listing.items
    assert record.url == "http://www.perusupportgroup.org.uk/article-1.html"
    assert record.title == "T"
    assert record.date == "2019-04-01"
    assert record.summary == "S"


def test_text_nested_a_thousand_deep_in_inline_markup() -> None:
    """Deep inline markup inside one summary paragraph."""
    summary = "<b><i>" * DEPTH + "deep" + "</i></b>" * DEPTH
    page = ONE_ITEM.replace("<p>S</p>", f"<p>{summary}</p>")
    listing = parse_twice(f"<html><body>{page}</body></html>")
    assert [(record.id, record.summary) for record in listing.items] == [
        ("article-1", "deep")
    ]


# -- a very large page --------------------------------------------------------

FIVE_MB = 5 * 1024 * 1024


def test_five_megabyte_page_returns_every_item_in_order() -> None:
    page = SEED_BYTES["seed-news-0.html"].decode("utf-8")
    first_item = re.search(
        r'<li>\s*<h3><a href="article-1236\.html">.*?</li>', page, re.S
    )
    assert first_item is not None
    template = first_item.group(0)
    repeated: list[str] = []
    size = 0
    number = 100_000
    while size <= FIVE_MB:
        number += 1
        item = template.replace("article-1236", f"article-{number}")
        repeated.append(item)
        size += len(item.encode("utf-8"))
    expected = [f"article-{n}" for n in range(100_001, number + 1)]
    body = page.replace(template, "\n".join(repeated)).encode("utf-8")
    assert len(body) > FIVE_MB

    listing = parse_listing(body, NEWS_URL)

    ids = [record.id for record in listing.items]
    # The repeated items come first, in order, then the page's other nine.
    assert ids[: len(expected)] == expected
    assert ids[len(expected) :] == [f"article-{n}" for n in range(1235, 1226, -1)]
    assert [record.position for record in listing.items] == list(range(1, len(ids) + 1))
    assert len(listing.set_aside) == 4
    assert listing.older == f"{NEWS_URL}?position=10"
