"""Running a crawl: the spiders of the chosen sections, one crawl row, one report."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from ..archive import (
    SITE,
    WAYBACK,
    WORDPRESS,
    Archive,
    ArchiveError,
    CrawlLock,
    utc_now,
)
from ..site import HOME, LISTING_SECTIONS, SECTIONS
from ..warc import WarcError, WarcFile, warc_file_name
from .extensions import CrawlLife, crawl_ending
from .spiders.home import HomeSpider
from .spiders.listing import ListingSpider
from .spiders.wayback import CDX_SLOT, WaybackSpider
from .spiders.wordpress import WordPressSpider

# Requests at a time with no delay: the loopback mirror, or a host of one's own.
LOOPBACK_CONCURRENCY = 16
# Seconds between CDX requests: the Internet Archive's CDX server takes at most
# 30 a minute; 24 a minute keeps a margin (its replay is asked once a second).
CDX_DELAY = 2.5


@dataclass
class CrawlOptions:
    base_url: str  # the site's root; for the Wayback Machine, its replay root
    db: Path
    source: str = SITE
    sections: tuple[str, ...] = SECTIONS
    incremental: bool = False
    delay: float = 1.0
    concurrency: int | None = None  # None: 2, or LOOPBACK_CONCURRENCY with no delay
    max_pages: int | None = None
    timeout: float = 30.0
    full_text: bool = False
    warc_dir: Path | None = None  # None: keep no WARC
    verbose: bool = False
    # The Wayback Machine: its capture index, and the captures' time range.
    cdx_url: str | None = None
    since: str | None = None
    until: str | None = None
    cdx_page_size: int | None = None
    cdx_dialect: str | None = None  # None: as the CDX server's first answer says
    cdx_delay: float | None = None  # None: CDX_DELAY, or none with no delay
    web_archive: str | None = None  # the web archive's name, on its rows

    def seconds_between_cdx_requests(self) -> float:
        """As asked; else CDX_DELAY, within the Internet Archive's limit on its
        CDX server, or none at all when the crawl asks with no delay (the
        loopback emulation, an archive of one's own)."""
        if self.cdx_delay is not None:
            return self.cdx_delay
        return CDX_DELAY if self.delay > 0 else 0.0

    def requests_at_a_time(self) -> int:
        """As many as asked; else one (a web archive's captures, in order),
        two for a real host, or LOOPBACK_CONCURRENCY with no delay."""
        if self.concurrency:
            return self.concurrency
        if self.source == WAYBACK:
            return 1
        return LOOPBACK_CONCURRENCY if self.delay == 0 else 2


@dataclass
class CrawlResult:
    crawl: dict  # the crawls row
    seconds: float
    failures: list[str] = field(default_factory=list)
    warc: Path | None = None
    took_over: dict[str, str] = field(default_factory=dict)  # a dead crawl's lock
    captures: dict[str, int] = field(default_factory=dict)  # Wayback: by outcome


def scrapy_settings(
    options: CrawlOptions, crawl_id: int, warc: Path | None = None
) -> Settings:
    """The project's settings, with the options of this crawl on top."""
    settings = Settings()
    settings.setmodule("psgscraper.crawl.settings", priority="project")
    overrides = {
        "PSG_DB": str(options.db),
        "PSG_CRAWL_ID": crawl_id,
        "PSG_WARC": str(warc) if warc else "",
        "DOWNLOAD_DELAY": options.delay,
        "AUTOTHROTTLE_ENABLED": options.delay > 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.requests_at_a_time(),
        # The Wayback Machine's API is asked by its own rules (at most a
        # request a second, Retry-After honoured), not the robots.txt
        # of the archive's own pages.
        "ROBOTSTXT_OBEY": options.source != WAYBACK,
        # Scrapy spreads delays over 0.5 to 1.5 times the delay; a shared
        # public archive is asked at most once per delay.
        "RANDOMIZE_DOWNLOAD_DELAY": options.source != WAYBACK,
        "DOWNLOAD_TIMEOUT": options.timeout,
        # A web archive's capture index has its own, lower, rate.
        "DOWNLOAD_SLOTS": {
            CDX_SLOT: {
                "delay": options.seconds_between_cdx_requests(),
                "concurrency": 1,
                "jitter": 0,
            }
        },
        "LOG_LEVEL": "INFO" if options.verbose else "ERROR",
        "LOG_ENABLED": options.verbose,
        "LOG_INSTALL_ROOT_HANDLER": options.verbose,
    }
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_crawl(options: CrawlOptions) -> CrawlResult:
    """Crawl the sections into the archive; the crawls row says how it went.

    Every response goes into a WARC file in `options.warc_dir`, which the
    crawls row names. Raises CrawlRunning if another crawl holds the archive,
    ArchiveError if it cannot be opened, WarcError if the WARC file cannot be
    written.
    """
    started = time.monotonic()
    warc: WarcFile | None = None
    crawl: dict | None = None
    failures: list[str] = []
    captures: dict[str, int] = {}
    with CrawlLock(options.db) as lock:
        archive = Archive(options.db)
        reserve = _reserve_room(options.db)
        try:
            archive.mark_stale_crawls_interrupted()
            crawl_started = utc_now()
            crawl_id = archive.start_crawl(
                options.base_url,
                options.sections,
                options.incremental,
                source=options.source,
                started=crawl_started,
                web_archive=options.web_archive,
            )
            lock.name_crawl(crawl_id)
            if options.warc_dir is not None:
                warc = _open_warc(options, crawl_id, crawl_started)
                archive.name_warc(crawl_id, warc.path)
            crawlers = _run_spiders(options, crawl_id, warc)
            lives = [crawler.get_extension(CrawlLife) for crawler in crawlers]
            failures += [failure for life in lives for failure in life.failures]
            status, message = crawl_ending(lives)
            _release(reserve)  # a full disk still takes the crawl's ending
            crawl = archive.finish_crawl(
                crawl_id,
                status,
                errors=len(failures),
                requests=sum(life.requests() for life in lives),
                message=message,
            )
            captures = archive.capture_outcomes(crawl_id)
        except sqlite3.Error as error:  # the disk is full, most likely
            raise ArchiveError(f"cannot write {options.db}: {error}") from None
        finally:
            _release(reserve)
            if warc is not None:
                try:
                    warc.release(_outcome(crawl) if crawl else None)
                except WarcError as error:  # its last records could not be written
                    failures.append(str(error))
            archive.close()
    return CrawlResult(
        crawl,
        time.monotonic() - started,
        failures,
        warc.path if warc else None,
        lock.stale,
        captures,
    )


# Room kept on the archive's disk while a crawl runs, given back before its
# ending is written: a crawl stopped by a full disk still records why.
RESERVE_BYTES = 64 * 1024


def _reserve_room(db: Path) -> Path | None:
    """A file of RESERVE_BYTES beside the archive, or None if there is no room."""
    path = db.with_name(db.name + ".reserve")
    try:
        path.write_bytes(bytes(RESERVE_BYTES))
    except OSError:
        path.unlink(missing_ok=True)
        return None
    return path


def _release(reserve: Path | None) -> None:
    if reserve is not None:
        reserve.unlink(missing_ok=True)


def _open_warc(options: CrawlOptions, crawl_id: int, started: str) -> WarcFile:
    """The crawl's WARC file. Its warcinfo names the crawl's own start time
    (`psg-started`): the file opens a moment after the crawls row, and a
    re-parse must write the row as the crawl did."""
    path = options.warc_dir / warc_file_name(crawl_id)
    info = {
        "description": "Peru Support Group newsletter, crawled by psgscraper",
        "isPartOf": f"{options.db.name} crawl {crawl_id}",
        "psg-crawl": str(crawl_id),
        "psg-started": started,
        "psg-base-url": options.base_url,
        "psg-sections": ",".join(options.sections),
        "psg-incremental": str(int(options.incremental)),
        "psg-full-text": str(int(options.full_text)),
        "psg-source": options.source,
        **({"psg-web-archive": options.web_archive} if options.web_archive else {}),
    }
    return WarcFile.shared(path, info)


def _outcome(crawl: dict) -> dict[str, str]:
    """How the crawl ended, for the WARC's closing record."""
    fields = ("status", "ended", "requests", "message")
    return {name: str(crawl[name]) for name in fields if crawl[name] is not None}


def _run_spiders(options: CrawlOptions, crawl_id: int, warc: WarcFile | None) -> list:
    settings = scrapy_settings(options, crawl_id, warc.path if warc else None)
    process = CrawlerProcess(settings)
    if not options.verbose:
        for name in ("scrapy", "twisted", "py.warnings", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    crawlers = []
    for spider, arguments in _spiders(options):
        crawler = process.create_crawler(spider)
        process.crawl(crawler, **arguments)
        crawlers.append(crawler)
    process.start()
    return crawlers


def _spiders(options: CrawlOptions) -> list[tuple[type, dict]]:
    """The spiders of the crawl's source, with their arguments."""
    common = {
        "base_url": options.base_url,
        "incremental": options.incremental,
        "max_pages": options.max_pages,
    }
    if options.source == WORDPRESS:
        return [(WordPressSpider, common)]
    common["full_text"] = options.full_text
    if options.source == WAYBACK:
        wayback = {
            "sections": ",".join(options.sections),
            "cdx_url": options.cdx_url,
            "since": options.since,
            "until": options.until,
            "page_size": options.cdx_page_size,
            "cdx_dialect": options.cdx_dialect,
        }
        return [(WaybackSpider, {**common, **wayback})]
    spiders = []
    listing_sections = [s for s in options.sections if s in LISTING_SECTIONS]
    if listing_sections:
        listing = {"sections": ",".join(listing_sections)}
        spiders.append((ListingSpider, {**common, **listing}))
    if HOME in options.sections:
        spiders.append((HomeSpider, common))
    return spiders
