"""`psg reparse`: an archive rebuilt from WARC files alone, with no network.

Each WARC file is one crawl. The files are read in capture order (by the date
of their first record) and each is written as its crawl wrote it: the same
reading of each response (`psgscraper.read`), the same boilerplate learning,
the same archive writes, every sighting dated by its capture. A crawl of a
web archive is rebuilt from the CDX answers it kept: the same captures are
judged and read in the same order, so its `captures` table comes back too.
So a parser fix reaches the whole archive by re-parsing into a new file,
comparing the two (`psg diff`) and swapping them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from .archive import INTERRUPTED, SITE, WAYBACK, WORDPRESS, Archive, ArchiveError
from .fetched import Fetched, archive_time
from .parse.cdx import CdxCapture, parse_cdx
from .parse.links import item_id_from_url, section_from_url
from .read import (
    CaptureReading,
    Reader,
    full_text,
    http_error,
    is_posts_url,
    layout_changed,
    parse_fetched_item_page,
    parse_fetched_listing,
    parse_fetched_posts,
    text_not_had,
)
from .read.captures import REDIRECTS, is_cdx_answer, is_html, is_redirect
from .site import SECTIONS
from .warc import CrawlWarc, Unanswered, warc_files
from .write import write

KILLED = "the WARC file ends before the crawl did: the crawl was killed"
MAX_REDIRECTS = 5  # as the crawl follows them (REDIRECT_MAX_TIMES)


@dataclass
class ReparsedCrawl:
    """What re-parsing one WARC file wrote."""

    warc: Path
    crawl: dict  # the new archive's crawls row
    responses: int = 0
    item_pages: int = 0


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
        (info.get("psg-sections") or ",".join(SECTIONS)).split(","),
        info.get("psg-incremental") == "1",
        source=source,
        started=info.get("psg-started") or archive_time(warc.started),
        warc=warc.path,
        web_archive=info.get("psg-web-archive"),
    )
    rebuild = _CrawlRebuild(archive, crawl_id, warc)
    result = ReparsedCrawl(warc.path, {})
    if source == WAYBACK:
        result.responses = rebuild.captures()
    else:
        result.responses = rebuild.pages(posts=source == WORDPRESS)
    result.item_pages = rebuild.full_texts()
    outcome = warc.outcome or {}
    result.crawl = archive.finish_crawl(
        crawl_id,
        outcome.get("status", INTERRUPTED),
        requests=int(outcome.get("requests") or result.responses),
        message=outcome.get("message") if warc.outcome else KILLED,
        ended=outcome.get("ended") or archive_time(warc.last_capture or warc.started),
    )
    return result


class _CrawlRebuild:
    """One crawl written again from its WARC file, as the crawl wrote it."""

    def __init__(self, archive: Archive, crawl_id: int, warc: CrawlWarc) -> None:
        self.archive = archive
        self.crawl_id = crawl_id
        self.warc = warc
        self.reader = Reader(known_blocks=archive.known_boilerplate())
        # A web archive's captures, replayed from the crawl's replay root.
        self.reading = CaptureReading(warc.info.get("psg-base-url", ""))
        # An item page's last response is what the crawl kept (earlier ones
        # were attempts it retried), or the record that it got none.
        self._item_pages: dict[str, Fetched | Unanswered] = {}

    def write(self, read) -> None:
        write(self.archive, self.crawl_id, read)

    def pages(self, *, posts: bool) -> int:
        """The listing pages (or pages of posts) in the order they came."""
        responses = 0
        for answer in self.warc.answers():
            if isinstance(answer, Unanswered):
                self._kept_as_item_page(answer)
                continue
            responses += 1
            if self._kept_as_item_page(answer):
                continue
            read = self._posts_page(answer) if posts else self._listing_page(answer)
            if read is not None:
                self.write(read)
        return responses

    def _kept_as_item_page(self, answer: Fetched | Unanswered) -> bool:
        """Keep the answer for its item if it is an item page's; say if it was."""
        item_id = item_id_from_url(answer.url)
        if item_id is None:
            return False
        self._item_pages[item_id] = answer
        return True

    def _listing_page(self, fetched: Fetched):
        """A listing or home page as the crawl wrote it, or None if it wrote none.

        The crawl wrote every listing page it received whole (HTTP 200) but
        the one that stopped it (a section's first page without items).
        """
        section = section_from_url(fetched.url)
        if fetched.status != 200 or section is None:
            return None
        page = self.reader.page(
            parse_fetched_listing(fetched, section), fetched.seen_at
        )
        return None if layout_changed(page.listing) else page

    def _posts_page(self, fetched: Fetched):
        """A page of WordPress posts as the crawl wrote it, or None."""
        if fetched.status != 200 or not is_posts_url(fetched.url):
            return None
        posts_page = self.reader.posts_page(
            parse_fetched_posts(fetched), fetched.seen_at
        )
        return None if layout_changed(posts_page.page.listing) else posts_page

    def full_texts(self) -> int:
        """Each item page's text, or why the crawl had none: as it wrote them."""
        for item_id, answer in self._item_pages.items():
            if isinstance(answer, Unanswered):
                self.write(text_not_had(item_id, answer.reason))
                continue
            page = parse_fetched_item_page(answer) if answer.status == 200 else None
            self.write(full_text(item_id, answer, page))
        return len(self._item_pages)

    # -- a web archive's captures ------------------------------------------------

    def captures(self) -> int:
        """The captures the crawl listed, judged and read as it did them.

        What is known without a fetch is written first, then each capture
        fetched, oldest first, from its last response in the file; a capture
        with no response there (the crawl stopped before it) is left out, as
        the crawl left it for the next run.
        """
        responses = 0
        for answer in self.warc.answers():
            if isinstance(answer, Unanswered):
                self._kept_as_item_page(answer)
                continue
            responses += 1
            if is_cdx_answer(answer.url):
                self.reading.listed(parse_cdx(answer.body).captures)
            else:
                self._kept_as_item_page(answer)
        to_fetch = []
        plan = self.reading.plan(
            self.archive.listed_captures(), self.archive.parsed_digests
        )
        for planned in plan:
            if isinstance(planned, CdxCapture):
                to_fetch.append(planned)
            else:
                self.write(planned)
        for capture in to_fetch:
            self._read_capture(capture)
        return responses

    def _read_capture(self, capture: CdxCapture, fetched: Fetched | None = None):
        if fetched is None:
            fetched = self._response(
                self.reading.replay_url(capture), follow=not is_redirect(capture)
            )
        if fetched is None:
            self.reading.not_had(capture)
            return
        if fetched.status in REDIRECTS:
            self._redirected(capture, fetched)
        elif 400 <= fetched.status < 500 and fetched.status != 429:
            self.write(
                self.reading.refused(capture, fetched, http_error(fetched.status))
            )
        elif fetched.status != 200:  # 5xx or 429 after the retries: not had
            self.reading.not_had(capture)
        else:
            page = None
            if is_html(fetched):
                section = section_from_url(capture.original)
                listing = parse_fetched_listing(fetched, section)
                page = self.reader.page(listing, fetched.seen_at)
            for seen in self.reading.read(capture, fetched, page):
                self.write(seen)

    def _redirected(self, capture: CdxCapture, fetched: Fetched) -> None:
        redirect = self.reading.redirected(capture, fetched)
        self.write(redirect.seen)
        if redirect.target is None:
            return
        target = self._response(redirect.target, follow=True)
        if target is None or target.status != 200:
            return
        led_to = self.reading.redirect_target(target)
        if led_to is not None:
            self._read_capture(led_to, target)

    def _response(self, url: str, *, follow: bool) -> Fetched | None:
        """The last response the file holds for `url`, its redirects followed."""
        for _ in range(MAX_REDIRECTS + 1):
            offset = self.warc.last_response.get(url)
            if offset is None:
                return None
            fetched = self.warc.response_at(offset)
            if not follow or fetched.status not in REDIRECTS or not fetched.location:
                return fetched
            url = urljoin(url, fetched.location)
        return None


def _remove_archive(path: Path) -> None:
    for leftover in (path, *(Path(f"{path}{end}") for end in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
