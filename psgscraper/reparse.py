"""`psg reparse`: an archive rebuilt from WARC files alone, with no network.

Each WARC file is one crawl. The files are read in capture order (by the date
of their first record) and each is written as its crawl wrote it: the same
parser, the same boilerplate learning, the same archive calls, every sighting
dated by its capture. So a parser fix reaches the whole archive by re-parsing
into a new file, comparing the two (`psg diff`) and swapping them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .archive import INTERRUPTED, SITE, WAYBACK, WORDPRESS, Archive, ArchiveError
from .items import FullText, Page, PostsPage
from .parse import BoilerplateDetector, parse_item_page, parse_listing
from .parse.links import is_first_page, item_id_from_url, section_from_url
from .parse.wordpress import parse_posts
from .pipelines import write_full_text, write_page, write_posts_page
from .warc import Capture, CrawlWarc, archive_time, sighting_time, warc_files

KILLED = "the WARC file ends before the crawl did: the crawl was killed"


@dataclass
class ReparsedCrawl:
    """What re-parsing one WARC file wrote."""

    warc: Path
    crawl: dict  # the new archive's crawls row
    responses: int = 0
    item_pages: int = 0
    note: str | None = None  # what the re-parse could not rebuild


def reparse(
    sources: Iterable[str | os.PathLike],
    db: str | os.PathLike,
    on_crawl: Callable[[ReparsedCrawl], None] | None = None,
) -> list[ReparsedCrawl]:
    """Build a new archive at `db` from the WARC files (or directories) given.

    The archive is written beside `db` and moved there only once complete, so
    a failed re-parse leaves nothing behind. Raises ArchiveError when `db`
    exists already, WarcError when a source is not a readable WARC file.
    """
    db = Path(db)
    if db.exists():
        raise ArchiveError(
            f"{db} exists: re-parse into a new file, compare with psg diff, then swap"
        )
    paths = sorted({path for source in sources for path in warc_files(source)})
    crawls = sorted(
        (CrawlWarc.open(path) for path in paths),
        key=lambda warc: (warc.started, warc.path.name),
    )
    partial = db.with_name(db.name + ".partial")
    _remove_archive(partial)
    done = []
    try:
        with Archive(partial) as archive:
            for warc in crawls:
                done.append(_reparse_crawl(archive, warc))
                if on_crawl is not None:
                    on_crawl(done[-1])
            archive.checkpoint()
        partial.replace(db)
    finally:
        _remove_archive(partial)
    return done


def _reparse_crawl(archive: Archive, warc: CrawlWarc) -> ReparsedCrawl:
    """Write one WARC file's pages as its crawl did; finish the crawl as it ended."""
    info = warc.info
    source = info.get("psg-source", SITE)
    crawl_id = archive.start_crawl(
        info.get("psg-base-url", ""),
        (info.get("psg-sections") or "news,articles,home").split(","),
        info.get("psg-incremental") == "1",
        source=source,
        started=archive_time(warc.started),
        warc=warc.path,
    )
    detector = BoilerplateDetector(known=archive.known_boilerplate())
    result = ReparsedCrawl(warc.path, {})
    if source == WAYBACK:
        result.note = (
            "its captures are re-read and dated by capture time; the captures "
            "table, and the sightings of captures not fetched for their content "
            "was read before, are not rebuilt"
        )
    full_texts: dict[str, FullText] = {}
    for capture in warc.responses():
        result.responses += 1
        if source == WORDPRESS:
            posts = _posts_page(capture, detector)
            if posts is not None:
                write_posts_page(archive, crawl_id, posts)
            continue
        item_id = item_id_from_url(capture.url)
        if item_id is not None:
            full_texts[item_id] = _full_text(item_id, capture)
            continue
        page = _listing_page(capture, detector)
        if page is not None:
            write_page(archive, crawl_id, page)
    # An item page's last capture is what the crawl kept (earlier ones were
    # attempts it retried).
    for text in full_texts.values():
        write_full_text(archive, crawl_id, text)
    result.item_pages = len(full_texts)
    outcome = warc.outcome or {}
    result.crawl = archive.finish_crawl(
        crawl_id,
        outcome.get("status", INTERRUPTED),
        requests=int(outcome.get("requests") or result.responses),
        message=outcome.get("message") if warc.outcome else KILLED,
        ended=outcome.get("ended") or archive_time(warc.last_capture or warc.started),
    )
    return result


def _listing_page(capture: Capture, detector: BoilerplateDetector) -> Page | None:
    """A listing or home page as the crawl wrote it, or None if it wrote none.

    The crawl wrote every listing page it received whole (HTTP 200) except a
    section's first page without items: that stopped it (the layout changed).
    """
    section = section_from_url(capture.url)
    if capture.status != 200 or section is None:
        return None
    listing = parse_listing(
        capture.body, capture.url, content_type=capture.content_type, section=section
    )
    if not listing.items and is_first_page(capture.url):
        return None
    return Page.read(listing, detector, sighting_time(capture.url, capture.captured_at))


def _posts_page(capture: Capture, detector: BoilerplateDetector) -> PostsPage | None:
    """A page of WordPress posts as the crawl wrote it (an answer with posts)."""
    if capture.status != 200 or "wp/v2/posts" not in unquote(capture.url):
        return None
    posts = parse_posts(capture.body, capture.url)
    if not posts.listing.items:
        return None
    seen_at = sighting_time(capture.url, capture.captured_at)
    return PostsPage.read(posts, detector, seen_at)


def _full_text(item_id: str, capture: Capture) -> FullText:
    if capture.status != 200:
        return FullText(item_id, None, None, f"HTTP {capture.status}")
    page = parse_item_page(capture.body, capture.url, content_type=capture.content_type)
    return FullText.read(item_id, page, sighting_time(capture.url, capture.captured_at))


def _remove_archive(path: Path) -> None:
    for leftover in (path, *(Path(f"{path}{end}") for end in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
