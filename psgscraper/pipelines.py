"""Hands each parsed page to the archive, one transaction per page."""

from __future__ import annotations

import logging

from .archive import FAILED, INTERRUPTED, OK, Archive
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
            self.crawl_id = self.archive.start_crawl(
                spider.base_url, spider.sections, spider.incremental
            )

    def process_item(self, page):
        outcome = self.archive.record_page(self.crawl_id, page.listing)
        moved = 0
        if page.learned:
            moved = self.archive.set_aside_items(
                self.crawl_id, set(page.learned), REPEATED
            )
        logger.info(
            "%s: %d items (%d new, %d changed), %d set aside%s",
            page.listing.page_url,
            outcome.items,
            outcome.new,
            outcome.changed,
            outcome.blocks,
            f"; {moved} stored items were a repeated block" if moved else "",
        )
        return page

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


def crawl_status(spiders, finish_reasons) -> str:
    """`interrupted` if stopped by a signal, `failed` on any failure, else `ok`."""
    if "shutdown" in finish_reasons:
        return INTERRUPTED
    if any(spider.failures for spider in spiders):
        return FAILED
    return OK
