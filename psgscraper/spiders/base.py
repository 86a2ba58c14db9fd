"""What the spiders share: their arguments, the archive's knowledge, failures."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from ..archive import Archive
from ..items import FullText, Page
from ..middlewares import CAPTURED_AT
from ..parse import BoilerplateDetector, Listing, parse_item_page, parse_listing
from ..parse.links import archived_like
from ..site import LIVE_SITE
from ..warc import sighting_time

DEFAULT_BASE_URL = LIVE_SITE
LAYOUT_CHANGED = "layout_changed"
STOPPED = "stopped"  # finish reason of a crawl stopped by a fault (`stop`)


class ArchiveSpider(scrapy.Spider):
    """A spider that feeds the archive.

    Arguments (as `-a NAME=VALUE` with `scrapy crawl`): `base_url`, the site's
    root (the live host by default, or a web archive's copy, or the mirror);
    `incremental` (1 to stop a listing at the first page the archive already
    holds unchanged); `max_pages` (listing pages per section at most);
    `full_text` (1 to fetch the own page of each new or changed item).
    The archive file comes from the PSG_DB setting.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        incremental: str | bool = False,
        max_pages: str | int | None = None,
        full_text: str | bool = False,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/") + "/"
        self.incremental = _flag(incremental)
        self.full_text = _flag(full_text)
        self.max_pages = int(max_pages) if max_pages else None
        self.failures: list[str] = []
        self.stopped_by: str | None = None
        self._detector: BoilerplateDetector | None = None
        self._texts_asked: set[str] = set()
        self._archive: Archive | None = None
        _parsers().submit(int)  # start the parser process while the crawl starts

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        return spider

    def callback_failed(self, failure, response, spider) -> None:
        """A page whose reading raised: the crawl fails, saying where and why.

        Scrapy only logs such an error and goes on; an unattended crawl must
        not end `ok` with a page it could not read. Without its parser
        process (killed, or out of memory) no page can be read: it stops.
        """
        if failure.check(BrokenProcessPool):
            self.stop(
                "the parser process ended unexpectedly (killed, or out of "
                f"memory) while {response.url} was read; the crawl stopped"
            )
            return
        self.failures.append(
            f"{response.url}: could not be read "
            f"({failure.type.__name__}: {failure.getErrorMessage()})"
        )

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
        listing = await _parse_elsewhere(parse_listing, response, section=section)
        page = Page.read(listing, self.detector(), seen_at(response))
        return page.listing, page

    # -- full texts -----------------------------------------------------------

    def full_text_requests(self, response, listing: Listing) -> list[scrapy.Request]:
        """Requests for the own pages of the items worth fetching (`full_text`).

        New items, items whose listing entry changed and items with no text
        yet, each once a crawl; their pages are fetched through the same web
        archive as the listing, if it came from one.
        """
        if not self.full_text:
            return []
        archive = self.archive()
        wanted = (
            archive.wanting_full_text(listing.items)
            if archive is not None
            else [record for record in listing.items if record.url]
        )
        # Once a crawl: an item on several pages (or captures) is asked once.
        wanted = [record for record in wanted if record.id not in self._texts_asked]
        self._texts_asked.update(record.id for record in wanted)
        return [
            scrapy.Request(
                archived_like(record.url, response.url),
                callback=self.read_item_page,
                errback=self.item_page_failed,
                cb_kwargs={"item_id": record.id},
            )
            for record in wanted
        ]

    async def read_item_page(self, response, item_id: str):
        page = await _parse_elsewhere(parse_item_page, response)
        yield FullText.read(item_id, page, seen_at(response))

    def item_page_failed(self, failure):
        """An item page that cannot be had is noted; it does not fail the crawl."""
        item_id = failure.request.cb_kwargs["item_id"]
        yield FullText(item_id, None, None, describe_failure(failure))

    def expect_items(self, listing: Listing) -> None:
        """A page that must have items has none: the layout changed. Stop."""
        if listing.items:
            return
        self.failures.append(
            f"{listing.page_url}: {listing.reason} where items were expected; "
            "the site's layout may have changed"
        )
        raise CloseSpider(LAYOUT_CHANGED)

    def stop(self, reason: str) -> None:
        """Stop the crawl for a cause no retry mends (the disk is full).

        The reason is noted once; the requests the stop cancels are not
        failures of their own.
        """
        if self.stopped_by is None:
            self.stopped_by = reason
            self.failures.append(reason)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=STOPPED))

    def failed(self, failure):
        """Errback: retry what Scrapy's retries leave alone, else note the failure.

        Scrapy retries time-outs, lost connections and 5xx/429 answers itself;
        a redirect loop, an oversized or undecodable answer reach here at once,
        and are retried as often (a faulty host produces any of them). What
        failed for good is noted, with why.
        """
        if self.stopped_by is not None:
            return
        reason = describe_failure(failure)
        if _retried_here(failure):
            again = get_retry_request(failure.request, spider=self, reason=reason)
            if again is not None:
                yield again
                return
        self.failures.append(f"{failure.request.url}: {reason}")


def seen_at(response) -> str | None:
    """When the page showed what it shows, as the archive writes times: the
    web archive's capture time if it came from one, else when it arrived."""
    captured_at = response.meta.get(CAPTURED_AT)
    return sighting_time(response.url, captured_at) if captured_at else None


async def _parse_elsewhere(parser, response, **options):
    """Run a page parser on a response's body in the parser process."""
    content_type = response.headers.get("Content-Type")
    task = partial(
        parser,
        response.body,
        response.url,
        content_type=content_type.decode("latin-1") if content_type else None,
        **options,
    )
    return await asyncio.get_running_loop().run_in_executor(_parsers(), task)


def _flag(value: str | bool) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


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


def _retried_here(failure) -> bool:
    """Not an HTTP status (Scrapy's retries have had those), nor a refusal
    (robots.txt forbids) other than the end of a redirect loop."""
    if failure.check(HttpError):
        return False
    if failure.check(IgnoreRequest):
        return bool(failure.request.meta.get("redirect_urls"))
    return True


def describe_failure(failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(IgnoreRequest):
        if failure.request.meta.get("redirect_urls"):
            return f"a redirect loop ({failure.value})"
        return str(failure.value) or "request ignored"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timed out"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "host not found"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused (host unreachable)"
    if failure.check(ResponseDataLossError):
        return "the connection closed before the whole answer came (data loss)"
    if failure.check(zlib.error):
        return f"the answer's compression is broken ({failure.getErrorMessage()})"
    if failure.check(DownloadCancelledError) and "max size" in str(failure.value):
        return "the answer is larger than the 10 MB a listing page can be"
    return failure.getErrorMessage() or failure.type.__name__
