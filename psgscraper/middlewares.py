"""Downloader middleware of the project: robots.txt, and raw captures."""

from __future__ import annotations

from typing import ClassVar

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from .pipelines import crawl_status
from .warc import WarcFile, capture_time


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


class CaptureMiddleware:
    """Dates every response as it arrives and keeps it in the crawl's WARC file.

    It sits next to the downloader, so it sees each response as the host sent
    it: before decompression, redirects and retries, every attempt (a 500
    before a retry, robots.txt) included. The capture time goes into the
    request's meta as `captured_at` (WARC-Date form): the archive dates a
    sighting by it, so that a re-parse of the WARC dates it the same.

    The WARC file is the PSG_WARC setting (none when empty); its warcinfo
    fields come from PSG_WARC_INFO.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        path = crawler.settings.get("PSG_WARC")
        self.warc: WarcFile | None = None
        if path:
            info = dict(crawler.settings.getdict("PSG_WARC_INFO"))
            info.setdefault("http-header-user-agent", crawler.settings["USER_AGENT"])
            info.setdefault(
                "robots", "obey" if crawler.settings.getbool("ROBOTSTXT_OBEY") else ""
            )
            self.warc = WarcFile.shared(path, info)
            crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        captured_at = capture_time()
        request.meta[CAPTURED_AT] = captured_at
        if self.warc is not None:
            self.warc.write_exchange(
                response.url,
                method=request.method,
                request_headers=_header_list(request.headers),
                status=response.status,
                response_headers=_header_list(response.headers),
                body=response.body,
                captured_at=captured_at,
                protocol=response.protocol or "HTTP/1.1",
                ip_address=str(response.ip_address) if response.ip_address else None,
            )
        return response

    def spider_closed(self, spider, reason) -> None:
        """Let go of the file; the last spider of a plain `scrapy crawl` ends it."""
        status = crawl_status([spider], [reason])
        failures = "; ".join(getattr(spider, "failures", ()))
        self.warc.release({"status": status, "message": failures})


CAPTURED_AT = "captured_at"


def _header_list(headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
