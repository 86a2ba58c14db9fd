"""What the spiders share: their arguments, the archive's knowledge, failures."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from ..archive import Archive
from ..items import Page
from ..parse import BoilerplateDetector, Listing, parse_listing
from ..parse.links import LIVE_SITE

DEFAULT_BASE_URL = LIVE_SITE
LAYOUT_CHANGED = "layout_changed"


class ArchiveSpider(scrapy.Spider):
    """A spider that feeds the archive.

    Arguments (as `-a NAME=VALUE` with `scrapy crawl`): `base_url`, the site's
    root (the live host by default, or a web archive's copy, or the mirror);
    `incremental` (1 to stop a listing at the first page the archive already
    holds unchanged); `max_pages` (listing pages per section at most).
    The archive file comes from the PSG_DB setting.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        incremental: str | bool = False,
        max_pages: str | int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/") + "/"
        self.incremental = str(incremental).lower() in ("1", "true", "yes", "on")
        self.max_pages = int(max_pages) if max_pages else None
        self.failures: list[str] = []
        self._detector: BoilerplateDetector | None = None
        self._archive: Archive | None = None
        _parsers().submit(int)  # start the parser process while the crawl starts

    # -- what the archive already knows ---------------------------------------

    def archive(self) -> Archive | None:
        """The archive, read-only, once the pipeline has created it."""
        if self._archive is None:
            path = Path(self.settings.get("PSG_DB", "data/psg.db"))
            if path.is_file():
                self._archive = Archive(path, readonly=True)
        return self._archive

    def detector(self) -> BoilerplateDetector:
        if self._detector is None:
            archive = self.archive()
            known = archive.known_boilerplate() if archive is not None else ()
            self._detector = BoilerplateDetector(known=known)
        return self._detector

    def holds_unchanged(self, listing: Listing) -> bool:
        archive = self.archive()
        return archive is not None and archive.holds_unchanged(listing.items)

    def closed(self, reason: str) -> None:
        if self._archive is not None:
            self._archive.close()

    # -- pages ----------------------------------------------------------------

    def request(self, url: str, callback, **cb_kwargs) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.failed, cb_kwargs=cb_kwargs
        )

    async def read_page(self, response, section: str) -> tuple[Listing, Page]:
        """Parse a page (in the parser process), learn its repeated blocks."""
        content_type = response.headers.get("Content-Type")
        task = partial(
            parse_listing,
            response.body,
            response.url,
            content_type=content_type.decode("latin-1") if content_type else None,
            section=section,
        )
        listing = await asyncio.get_running_loop().run_in_executor(_parsers(), task)
        learned = self.detector().learn(listing)
        listing = self.detector().apply(listing)
        return listing, Page(listing, frozenset(learned))

    def expect_items(self, listing: Listing) -> None:
        """A page that must have items has none: the layout changed. Stop."""
        if listing.items:
            return
        self.failures.append(
            f"{listing.page_url}: {listing.reason} where items were expected; "
            "the site's layout may have changed"
        )
        raise CloseSpider(LAYOUT_CHANGED)

    def failed(self, failure) -> None:
        """Errback: note a request that failed for good (after retries)."""
        self.failures.append(f"{failure.request.url}: {describe_failure(failure)}")


_PARSER_POOL: ProcessPoolExecutor | None = None


def _parsers() -> ProcessPoolExecutor:
    """A process that parses pages while this one crawls and writes.

    Scrapy runs every callback on one core; BeautifulSoup's parse is most of
    a page's cost, so on a fast host it is done beside the crawl, not in it.
    The spiders start it as they are made, before the crawl's threads exist.
    """
    global _PARSER_POOL
    if _PARSER_POOL is None:
        _PARSER_POOL = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_serve_crawler,
            initargs=(os.getpid(),),
        )
    return _PARSER_POOL


def _serve_crawler(crawler_pid: int) -> None:
    """In the parser process: leave Ctrl-C to the crawler, and end with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == crawler_pid:
            time.sleep(0.5)
        os._exit(0)  # the crawler was killed: nobody is left to parse for

    threading.Thread(target=watch, daemon=True).start()


def describe_failure(failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(IgnoreRequest):
        return str(failure.value) or "request ignored"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timed out"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "host not found"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused (host unreachable)"
    return failure.getErrorMessage() or failure.type.__name__
