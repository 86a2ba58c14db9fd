"""Recognising the blocks the site printed on every listing page.

A block without a detail link and a date line is set aside as soon as it is
parsed. Some blocks carry one of the two (an appeal with a date, an event
notice), so the detector here learns them from repetition instead: a block
printed with the same title and text on several listing pages of one section at
one time is boilerplate. A real item appears on at most two pages of a section
at one time (once, or twice if the listing shifts while it is crawled), so the
default threshold of three pages never takes an item for a block.

"At one time" is one crawl of the site; for a web archive's captures, which
span years, it is one day of captures: over the weeks an item moves down the
listing from page to page, and only a block is on many pages on one day.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from .links import capture_timestamp, strip_archive_prefix
from .records import REPEATED, Listing


def fingerprint(title: str, text: str) -> str:
    """A block's identity: its title and text, as the parser folds them, hashed.

    Case is ignored, so a block whose heading changed only in case is the same.
    """
    key = f"{title}\n{text}".casefold()
    return hashlib.sha1(key.encode()).hexdigest()


class BoilerplateDetector:
    """Learns repeated blocks from the listings of a crawl.

    `learn()` each parsed listing, then `apply()` a listing to move the items
    that turned out to be repeated blocks into its set-aside blocks. Blocks
    known from earlier crawls can be given at the start.
    """

    def __init__(self, min_pages: int = 3, known: Iterable[str] = ()) -> None:
        self.min_pages = min_pages
        self.known: set[str] = set(known)
        # Per section and block, per capture day, the pages that showed it.
        self._pages: dict[tuple, dict[str | None, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )

    def learn(self, listing: Listing) -> set[str]:
        """Count this page's blocks and items; return fingerprints newly known."""
        day, page = _when_and_where(listing.page_url)
        newly_known = set()
        for block_fingerprint in self._fingerprints(listing):
            pages = self._pages[(listing.section, block_fingerprint)][day]
            pages.add(page)
            if len(pages) >= self.min_pages and block_fingerprint not in self.known:
                self.known.add(block_fingerprint)
                newly_known.add(block_fingerprint)
        return newly_known

    def apply(self, listing: Listing) -> Listing:
        """The listing with every known repeated block set aside."""
        return listing.without(self.known, REPEATED)

    @staticmethod
    def _fingerprints(listing: Listing) -> set[str]:
        return {item.fingerprint for item in listing.items} | {
            block.fingerprint for block in listing.set_aside
        }


def _when_and_where(page_url: str) -> tuple[str | None, str]:
    """A page's capture day (None for a crawl of the site) and the page it is.

    A web archive's capture is the page it captured, on either host spelling.
    """
    stamp = capture_timestamp(page_url)
    if stamp is None:
        return None, page_url
    original = strip_archive_prefix(page_url)
    return stamp[:8], original.replace("://www.", "://", 1).lower()
