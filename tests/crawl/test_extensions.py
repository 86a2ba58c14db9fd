"""The crawl's own components: its life, its parser process, its archive view."""

from __future__ import annotations

import asyncio
import os

import pytest
from helpers import FIXTURES
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

import psgscraper.crawl.settings as project
from psgscraper.archive import Archive
from psgscraper.crawl.extensions import (
    ArchiveView,
    CrawlLife,
    ParserPool,
    TextsAsked,
    crawl_ending,
)
from psgscraper.parse import parse_listing

SEED = FIXTURES / "seed-news-0.html"


def crawler_with(**settings):
    base = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return get_crawler(settings_dict={**base, **settings})


def life_that(failures=(), finish_reason="finished") -> CrawlLife:
    life = CrawlLife(crawler_with())
    life.failures = list(failures)
    life.finish_reason = finish_reason
    return life


@pytest.mark.parametrize(
    ("lives", "ending"),
    [
        ([life_that()], ("ok", None)),
        ([life_that(), life_that()], ("ok", None)),
        ([life_that(["a: HTTP 500"]), life_that(["b: timed out"])],
         ("failed", "a: HTTP 500; b: timed out")),
        ([life_that(), life_that(finish_reason="shutdown")],
         ("interrupted", "stopped by a signal")),
        ([life_that(["a: HTTP 500"], "shutdown")], ("interrupted", "a: HTTP 500")),
        ([life_that(["x"], "layout_changed")], ("failed", "x")),
    ],
)  # fmt: skip
def test_how_a_crawl_ended(lives, ending):
    assert crawl_ending(lives) == ending


def test_a_page_whose_reading_raised_is_a_failure_naming_it():
    life = CrawlLife(crawler_with())

    class Answer:
        url = "http://host.test/news.php"

    try:
        raise ValueError("bad markup")
    except ValueError:
        failure = Failure()
    life.callback_failed(failure, Answer(), spider=None)
    assert life.failures == [
        "http://host.test/news.php: could not be read (ValueError: bad markup)"
    ]


def test_the_parser_process_parses_beside_the_crawl():
    pool = ParserPool()
    try:
        listing = asyncio.run(
            pool.parse(parse_listing, SEED.read_bytes(), "http://host.test/news.php")
        )
        assert len(listing.items) == 10
        pid = asyncio.run(pool.parse(os.getpid))
        assert pid != os.getpid()
    finally:
        pool.engine_stopped()


def test_the_archive_view_holds_nothing_before_the_archive_exists(tmp_path):
    view = ArchiveView(tmp_path / "psg.db")
    listing = parse_listing(SEED.read_bytes(), "http://host.test/news.php")
    assert view.known_boilerplate() == set()
    assert not view.holds_unchanged(listing.items)
    assert view.wanting_full_text(listing.items) == list(listing.items)
    assert view.listed_captures() == set()
    assert view.parsed_digests(["D"]) == {}


def test_the_archive_view_sees_what_the_archive_holds_read_only(tmp_path):
    db = tmp_path / "psg.db"
    listing = parse_listing(SEED.read_bytes(), "http://host.test/news.php")
    with Archive(db) as archive:
        crawl = archive.start_crawl("http://host.test/", ["news"])
        archive.record_page(crawl, listing)
    view = ArchiveView(db)
    try:
        assert view.holds_unchanged(listing.items)
        assert view.wanting_full_text(listing.items) == list(listing.items)
        with pytest.raises(Exception, match="readonly"):
            view._opened().conn.execute("DELETE FROM items")
    finally:
        view.close()


def test_the_spiders_of_one_crawl_share_one_parser_process():
    listings, home = crawler_with(), crawler_with()
    pool = listings.get_extension(ParserPool)
    assert home.get_extension(ParserPool) is pool
    assert asyncio.run(pool.parse(os.getpid)) != os.getpid()


def test_the_spiders_of_one_crawl_share_the_item_pages_asked_for(tmp_path):
    db = str(tmp_path / "psg.db")
    crawlers = [crawler_with(PSG_DB=db, PSG_CRAWL_ID=n) for n in (4, 4, 5)]
    listings, home, other = (c.get_extension(TextsAsked) for c in crawlers)
    assert listings is home
    assert other is not listings
    for asked in (listings, home, other):  # each crawler's engine stops
        asked.engine_stopped()
    later = crawler_with(PSG_DB=db, PSG_CRAWL_ID=4).get_extension(TextsAsked)
    assert later is not listings  # the crawl's set went with its last engine
    later.engine_stopped()
