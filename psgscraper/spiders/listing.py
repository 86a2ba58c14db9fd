"""The news and articles listings: `news.php?position=N`, following "Older"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from w3lib.url import add_or_replace_parameter

from .base import ArchiveSpider

LISTING_SECTIONS = ("news", "articles")


class ListingSpider(ArchiveSpider):
    """Crawls the listings newest first, following "Older".

    A section stops at a page without items (past the end), at the last page
    (no "Older" link), at `max_pages`, or, when incremental, at the first page
    whose items the archive already holds unchanged. A full crawl also asks
    for the pages the "Older" link's `position=N` pattern predicts, as many as
    the host takes at once, so that a listing of 160 pages does not cost 160
    round trips one after the other; pages past the end answer with an empty
    list and stop it.
    """

    name = "listing"

    def __init__(self, sections: str = "news,articles", **kwargs) -> None:
        super().__init__(**kwargs)
        self.sections = [s for s in sections.split(",") if s]
        unknown = set(self.sections) - set(LISTING_SECTIONS)
        if unknown or not self.sections:
            raise ValueError(
                f"sections must be among {', '.join(LISTING_SECTIONS)}: {sections!r}"
            )

    async def start(self):
        for section in self.sections:
            url = f"{self.base_url}{section}.php"
            yield self.request(url, self.parse, section=section, page=1)

    async def parse(self, response, section: str, page: int):
        listing, found = await self.read_page(response, section)
        if page == 1:
            self.expect_items(listing)
        caught_up = self.incremental and self.holds_unchanged(listing)
        item_pages = self.full_text_requests(response, listing)
        yield found
        for request in item_pages:
            yield request
        if not listing.items or caught_up or listing.older is None:
            return
        for number, url in enumerate(self.older_pages(response.url, listing.older)):
            if self.max_pages is not None and page + 1 + number > self.max_pages:
                return
            yield self.request(url, self.parse, section=section, page=page + 1 + number)

    def older_pages(self, page_url: str, older: str) -> list[str]:
        """The "Older" page, then in a full crawl the ones its pattern predicts."""
        window = (
            1
            if self.incremental
            else self.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
        )
        here, there = _position(page_url), _position(older)
        if window == 1 or there is None or there <= (here or 0):
            return [older]
        step = there - (here or 0)
        return [
            add_or_replace_parameter(older, "position", str(there + step * ahead))
            for ahead in range(window)
        ]


def _position(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("position")
    if not values or not values[0].isdigit():
        return None
    return int(values[0])
