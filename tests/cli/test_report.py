"""What the commands report: counts, sizes, a crawl, a Wayback crawl's captures,
a parsed page."""

from __future__ import annotations

import logging

import pytest

from psgscraper.cli.report import (
    captures_summary,
    crawl_summary,
    file_size,
    plural,
    show_progress,
    summary_line,
)
from psgscraper.parse import Listing
from psgscraper.parse.records import NO_LIST, SetAside

CRAWL = {
    "id": 7,
    "status": "ok",
    "pages": 12,
    "requests": 1,
    "items_seen": 120,
    "items_new": 3,
    "items_changed": 1,
    "blocks_set_aside": 4,
    "item_pages": 0,
    "item_page_errors": 0,
    "errors": 0,
}


@pytest.mark.parametrize(
    ("number", "said"), [(0, "0 pages"), (1, "1 page"), (2, "2 pages")]
)
def test_plural(number, said):
    assert plural(number, "page") == said


@pytest.mark.parametrize(
    ("size", "said"),
    [(0, "0 KB"), (1536, "2 KB"), (1024 * 1024 - 1, "1024 KB"), (3 << 20, "3.0 MB")],
)
def test_file_size(size, said):
    assert file_size(size) == said


def test_crawl_summary():
    assert crawl_summary(CRAWL, 3.14159) == (
        "crawl 7 ok in 3.1s: 12 pages, 1 request, items seen 120 / new 3 / "
        "changed 1, 4 blocks set aside, 0 errors"
    )


def test_crawl_summary_counts_item_pages_when_there_are_some():
    crawl = {**CRAWL, "status": "failed", "item_pages": 3, "item_page_errors": 1}
    crawl["errors"] = 1

    assert crawl_summary(crawl, 0.04) == (
        "crawl 7 failed in 0.0s: 12 pages, 1 request, items seen 120 / new 3 / "
        "changed 1, 4 blocks set aside, 3 item pages (1 without text), 1 error"
    )


def test_captures_summary():
    assert captures_summary({}) == "none new"
    assert captures_summary({"read": 5, "duplicate": 2}) == "2 duplicate, 5 read"


def test_summary_line_of_a_page():
    listing = Listing(
        page_url="http://x.org/news.php",
        section="news",
        set_aside=(
            SetAside("PSG Aims", "", "structural", "f1"),
            SetAside("", "", "structural", "f2"),
            SetAside("Join", "", "repeated", "f3"),
        ),
        unreadable_dates=("Summer",),
        newer="http://x.org/news.php?position=0",
        older="http://x.org/news.php?position=20",
    )

    assert summary_line(listing) == (
        "http://x.org/news.php (news): 0 items, 3 blocks set aside "
        "(structural: PSG Aims, ?; repeated: Join), 1 unreadable date line "
        "('Summer'), newer: http://x.org/news.php?position=0, "
        "older: http://x.org/news.php?position=20"
    )


def test_summary_line_of_a_page_without_a_list():
    listing = Listing(page_url="file:///p.html", section=None, reason=NO_LIST)

    assert summary_line(listing) == (
        f"file:///p.html (section unknown): 0 items ({NO_LIST}), "
        "0 blocks set aside, 0 unreadable date lines"
    )


def test_show_progress_sets_up_the_crawl_log_once():
    logger = logging.getLogger("psgscraper.crawl")
    saved = logger.level, logger.propagate, list(logger.handlers)
    try:
        show_progress(quiet=False)
        show_progress(quiet=True)

        assert logger.level == logging.WARNING
        assert not logger.propagate
        assert len(logger.handlers) == max(1, len(saved[2]))
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers[:] = saved[2]
