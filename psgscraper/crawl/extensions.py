"""The crawl's own Scrapy components: its life, its parser process, its view
of the archive.

Each is an extension (EXTENSIONS in settings), built with `from_crawler` and
found by the spiders, pipeline and middlewares with `crawler.get_extension()`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import ClassVar

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from ..archive import FAILED, INTERRUPTED, OK, Archive
from ..fetched import capture_time
from ..parse import Record
from ..warc import WarcError, WarcFile

STOPPED = "stopped"  # finish reason of a crawl stopped by a fault (`stop`)
LAYOUT_CHANGED = "layout_changed"  # ... by a first page without items
SHUTDOWN = "shutdown"  # Scrapy's finish reason after Ctrl-C or SIGTERM


class CrawlLife:
    """The crawl's life, from its start to how it ended, as the archive keeps it.

    It notes the crawl's failures (`fail`), stops it for a cause no retry
    mends (`stop`), notes a page whose reading raised, and at the end says how
    the crawl went (`status`, `message`) in the WARC file's closing record.
    `psg crawl` opens and finishes the crawls row itself (PSG_CRAWL_ID) so
    that the spiders of one crawl share it; under a plain `scrapy crawl`, this
    opens and finishes it. The WARC file is PSG_WARC (none when empty), its
    warcinfo fields PSG_WARC_INFO.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = Path(settings.get("PSG_DB", "data/psg.db"))
        self.crawl_id: int | None = settings.getint("PSG_CRAWL_ID") or None
        self.owns_crawl = self.crawl_id is None
        self.failures: list[str] = []
        self.stopped_by: str | None = None
        self.finish_reason: str | None = None
        self.warc = _open_warc(settings)

    @classmethod
    def from_crawler(cls, crawler) -> CrawlLife:
        life = cls(crawler)
        crawler.signals.connect(life.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(life.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(life.spider_closed, signal=signals.spider_closed)
        return life

    def spider_opened(self, spider) -> None:
        if self.owns_crawl:
            with Archive(self.db_path) as archive:
                self.crawl_id = archive.start_crawl(
                    spider.base_url,
                    spider.sections,
                    spider.incremental,
                    warc=self.warc.path if self.warc else None,
                )

    def fail(self, message: str) -> None:
        """Note a failure: the crawl goes on, and ends `failed`."""
        self.failures.append(message)

    def note_unanswered(self, url: str, reason: str) -> None:
        """Keep in the WARC file that the request for `url` got no answer, and
        why: a re-parse cannot know it otherwise. A file that cannot be
        written stops the crawl, as for a response."""
        if self.warc is None:
            return
        try:
            self.warc.write_unanswered(url, reason, capture_time())
        except WarcError as error:
            self.stop(str(error))

    def stop(self, reason: str) -> None:
        """Stop the crawl for a cause no retry mends (the disk is full).

        The reason is noted once; the requests the stop cancels are not
        failures of their own.
        """
        if self.stopped_by is None:
            self.stopped_by = reason
            self.failures.append(reason)
            engine = self.crawler.engine
            deferred_from_coro(engine.close_spider_async(reason=STOPPED))

    def callback_failed(self, failure, response, spider) -> None:
        """A page whose reading raised: the crawl fails, saying where and why.

        Scrapy only logs such an error and goes on; an unattended crawl must
        not end `ok` with a page it could not read. Without its parser
        process (killed, or out of memory) no page can be read: it stops.
        """
        if failure.check(BrokenProcessPool):
            self.stop(
                "the parser process ended unexpectedly (killed, or out of "
                f"memory) while {response.url} was read; the crawl stopped"
            )
            return
        self.fail(
            f"{response.url}: could not be read "
            f"({failure.type.__name__}: {failure.getErrorMessage()})"
        )

    def requests(self) -> int:
        return self.crawler.stats.get_value("downloader/request_count", 0)

    def spider_closed(self, spider, reason: str) -> None:
        self.finish_reason = reason
        status, message = crawl_ending([self])
        if self.owns_crawl and self.crawl_id is not None:
            with Archive(self.db_path) as archive:
                archive.finish_crawl(
                    self.crawl_id,
                    status,
                    errors=len(self.failures),
                    requests=self.requests(),
                    message=message,
                )
        if self.warc is not None:
            # Only the last user of a shared file writes its ending.
            with suppress(WarcError):  # the crawl has reported it
                self.warc.release({"status": status, "message": message or ""})


def crawl_ending(lives: Iterable[CrawlLife]) -> tuple[str, str | None]:
    """How a crawl of these spiders ended: its status and message.

    `interrupted` if stopped by a signal, `failed` on any failure, else `ok`;
    the message names every failure.
    """
    lives = list(lives)
    failures = [failure for life in lives for failure in life.failures]
    if any(life.finish_reason == SHUTDOWN for life in lives):
        return INTERRUPTED, "; ".join(failures) or "stopped by a signal"
    if failures:
        return FAILED, "; ".join(failures)
    return OK, None


def _open_warc(settings) -> WarcFile | None:
    path = settings.get("PSG_WARC")
    if not path:
        return None
    info = dict(settings.getdict("PSG_WARC_INFO"))
    info.setdefault("http-header-user-agent", settings["USER_AGENT"])
    info.setdefault("robots", "obey" if settings.getbool("ROBOTSTXT_OBEY") else "")
    return WarcFile.shared(path, info)


class ParserPool:
    """A process that parses pages while this one crawls and writes.

    Scrapy runs every callback on one core; BeautifulSoup's parse is most of
    a page's cost, so on a fast host it is done beside the crawl, not in it.
    The spiders of one crawl (`psg crawl` runs the listings' and the home
    page's side by side) share the one process: the first crawler starts it,
    before the crawl's threads exist, and the last engine to stop ends it.
    """

    _running: ClassVar[ParserPool | None] = None

    def __init__(self) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_serve_crawler,
            initargs=(os.getpid(),),
        )
        self.executor.submit(int)  # start the process while the crawl starts
        self.users = 0

    @classmethod
    def from_crawler(cls, crawler) -> ParserPool:
        if cls._running is None:
            cls._running = cls()
        pool = cls._running
        pool.users += 1
        crawler.signals.connect(pool.engine_stopped, signal=signals.engine_stopped)
        return pool

    async def parse(self, parser, *args, **options):
        """`parser(*args, **options)`, run in the parser process."""
        task = partial(parser, *args, **options)
        return await asyncio.get_running_loop().run_in_executor(self.executor, task)

    def engine_stopped(self) -> None:
        self.users -= 1
        if self.users <= 0:
            if ParserPool._running is self:
                ParserPool._running = None
            self.executor.shutdown(wait=False, cancel_futures=True)


def _serve_crawler(crawler_pid: int) -> None:
    """In the parser process: leave Ctrl-C to the crawler, and end with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == crawler_pid:
            time.sleep(0.5)
        os._exit(0)  # the crawler was killed: nobody is left to parse for

    threading.Thread(target=watch, daemon=True).start()


class TextsAsked:
    """The ids of the items whose own page the crawl asked for: each once a crawl.

    The spiders of one crawl share it: `psg crawl` runs the listings' and the
    home page's side by side, the home page shows the listings' newest items,
    and each crawler has its own duplicate filter, so a page both asked for
    would be fetched twice. The first crawler of a crawl (its archive and
    crawl id) makes the set, the last engine to stop lets it go.
    """

    _shared: ClassVar[dict[tuple[str, int], TextsAsked]] = {}

    def __init__(self, key: tuple[str, int] | None) -> None:
        self.key = key
        self.ids: set[str] = set()
        self.users = 0

    @classmethod
    def from_crawler(cls, crawler) -> TextsAsked:
        settings = crawler.settings
        crawl_id = settings.getint("PSG_CRAWL_ID")
        if not crawl_id:  # a plain `scrapy crawl`: one spider, its own crawl
            return cls(None)
        key = (str(Path(settings.get("PSG_DB", "data/psg.db")).resolve()), crawl_id)
        asked = cls._shared.setdefault(key, cls(key))
        asked.users += 1
        crawler.signals.connect(asked.engine_stopped, signal=signals.engine_stopped)
        return asked

    def engine_stopped(self) -> None:
        self.users -= 1
        if self.users <= 0 and self._shared.get(self.key) is self:
            del self._shared[self.key]


class ArchiveView:
    """The archive as the spiders see it: read-only, what it already holds.

    It is opened once the pipeline has created it; before that (a first crawl
    into a new file) it holds nothing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler) -> ArchiveView:
        view = cls(Path(crawler.settings.get("PSG_DB", "data/psg.db")))
        crawler.signals.connect(view.close, signal=signals.spider_closed)
        return view

    def _opened(self) -> Archive | None:
        if self._archive is None and self.path.is_file():
            self._archive = Archive(self.path, readonly=True)
        return self._archive

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def known_boilerplate(self) -> set[str]:
        archive = self._opened()
        return archive.known_boilerplate() if archive is not None else set()

    def holds_unchanged(self, records: Iterable[Record]) -> bool:
        archive = self._opened()
        return archive is not None and archive.holds_unchanged(records)

    def posts_modified_through(self, base_url: str) -> str | None:
        archive = self._opened()
        return archive.posts_modified_through(base_url) if archive else None

    def wanting_full_text(self, records: Iterable[Record]) -> list[Record]:
        """The records whose own page is worth fetching (all with a link, when
        the archive holds nothing yet)."""
        archive = self._opened()
        if archive is None:
            return [record for record in records if record.url]
        return archive.wanting_full_text(records)

    def listed_captures(self) -> set[tuple[str, str]]:
        archive = self._opened()
        return archive.listed_captures() if archive is not None else set()

    def parsed_digests(self, digests: Iterable[str]) -> dict[str, str]:
        archive = self._opened()
        return archive.parsed_digests(digests) if archive is not None else {}
