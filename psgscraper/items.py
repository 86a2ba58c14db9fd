"""What the spiders hand to the pipeline, and `psg reparse` to the archive."""

from __future__ import annotations

from dataclasses import dataclass, field

from .parse import BoilerplateDetector, ItemPage, Listing
from .parse.cdx import CdxCapture
from .parse.wordpress import Post, Posts


@dataclass(frozen=True)
class Page:
    """One parsed listing page, and the blocks the crawl learned from it.

    `learned` holds fingerprints that became known as repeated blocks on this
    page: items stored earlier with those fingerprints are boilerplate too.
    `seen_at` is when the page was captured, as the archive writes times.
    """

    listing: Listing
    learned: frozenset[str] = field(default_factory=frozenset)
    seen_at: str | None = None

    @classmethod
    def read(
        cls, listing: Listing, detector: BoilerplateDetector, seen_at: str | None
    ) -> Page:
        """The page as the archive takes it: its repeated blocks learned, set aside."""
        learned = detector.learn(listing)
        return cls(detector.apply(listing), frozenset(learned), seen_at)


@dataclass(frozen=True)
class FullText:
    """An item's text from its own page, or why its page gave none."""

    item_id: str
    body: str | None
    fetched_at: str | None
    error: str | None = None

    @classmethod
    def read(cls, item_id: str, page: ItemPage, fetched_at: str | None) -> FullText:
        """The text of a parsed item page, or why it gave none."""
        return cls(item_id, page.body or None, fetched_at, page.reason)


@dataclass(frozen=True)
class CaptureSeen:
    """A web-archive capture the crawl listed, and what became of it.

    `url` is where its bytes are (or would be) replayed; `outcome` is one of
    the archive's PARSED, SAME_CONTENT, REDIRECT, SKIPPED, with `page` the
    page read from it and `same_as` the URL of a capture read before with
    the same content.
    """

    capture: CdxCapture
    url: str
    outcome: str
    captured: str  # the capture time, as the archive writes times
    section: str | None = None
    page: Page | None = None
    fetched_at: str | None = None
    note: str | None = None
    same_as: str | None = None


@dataclass(frozen=True)
class PostsPage:
    """One page of a WordPress site's posts: the page, and each post's identity."""

    page: Page
    posts: tuple[Post, ...]

    @classmethod
    def read(
        cls, posts: Posts, detector: BoilerplateDetector, seen_at: str | None
    ) -> PostsPage:
        page = Page.read(posts.listing, detector, seen_at)
        kept = {record.id for record in page.listing.items}
        return cls(page, tuple(post for post in posts.posts if post.record.id in kept))
