"""Downloader middleware of the project."""

from __future__ import annotations

from typing import ClassVar

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


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
