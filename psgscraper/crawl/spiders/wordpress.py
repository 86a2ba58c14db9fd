"""The current site: its WordPress posts, read through the REST API.

The crawl first asks the site where its API is: every WordPress page names
it (`wordpress_api_root`), as `/wp-json/` or, where the web server does not
rewrite that path, `/index.php?rest_route=/`. It then lists the posts in the
order of their ids, `X-WP-TotalPages` saying how many pages there are (all
asked at once after the first), and checks what it read against the count
the API gives (`X-WP-Total`). Posts are not listed by their `modified` time:
WordPress orders ties (a bulk edit gives many posts one time) differently
from one page to the next, so a post can fall between two pages.

An incremental crawl asks only for the posts modified since the latest a
crawl of the site that ended `ok` read (`modified_after`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from ...parse.wordpress import API_REL, NO_POSTS, PAST_THE_END_CODE, POSTS
from ...read import (
    http_error,
    parse_fetched_posts,
    posts_shortfall,
    posts_url,
    wordpress_api_root,
)
from .base import ArchiveSpider, fetched_from

PER_PAGE = 100  # the most the API gives at once
FIELDS = "id,date,date_gmt,modified,modified_gmt,link,title,excerpt"
# WordPress compares `modified_after` with its posts' local times, which repeat
# an hour when the clocks go back: an hour earlier misses none. A post read
# again unchanged changes nothing.
MODIFIED_MARGIN = timedelta(hours=1)


class WordPressSpider(ArchiveSpider):
    """Reads every post of a WordPress site (`base_url`) into the archive."""

    name = "wordpress"
    sections = (POSTS,)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.api_root: str | None = None
        self.modified_after: str | None = None  # an incremental crawl's bound
        self.counted: int | None = None  # the posts the API counts for the query
        self.listed: set[int | str] = set()  # the posts read
        self.pages_left: set[int] = set()
        self.cut_short = False  # fewer pages asked for than there are (max_pages)

    async def start(self):
        request = self.request(self.base_url, self.find_api)
        request.meta["handle_httpstatus_list"] = [404]  # it names the API too
        yield request

    async def find_api(self, response):
        fetched = fetched_from(response)
        root = await self.parse_elsewhere(wordpress_api_root, fetched)
        if root is None:
            why = "no WordPress API named there (no Link header or <link> with "
            why += f'rel="{API_REL}")'
            if response.status != 200:
                why = f"{http_error(response.status)}, {why}"
            self.life.fail(f"{response.url}: {why}; is it a WordPress site?")
            return
        self.api_root = root
        if self.incremental:
            through = self.held.posts_modified_through(self.base_url)
            self.modified_after = _bound(through)
        yield self.posts_request(1)

    def posts_request(self, page: int):
        query = {"per_page": PER_PAGE, "page": page, "_fields": FIELDS,
                 "orderby": "id", "order": "asc"}  # fmt: skip
        if self.modified_after is not None:
            query["modified_after"] = self.modified_after
        request = self.request(
            posts_url(self.api_root, urlencode(query)), self.parse, page=page
        )
        # A 400 (past the last page) and a 404 (no such route) are answers
        # to read, with WordPress's error code, not bare failures.
        request.meta["handle_httpstatus_list"] = [400, 404]
        return request

    async def parse(self, response, page: int):
        fetched = fetched_from(response)
        posts = await self.parse_elsewhere(parse_fetched_posts, fetched)
        if posts.code == PAST_THE_END_CODE:
            self.all_read()
            return
        if response.status != 200:
            reason = posts.listing.reason
            self.life.fail(
                f"{response.url}: {http_error(response.status)}"
                + (f" ({reason})" if reason else "")
            )
            return
        if self.modified_after and posts.listing.reason == NO_POSTS and page == 1:
            return  # nothing modified since the last crawl
        read = self.reader.posts_page(posts, fetched.seen_at)
        self.expect_items(read.page.listing)
        self.listed.update(posts.listed)
        if page == 1:
            self.counted = _header_number(response, "X-WP-Total")
        yield read
        for request in self.next_pages(response, page, bool(posts.listed)):
            yield request

    def next_pages(self, response, page: int, had_posts: bool):
        """The pages to ask for after `page`: all the rest after the first, or,
        without a page count, the next until the API says past the end."""
        pages = _header_number(response, "X-WP-TotalPages")
        if pages is None:
            if not had_posts:
                self.all_read()
            elif self.max_pages is not None and page >= self.max_pages:
                self.cut_short = True
            else:
                yield self.posts_request(page + 1)
            return
        if page == 1:
            last = min(pages, self.max_pages or pages)
            self.cut_short = last < pages
            self.pages_left = set(range(2, last + 1))
            for number in sorted(self.pages_left):
                yield self.posts_request(number)
        self.pages_left.discard(page)
        if not self.pages_left:
            self.all_read()

    def all_read(self) -> None:
        """Every page asked for is read: the posts read must be all there are."""
        if self.cut_short:
            return
        shortfall = posts_shortfall(self.counted, len(self.listed))
        if shortfall is not None:
            self.life.fail(f"{self.api_root}: {shortfall}")


def _bound(modified_through: str | None) -> str | None:
    """`modified_after` for the posts modified since `modified_through`."""
    if modified_through is None:
        return None
    moment = datetime.fromisoformat(modified_through).astimezone(timezone.utc)
    return (moment - MODIFIED_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_number(response, name: str) -> int | None:
    value = response.headers.get(name)
    if value is None or not value.strip().isdigit():
        return None
    return int(value)
