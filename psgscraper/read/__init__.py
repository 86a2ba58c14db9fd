"""What a fetched response means, decided once: pure code, no Scrapy.

The spiders call it on what they download, `psg reparse` on what a WARC file
kept; both hand what it returns to the archive (`psgscraper.write`).

- `pages`: a listing page, an item's own page, a page of WordPress posts,
  read into what the archive takes (Page, FullText, PostsPage), with the
  crawl's learning of repeated blocks (`Reader`);
- `captures`: a web archive's captures as a crawl reads them: which are
  fetched, and what became of each (CaptureSeen).
"""

from .captures import CaptureReading, CaptureSeen
from .pages import (
    FullText,
    Page,
    PostsPage,
    Reader,
    full_text,
    http_error,
    is_posts_url,
    layout_changed,
    parse_fetched_item_page,
    parse_fetched_listing,
    parse_fetched_posts,
    posts_shortfall,
    posts_url,
    text_not_had,
    wordpress_api_root,
)

__all__ = [
    "CaptureReading",
    "CaptureSeen",
    "FullText",
    "Page",
    "PostsPage",
    "Reader",
    "full_text",
    "http_error",
    "is_posts_url",
    "layout_changed",
    "parse_fetched_item_page",
    "parse_fetched_listing",
    "parse_fetched_posts",
    "posts_shortfall",
    "posts_url",
    "text_not_had",
    "wordpress_api_root",
]
