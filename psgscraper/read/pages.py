"""Listing pages, item pages and WordPress's posts, as the archive takes them.

A response comes in as `Fetched` (the spiders make one of each download,
`psg reparse` of each response its WARC file kept). Parsing it is pure and
runs anywhere (the spiders run it in their parser process); what the crawl
learns from the pages it read (repeated blocks, the item pages it asked for)
is a `Reader`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ..fetched import Fetched
from ..parse import (
    BoilerplateDetector,
    ItemPage,
    Listing,
    Record,
    parse_item_page,
    parse_listing,
)
from ..parse.links import is_first_page
from ..parse.wordpress import POSTS, Post, Posts, api_root, parse_posts

# WordPress's posts list, and the one page of it a crawl asks at a time.
POSTS_ROUTE = "/wp/v2/posts"


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


@dataclass(frozen=True)
class FullText:
    """An item's text from its own page, or why its page gave none."""

    item_id: str
    body: str | None
    fetched_at: str | None
    error: str | None = None


@dataclass(frozen=True)
class PostsPage:
    """One page of a WordPress site's posts: the page, and each post's identity."""

    page: Page
    posts: tuple[Post, ...]


def http_error(status: int) -> str:
    """What an answer with an error status gave instead of a page."""
    return f"HTTP {status}"


# -- parsing: pure, so that it can run in another process ----------------------


def parse_fetched_listing(fetched: Fetched, section: str | None) -> Listing:
    return parse_listing(
        fetched.body, fetched.url, content_type=fetched.content_type, section=section
    )


def parse_fetched_item_page(fetched: Fetched) -> ItemPage:
    return parse_item_page(fetched.body, fetched.url, content_type=fetched.content_type)


def parse_fetched_posts(fetched: Fetched) -> Posts:
    return parse_posts(fetched.body, fetched.url, section=POSTS)


# -- what a page means -----------------------------------------------------------


def layout_changed(listing: Listing) -> str | None:
    """Why the crawl must stop at this page, or None.

    A section's first page (a listing's `news.php`, the home page, the first
    page of posts) always has items; without any, the site's layout changed
    and nothing further can be trusted. A later page without items is past
    the end.
    """
    if listing.items or not _is_first_page(listing):
        return None
    return (
        f"{listing.page_url}: {listing.reason} where items were expected; "
        "the site's layout may have changed"
    )


def _is_first_page(listing: Listing) -> bool:
    if listing.section == POSTS:
        return posts_page_number(listing.page_url) == 1
    return is_first_page(listing.page_url)


def wordpress_api_root(fetched: Fetched) -> str | None:
    """The REST API's root that a page of a WordPress site names, or None.

    Found as WordPress documents its discovery, not guessed: `/wp-json/`
    answers only where the web server rewrites it, and a server that sends
    every path to index.php answers a site without pretty permalinks there
    with a redirect to its home page.
    """
    return api_root(fetched.link, fetched.body, fetched.url)


def posts_url(api_root: str, query: str) -> str:
    """A page of the posts list under the API's root: `/wp-json/wp/v2/posts?...`,
    or `...?rest_route=/wp/v2/posts&...` for a root given as a `rest_route`."""
    parts = urlsplit(api_root)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "rest_route" for name, _ in params):
        routed = [
            (name, value.rstrip("/") + POSTS_ROUTE if name == "rest_route" else value)
            for name, value in params
        ]
        routed_query = f"{urlencode(routed, safe='/')}&{query}"
        return urlunsplit(parts._replace(query=routed_query))
    path = parts.path.rstrip("/") + POSTS_ROUTE
    return urlunsplit(parts._replace(path=path, query=query))


def posts_shortfall(counted: int | None, listed: int) -> str | None:
    """Why the posts read fall short of the number the site counts for the
    query (`X-WP-Total`), or None: a post was skipped between two pages (one
    published, unpublished or deleted as they were read)."""
    if counted is None or listed >= counted:
        return None
    return (
        f"read {listed} of the {counted} posts the site counts (X-WP-Total): "
        "some were missed, perhaps as posts changed during the crawl; run it again"
    )


def is_posts_url(url: str) -> bool:
    """A URL of the posts list, by either route."""
    return POSTS_ROUTE in unquote(url)


def posts_page_number(url: str) -> int:
    values = parse_qs(urlsplit(url).query).get("page", ["1"])
    return int(values[0]) if values[0].isdigit() else 1


# -- what a crawl learns from the pages it reads -----------------------------------


class Reader:
    """One crawl's reading of its pages, in the order they arrive.

    It counts every listing page's blocks: a block that turns out to be
    repeated is set aside on that page and every page read after it, and the
    page that showed it says so (`Page.learned`), so that the items stored
    earlier under that block's fingerprint are set aside too. It also
    remembers which items' own pages the crawl asked for: each once.
    """

    def __init__(self, known_blocks=(), texts_asked: set[str] | None = None) -> None:
        self.blocks = BoilerplateDetector(known=known_blocks)
        # The ids of the items asked for, shared by readers of one crawl if given.
        self._texts_asked: set[str] = set() if texts_asked is None else texts_asked

    def page(self, listing: Listing, seen_at: str | None) -> Page:
        """The page as the archive takes it: its repeated blocks learned, set aside."""
        learned = self.blocks.learn(listing)
        return Page(self.blocks.apply(listing), frozenset(learned), seen_at)

    def posts_page(self, posts: Posts, seen_at: str | None) -> PostsPage:
        """A page of posts as the archive takes it; a post set aside loses its row."""
        page = self.page(posts.listing, seen_at)
        kept = {record.id for record in page.listing.items}
        return PostsPage(
            page, tuple(post for post in posts.posts if post.record.id in kept)
        )

    def texts_to_ask(self, records: list[Record]) -> list[Record]:
        """Of the records whose own page is wanted, those not asked for yet."""
        wanted = [record for record in records if record.id not in self._texts_asked]
        self._texts_asked.update(record.id for record in wanted)
        return wanted


def full_text(item_id: str, fetched: Fetched, page: ItemPage | None) -> FullText:
    """An item's text from its own page, as fetched (`page` parsed from it)."""
    if fetched.status != 200 or page is None:
        return FullText(item_id, None, None, http_error(fetched.status))
    return FullText(item_id, page.body or None, fetched.seen_at, page.reason)


def text_not_had(item_id: str, why: str) -> FullText:
    """An item whose page could not be had at all: why."""
    return FullText(item_id, None, None, why)
