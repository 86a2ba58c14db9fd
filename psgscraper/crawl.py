"""Running a crawl: the spiders of the chosen sections, one crawl row, one report."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from .archive import Archive
from .pipelines import crawl_status
from .spiders.home import HomeSpider
from .spiders.listing import LISTING_SECTIONS, ListingSpider

SECTIONS = (*LISTING_SECTIONS, "home")


@dataclass
class CrawlOptions:
    base_url: str
    db: Path
    sections: tuple[str, ...] = SECTIONS
    incremental: bool = False
    delay: float = 1.0
    concurrency: int | None = None  # 2 for a real host, 8 with no delay
    max_pages: int | None = None
    timeout: float = 30.0
    verbose: bool = False


@dataclass
class CrawlResult:
    crawl: dict  # the crawls row
    seconds: float
    failures: list[str] = field(default_factory=list)


def scrapy_settings(options: CrawlOptions, crawl_id: int) -> Settings:
    """The project's settings, with the options of this crawl on top."""
    settings = Settings()
    settings.setmodule("psgscraper.settings", priority="project")
    overrides = {
        "PSG_DB": str(options.db),
        "PSG_CRAWL_ID": crawl_id,
        "DOWNLOAD_DELAY": options.delay,
        "AUTOTHROTTLE_ENABLED": options.delay > 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency
        or (8 if options.delay == 0 else 2),
        "DOWNLOAD_TIMEOUT": options.timeout,
        "LOG_LEVEL": "INFO" if options.verbose else "ERROR",
        "LOG_ENABLED": options.verbose,
        "LOG_INSTALL_ROOT_HANDLER": options.verbose,
    }
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(options: CrawlOptions) -> CrawlResult:
    """Crawl the sections into the archive; the crawls row says how it went.

    Raises ArchiveError if the archive cannot be opened or is in use.
    """
    started = time.monotonic()
    archive = Archive(options.db)
    try:
        with archive.crawl_lock():
            archive.mark_stale_crawls_interrupted()
            crawl_id = archive.start_crawl(
                options.base_url, options.sections, options.incremental
            )
            crawlers = _run_spiders(options, crawl_id)
            spiders = [crawler.spider for crawler in crawlers]
            reasons = [crawler.stats.get_value("finish_reason") for crawler in crawlers]
            failures = [failure for spider in spiders for failure in spider.failures]
            requests = sum(
                crawler.stats.get_value("downloader/request_count", 0)
                for crawler in crawlers
            )
            status = crawl_status(spiders, reasons)
            message = "; ".join(failures) or (
                "stopped by a signal" if status == "interrupted" else None
            )
            crawl = archive.finish_crawl(
                crawl_id,
                status,
                errors=len(failures),
                requests=requests,
                message=message,
            )
    finally:
        archive.close()
    return CrawlResult(crawl, time.monotonic() - started, failures)


def _run_spiders(options: CrawlOptions, crawl_id: int) -> list:
    settings = scrapy_settings(options, crawl_id)
    process = CrawlerProcess(settings)
    if not options.verbose:
        for name in ("scrapy", "twisted", "py.warnings", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    common = {
        "base_url": options.base_url,
        "incremental": options.incremental,
        "max_pages": options.max_pages,
    }
    crawlers = []
    listing_sections = [s for s in options.sections if s in LISTING_SECTIONS]
    if listing_sections:
        crawler = process.create_crawler(ListingSpider)
        process.crawl(crawler, sections=",".join(listing_sections), **common)
        crawlers.append(crawler)
    if "home" in options.sections:
        crawler = process.create_crawler(HomeSpider)
        process.crawl(crawler, **common)
        crawlers.append(crawler)
    process.start()
    return crawlers
