"""What the archive does with each thing read: one transaction each.

The crawl's pipeline hands every Page, FullText, CaptureSeen and PostsPage a
spider read to `write()`; `psg reparse` does the same with what it read from
a WARC file. Each returns a line saying what it wrote, for the progress log.
"""

from __future__ import annotations

from .archive import Archive
from .parse.records import REPEATED
from .read import CaptureSeen, FullText, Page, PostsPage

Read = Page | FullText | CaptureSeen | PostsPage


def write(archive: Archive, crawl_id: int, read: Read) -> str:
    """Write one thing a crawl read into the archive; say what it did."""
    if isinstance(read, FullText):
        return write_full_text(archive, crawl_id, read)
    if isinstance(read, CaptureSeen):
        return write_capture(archive, crawl_id, read)
    if isinstance(read, PostsPage):
        return write_posts_page(archive, crawl_id, read)
    return write_page(archive, crawl_id, read)


def write_page(archive: Archive, crawl_id: int, page: Page) -> str:
    """Write a listing page, move what it showed to be a block; say what it did."""
    moved = 0
    with archive.transaction():  # the page, and what it showed to be a block
        outcome = archive.record_page(crawl_id, page.listing, seen_at=page.seen_at)
        if page.learned:
            moved = archive.set_aside_items(crawl_id, set(page.learned), REPEATED)
    return (
        f"{page.listing.page_url}: {outcome.items} items ({outcome.new} new, "
        f"{outcome.changed} changed), {outcome.blocks} set aside"
        + (f"; {moved} stored items were a repeated block" if moved else "")
    )


def write_full_text(archive: Archive, crawl_id: int, text: FullText) -> str:
    """Store an item's full text, or why its page gave none; say what it did."""
    archive.record_full_text(
        crawl_id, text.item_id, text.body, text.fetched_at, error=text.error
    )
    if text.error:
        return f"{text.item_id}: no full text ({text.error})"
    return f"{text.item_id}: full text, {len(text.body or '')} characters"


def write_capture(archive: Archive, crawl_id: int, seen: CaptureSeen) -> str:
    """Write a capture's page, if it gave one, and what became of it; say what."""
    with archive.transaction():  # a capture is recorded with its page, or not
        page_line = write_page(archive, crawl_id, seen.page) if seen.page else None
        archive.record_capture(
            crawl_id,
            seen.capture,
            url=seen.url,
            outcome=seen.outcome,
            captured=seen.captured,
            section=seen.section,
            fetched_at=seen.fetched_at,
            items_found=len(seen.page.listing.items) if seen.page else None,
            note=seen.note,
            same_content_as=seen.same_content_as,
        )
    when = seen.capture.timestamp
    return page_line or f"{seen.capture.original} of {when}: {seen.outcome}" + (
        f" ({seen.note})" if seen.note else ""
    )


def write_posts_page(archive: Archive, crawl_id: int, posts_page: PostsPage) -> str:
    """Write a page of WordPress posts, and each post's identity and dates."""
    with archive.transaction():
        page_line = write_page(archive, crawl_id, posts_page.page)
        archive.record_posts(crawl_id, posts_page.posts)
    return page_line
