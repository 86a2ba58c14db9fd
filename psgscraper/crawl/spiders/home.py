"""The home page: the latest items, date line before the title."""

from __future__ import annotations

from ...site import HOME
from .base import ArchiveSpider


class HomeSpider(ArchiveSpider):
    """The home page, and with `full_text` the own pages of its items that the
    crawl has not asked for (those seen only here among them)."""

    name = "home"
    sections = (HOME,)

    async def start(self):
        yield self.request(self.base_url, self.parse)

    async def parse(self, response):
        read = await self.read_page(response, HOME)
        self.expect_items(read.listing)
        item_pages = self.full_text_requests(response, read.listing)
        yield read
        for request in item_pages:
            yield request
