"""The home page: the latest items, date line before the title."""

from __future__ import annotations

from ...site import HOME
from .base import ArchiveSpider


class HomeSpider(ArchiveSpider):
    name = "home"
    sections = (HOME,)

    async def start(self):
        yield self.request(self.base_url, self.parse)

    async def parse(self, response):
        read = await self.read_page(response, HOME)
        self.expect_items(read.listing)
        yield read
