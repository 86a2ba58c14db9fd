"""Downloader middleware of the project: robots.txt, Retry-After, raw captures."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import ClassVar

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from ..fetched import capture_time
from ..warc import WarcError
from .extensions import CrawlLife


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with one robots.txt request per host.

    `psg crawl` runs one spider per source layout in one process; each has its
    own middleware, and each would fetch robots.txt again. Sharing what was
    parsed keeps a crawl from requesting any URL twice.

    It also mends how requests wait for a robots.txt still on its way: Scrapy
    awaits the one shared Deferred from every waiting request, but a Deferred
    hands its result to the first waiter only and None (allow everything) to
    the others, so concurrent first requests slipped past a forbidding
    robots.txt. Here every waiter gets its own copy of the result.
    """

    _shared_parsers: ClassVar[dict] = {}

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._parsers = SharedRobotsTxtMiddleware._shared_parsers

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        own: Deferred = Deferred()

        def pass_on(result):
            own.callback(result)
            return result

        pending.addCallback(pass_on)
        return await maybe_deferred_to_future(own)


class RedirectsThroughDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, except that a redirect is always followed.

    A redirect back to a page already asked for (a loop) would be dropped by
    the filter without a word, and the page silently missing; followed, it
    ends at the redirect middleware's limit, as a failure the crawl reports.
    """

    def request_seen(self, request) -> bool:
        if request.meta.get("redirect_urls"):
            return False
        return super().request_seen(request)


class RetryAfterMiddleware:
    """A host that answers 429 or 503 is given the time it asks for.

    Before Scrapy's retry middleware retries such an answer, this one waits:
    the `Retry-After` the host sent (seconds or an HTTP date), else 2, 4, 8
    ... seconds by the request's retries so far. A host that asks for more than
    PSG_MAX_RETRY_AFTER seconds is not waited for: the retries go on at once
    and the crawl fails with the status, so that an unattended crawl never
    sleeps for hours.
    """

    STATUSES = (429, 503)

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.longest = crawler.settings.getfloat("PSG_MAX_RETRY_AFTER", 120)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response):
        if response.status in self.STATUSES:
            wait = retry_after(response.headers.get("Retry-After"))
            if wait is None:
                wait = 2.0 ** (request.meta.get("retry_times", 0) + 1)
            if wait <= self.longest:
                await self._wait(wait)
        return response

    async def _wait(self, seconds: float) -> None:
        """Sleep, but not past the start of a graceful stop (Ctrl-C, SIGTERM)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while self.crawler.crawling and loop.time() < until:
            await asyncio.sleep(min(0.25, until - loop.time()))


def retry_after(value: bytes | None) -> float | None:
    """Seconds a Retry-After header asks for: a number, or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class CaptureMiddleware:
    """Dates every response as it arrives and keeps it in the crawl's WARC file.

    It sits next to the downloader, so it sees each response as the host sent
    it: before decompression, redirects and retries, every attempt (a 500
    before a retry, robots.txt) included. The capture time goes into the
    request's meta as `captured_at` (WARC-Date form): the archive dates a
    sighting by it, so that a re-parse of the WARC dates it the same. The
    WARC file is the crawl's (CrawlLife), if it keeps one.
    """

    def __init__(self, crawler) -> None:
        self.life = crawler.get_extension(CrawlLife)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        captured_at = capture_time()
        request.meta[CAPTURED_AT] = captured_at
        if self.life.warc is not None:
            try:
                self.life.warc.write_exchange(
                    response.url,
                    method=request.method,
                    request_headers=_header_list(request.headers),
                    status=response.status,
                    response_headers=_header_list(response.headers),
                    body=response.body,
                    captured_at=captured_at,
                    protocol=response.protocol or "HTTP/1.1",
                    ip_address=str(response.ip_address)
                    if response.ip_address
                    else None,
                )
            except WarcError as error:
                # A page the crawl cannot keep raw is not archived either.
                self.life.stop(str(error))
                raise IgnoreRequest(str(error)) from None
        return response


CAPTURED_AT = "captured_at"


def _header_list(headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
