"""The news and articles listings: `news.php?position=N`, following "Older"."""

from __future__ import annotations

from .base import ArchiveSpider

LISTING_SECTIONS = ("news", "articles")


class ListingSpider(ArchiveSpider):
    """Crawls the listings newest first, a page at a time, following "Older".

    A section stops at a page without items (past the end), at the last page
    (no "Older" link), at `max_pages`, or, when incremental, at the first page
    whose items the archive already holds unchanged.
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
            yield self.request(
                f"{self.base_url}{section}.php", self.parse, section=section, page=1
            )

    def parse(self, response, section: str, page: int):
        listing, found = self.read_page(response, section)
        if page == 1:
            self.expect_items(listing)
        caught_up = self.incremental and self.holds_unchanged(listing)
        yield found
        if not listing.items or caught_up or listing.older is None:
            return
        if self.max_pages is not None and page >= self.max_pages:
            return
        yield self.request(listing.older, self.parse, section=section, page=page + 1)
