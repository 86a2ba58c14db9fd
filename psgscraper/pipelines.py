"""Hands each parsed page to the archive, one transaction per page.

`write_page` and `write_full_text` are what a crawl does with each page it
read; `psg reparse` does the same with the pages of a WARC file.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from .archive import FAILED, INTERRUPTED, OK, Archive
from .items import CaptureSeen, FullText, Page, PostsPage
from .parse.records import REPEATED

logger = logging.getLogger("psgscraper.crawl")


class ArchivePipeline:
    """Writes pages into the archive named by the PSG_DB setting.

    `psg crawl` opens the crawl itself (PSG_CRAWL_ID) so that several spiders
    share one crawl row; under a plain `scrapy crawl` the pipeline opens and
    closes the crawl.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("PSG_DB", "data/psg.db")
        self.crawl_id = crawler.settings.getint("PSG_CRAWL_ID") or None
        self.owns_crawl = self.crawl_id is None
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.archive = Archive(self.db_path)
        if self.owns_crawl:
            warc = self.crawler.settings.get("PSG_WARC")
            self.crawl_id = self.archive.start_crawl(
                spider.base_url,
                spider.sections,
                spider.incremental,
                warc=Path(warc) if warc else None,
            )

    def process_item(self, item):
        """Write the item; an archive that cannot be written stops the crawl."""
        try:
            if isinstance(item, FullText):
                logger.info(write_full_text(self.archive, self.crawl_id, item))
            elif isinstance(item, CaptureSeen):
                logger.info(write_capture(self.archive, self.crawl_id, item))
            elif isinstance(item, PostsPage):
                logger.info(write_posts_page(self.archive, self.crawl_id, item))
            else:
                logger.info(write_page(self.archive, self.crawl_id, item))
        except sqlite3.Error as error:
            self.crawler.spider.stop(f"cannot write {self.db_path}: {error}")
        return item

    def close_spider(self) -> None:
        if self.owns_crawl:
            spider = self.crawler.spider
            reason = self.crawler.stats.get_value("finish_reason")
            status = crawl_status([spider], [reason])
            self.archive.finish_crawl(
                self.crawl_id,
                status,
                errors=len(spider.failures),
                requests=self.crawler.stats.get_value("downloader/request_count", 0),
                message="; ".join(spider.failures) or None,
            )
        self.archive.close()


def write_page(archive: Archive, crawl_id: int, page: Page) -> str:
    """Write a listing page, move what it showed to be a block; say what it did."""
    moved = 0
    with archive.transaction():  # the page, and what it showed to be a block
        outcome = archive.record_page(crawl_id, page.listing, seen_at=page.seen_at)
        if page.learned:
            moved = archive.set_aside_items(crawl_id, set(page.learned), REPEATED)
    return (
        f"{page.listing.page_url}: {outcome.items} items ({outcome.new} new, "
        f"{outcome.changed} changed), {outcome.blocks} set aside"
        + (f"; {moved} stored items were a repeated block" if moved else "")
    )


def write_full_text(archive: Archive, crawl_id: int, text: FullText) -> str:
    """Store an item's full text, or why its page gave none; say what it did."""
    archive.record_full_text(
        crawl_id, text.item_id, text.body, text.fetched_at, error=text.error
    )
    if text.error:
        return f"{text.item_id}: no full text ({text.error})"
    return f"{text.item_id}: full text, {len(text.body or '')} characters"


def write_capture(archive: Archive, crawl_id: int, seen: CaptureSeen) -> str:
    """Write a capture's page, if it gave one, and what became of it; say what."""
    with archive.transaction():  # a capture is recorded with its page, or not
        said = write_page(archive, crawl_id, seen.page) if seen.page else None
        archive.record_capture(
            crawl_id,
            seen.capture,
            url=seen.url,
            outcome=seen.outcome,
            captured=seen.captured,
            section=seen.section,
            fetched_at=seen.fetched_at,
            items_found=len(seen.page.listing.items) if seen.page else None,
            note=seen.note,
            same_as=seen.same_as,
        )
    when = seen.capture.timestamp
    return said or f"{seen.capture.original} of {when}: {seen.outcome}" + (
        f" ({seen.note})" if seen.note else ""
    )


def write_posts_page(archive: Archive, crawl_id: int, found: PostsPage) -> str:
    """Write a page of WordPress posts, and each post's identity and dates."""
    with archive.transaction():
        said = write_page(archive, crawl_id, found.page)
        archive.record_posts(crawl_id, found.posts)
    return said


def crawl_status(spiders, finish_reasons) -> str:
    """`interrupted` if stopped by a signal, `failed` on any failure, else `ok`."""
    if "shutdown" in finish_reasons:
        return INTERRUPTED
    if any(spider.failures for spider in spiders):
        return FAILED
    return OK
