"""The home page: the latest items, date line before the title."""

from __future__ import annotations

from .base import ArchiveSpider


class HomeSpider(ArchiveSpider):
    name = "home"
    sections = ("home",)

    async def start(self):
        yield self.request(self.base_url, self.parse)

    async def parse(self, response):
        listing, found = await self.read_page(response, "home")
        self.expect_items(listing)
        yield found
