"""The current site: its WordPress posts, read through the REST API.

`/wp-json/wp/v2/posts?per_page=100&page=N` lists the posts most recently
modified first, with `X-WP-TotalPages` saying how many pages there are; a site
without pretty permalinks answers the same at `/?rest_route=/wp/v2/posts`.
A full crawl asks for every page; an incremental one stops at the first page
whose posts the archive holds with the same `modified`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ...parse.wordpress import PAST_THE_END_CODE, POSTS
from ...read import http_error, parse_fetched_posts, posts_url
from .base import ArchiveSpider, fetched_from

PER_PAGE = 100  # the most the API gives at once
FIELDS = "id,date,date_gmt,modified,modified_gmt,link,title,excerpt"


class WordPressSpider(ArchiveSpider):
    """Reads every post of a WordPress site (`base_url`) into the archive."""

    name = "wordpress"
    sections = (POSTS,)

    async def start(self):
        yield self.posts_request(1, pretty=True)

    def posts_request(self, page: int, pretty: bool):
        query = urlencode(
            {"per_page": PER_PAGE, "page": page, "_fields": FIELDS,
             "orderby": "modified", "order": "desc"}
        )  # fmt: skip
        url = posts_url(self.base_url, query, pretty=pretty)
        request = self.request(url, self.parse, page=page, pretty=pretty)
        # A 404 (no pretty permalinks) and a 400 (past the last page) are
        # answers to read, not failures.
        request.meta["handle_httpstatus_list"] = [400, 404]
        return request

    async def parse(self, response, page: int, pretty: bool):
        if response.status == 404 and page == 1 and pretty:
            yield self.posts_request(1, pretty=False)
            return
        fetched = fetched_from(response)
        posts = await self.parse_elsewhere(parse_fetched_posts, fetched)
        if posts.code == PAST_THE_END_CODE:
            return  # the end: past the last page
        if response.status != 200:
            reason = posts.listing.reason
            self.life.fail(
                f"{response.url}: {http_error(response.status)}"
                + (f" ({reason})" if reason else "")
            )
            return
        read = self.reader.posts_page(posts, fetched.seen_at)
        self.expect_items(read.page.listing)
        caught_up = self.incremental and self.held.holds_posts_unchanged(posts.posts)
        yield read
        if caught_up or not posts.listing.items:
            return
        pages = _total_pages(response)  # None: until the API says past the end
        last = min(pages or page + 1, self.max_pages or page + 1)
        if self.incremental or pages is None:  # one page after another
            if page < last:
                yield self.posts_request(page + 1, pretty)
        elif page == 1:  # every page at once: the host takes them at its pace
            for number in range(2, min(pages, self.max_pages or pages) + 1):
                yield self.posts_request(number, pretty)


def _total_pages(response) -> int | None:
    value = response.headers.get("X-WP-TotalPages")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)
