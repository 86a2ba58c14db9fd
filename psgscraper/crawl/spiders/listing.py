"""The news and articles listings: `news.php?position=N`, following "Older"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from w3lib.url import add_or_replace_parameter

from ...parse import Listing
from ...site import LISTING_SECTIONS
from .base import ArchiveSpider


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

    def __init__(self, sections: str = ",".join(LISTING_SECTIONS), **kwargs) -> None:
        super().__init__(**kwargs)
        self.sections = [s for s in sections.split(",") if s]
        self._furthest: dict[str, int] = {}  # position asked for, per section
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
        read = await self.read_page(response, section)
        listing = read.listing
        self.expect_items(listing)
        caught_up = self.incremental and self.held.holds_unchanged(listing.items)
        item_pages = self.full_text_requests(response, listing)
        yield read
        for request in item_pages:
            yield request
        if not listing.items or caught_up or listing.older is None:
            return
        for number, url in self.older_pages(section, response.url, listing, page):
            if self.max_pages is not None and number > self.max_pages:
                return
            yield self.request(url, self.parse, section=section, page=number)

    def older_pages(
        self, section: str, page_url: str, listing: Listing, page: int
    ) -> list[tuple[int, str]]:
        """The "Older" page, then in a full crawl the ones its pattern predicts.

        Each comes with its page number. A predicted page is asked for once:
        each page extends the window past the furthest one already asked for,
        up to the last page the pagination shows, if it shows one.
        """
        older = listing.older
        window = (
            1
            if self.incremental
            else self.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
        )
        here, there = _position(page_url) or 0, _position(older)
        if window == 1 or there is None or there <= here:
            return [(page + 1, older)]
        step = there - here
        last = _position(listing.last) if listing.last else None
        if last is not None and last >= there:
            window = min(window, (last - here) // step)
        furthest = self._furthest.get(section, here)
        ahead = range(max(1, (furthest - here) // step + 1), window + 1)
        if ahead:
            self._furthest[section] = here + step * ahead[-1]
        return [
            (
                page + n,
                add_or_replace_parameter(older, "position", str(here + step * n)),
            )
            for n in ahead
        ]


def _position(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("position")
    if not values or not values[0].isdigit():
        return None
    return int(values[0])
