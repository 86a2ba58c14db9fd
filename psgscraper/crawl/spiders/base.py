"""What the spiders share: their arguments, reading a page, failures."""

from __future__ import annotations

import zlib

import scrapy
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
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from ...fetched import Fetched
from ...parse import Listing
from ...parse.links import item_page_url
from ...read import (
    Page,
    Reader,
    full_text,
    http_error,
    layout_changed,
    parse_fetched_item_page,
    parse_fetched_listing,
    text_not_had,
)
from ...site import LIVE_SITE
from ..extensions import (
    LAYOUT_CHANGED,
    ArchiveView,
    CrawlLife,
    ParserPool,
    TextsAsked,
)
from ..middlewares import CAPTURED_AT


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
        base_url: str = LIVE_SITE,
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
        self._reader: Reader | None = None

    # -- the crawl's components -----------------------------------------------

    @property
    def life(self) -> CrawlLife:
        return self.crawler.get_extension(CrawlLife)

    @property
    def held(self) -> ArchiveView:
        """What the archive already holds."""
        return self.crawler.get_extension(ArchiveView)

    @property
    def reader(self) -> Reader:
        """The crawl's reading of its pages, from the blocks the archive knows;
        the item pages asked for are the crawl's, shared with its other spiders."""
        if self._reader is None:
            self._reader = Reader(
                known_blocks=self.held.known_boilerplate(),
                texts_asked=self.crawler.get_extension(TextsAsked).ids,
            )
        return self._reader

    async def parse_elsewhere(self, parser, *args, **options):
        """A page parser's result, run in the crawl's parser process."""
        pool = self.crawler.get_extension(ParserPool)
        return await pool.parse(parser, *args, **options)

    # -- pages ----------------------------------------------------------------

    def request(self, url: str, callback, **cb_kwargs) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.failed, cb_kwargs=cb_kwargs
        )

    async def read_page(self, response, section: str) -> Page:
        """Parse a page (in the parser process); the reader takes it in."""
        fetched = fetched_from(response)
        listing = await self.parse_elsewhere(parse_fetched_listing, fetched, section)
        return self.reader.page(listing, fetched.seen_at)

    def expect_items(self, listing: Listing) -> None:
        """A section's first page without items: the layout changed. Stop."""
        why = layout_changed(listing)
        if why is not None:
            self.life.fail(why)
            raise CloseSpider(LAYOUT_CHANGED)

    # -- full texts -----------------------------------------------------------

    def full_text_requests(self, response, listing: Listing) -> list[scrapy.Request]:
        """Requests for the own pages of the items worth fetching (`full_text`).

        New items, items whose listing entry changed and items with no text
        yet, each once a crawl; their pages are asked of the copy being
        crawled (`item_page_url`): through the same web archive as the listing,
        if it came from one, and a link to the live host below the base URL.
        """
        if not self.full_text:
            return []
        wanted = self.reader.texts_to_ask(self.held.wanting_full_text(listing.items))
        return [
            scrapy.Request(
                item_page_url(record.url, response.url, self.base_url),
                callback=self.read_item_page,
                errback=self.item_page_failed,
                cb_kwargs={"item_id": record.id},
            )
            for record in wanted
        ]

    async def read_item_page(self, response, item_id: str):
        fetched = fetched_from(response)
        page = await self.parse_elsewhere(parse_fetched_item_page, fetched)
        yield full_text(item_id, fetched, page)

    def item_page_failed(self, failure):
        """An item page that cannot be had is noted; it does not fail the crawl.

        Why goes into the WARC file too, so that `psg reparse` notes the same;
        on one line, as a WARC record's field holds it.
        """
        item_id = failure.request.cb_kwargs["item_id"]
        why = " ".join(describe_failure(failure).split())
        self.life.note_unanswered(failure.request.url, why)
        yield text_not_had(item_id, why)

    # -- failures -------------------------------------------------------------

    def failed(self, failure):
        """Errback: retry what Scrapy's retries leave alone, else note the failure.

        Scrapy retries time-outs, lost connections and 5xx/429 answers itself;
        a redirect loop, an oversized or undecodable answer reach here at once,
        and are retried as often (a faulty host produces any of them). What
        failed for good is noted, with why.
        """
        if self.life.stopped_by is not None:
            return
        reason = describe_failure(failure)
        if _retried_here(failure):
            again = get_retry_request(failure.request, spider=self, reason=reason)
            if again is not None:
                yield again
                return
        self.life.fail(f"{failure.request.url}: {reason}")


def fetched_from(response) -> Fetched:
    """A Scrapy response as the reading code takes it, dated as it arrived."""
    content_type = response.headers.get("Content-Type")
    location = response.headers.get("Location")
    memento = response.headers.get("Memento-Datetime")
    links = response.headers.getlist("Link")
    return Fetched(
        response.url,
        response.status,
        content_type.decode("latin-1") if content_type else None,
        response.body,
        response.meta.get(CAPTURED_AT),
        location.decode("latin-1") if location else None,
        memento.decode("latin-1") if memento else None,
        ", ".join(link.decode("latin-1") for link in links) or None,
    )


def _flag(value: str | bool) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def _retried_here(failure) -> bool:
    """Not an HTTP status (Scrapy's retries have had those), nor a refusal
    (robots.txt forbids) other than the end of a redirect loop."""
    if failure.check(HttpError):
        return False
    if failure.check(IgnoreRequest):
        return bool(failure.request.meta.get("redirect_urls"))
    return True


def describe_failure(failure) -> str:
    """Why a request failed for good, as the crawl's report says it."""
    if failure.check(HttpError):
        return http_error(failure.value.response.status)
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
