"""The SQLite archive: the one package that knows its schema.

Tables
- `items`: one row per published item (the parser's record fields), with when
  and in which crawls it was first and last seen, and `duplicate_of` for a
  piece the site listed twice under two ids.
- `sightings`: every appearance of an item on a page in a crawl.
- `item_versions`: an item's previous text, each time a crawl saw it changed.
- `boilerplate` and `boilerplate_sightings`: the blocks set aside, and where.
- `crawls`: one row per crawl, with its source, status and figures.
- `captures`: every web-archive capture a crawl from the Wayback Machine
  listed, and what became of it (parsed, same content as another, skipped).
- `wordpress_posts`: the current site's posts: each one's item, WordPress id,
  link and dates (`modified` tells an incremental crawl what changed).
- `item_places`: the regions of Peru an item's title, summary and full text
  name (`psgscraper.parse.places`), found again whenever that text changes.

Every listing page is written in one transaction, so a crawl stopped at any
instant leaves only complete pages behind. Writes use plain SQL on a
connection in autocommit mode with explicit BEGIN/COMMIT; sqlite-utils builds
the schema (tables, indexes, full-text search and its triggers).

Modules: `schema` (the schema, its creation and migration, reading a file's
schema, read-only opening), `file` (an archive file opened, transactions),
`crawls`, `items` and `captures` (the writes, each a part of `Archive`),
`lock` (one crawl at a time) and `backup`.
"""

from __future__ import annotations

from .backup import backup
from .captures import Captures
from .crawls import Crawls
from .file import ArchiveFile
from .items import Items, PageOutcome, id_order, listing_key, year_of
from .lock import CrawlLock, CrawlRunning, crawl_in_progress, took_over_message
from .schema import (
    CONTENT_FIELDS,
    FAILED,
    FTS_COLUMNS,
    INDEXES,
    INTERNAL_COLUMNS,
    INTERRUPTED,
    OK,
    PARSED,
    POSTS_KEYED_BY_TITLE,
    REDIRECT,
    RUNNING,
    SAME_CONTENT,
    SCHEMA_VERSION,
    SITE,
    SKIPPED,
    SOURCES,
    TABLES,
    UNIQUE_INDEXES,
    WAYBACK,
    WITHOUT_PLACES,
    WORDPRESS,
    ArchiveError,
    utc_now,
)


class Archive(Items, Captures, Crawls, ArchiveFile):
    """An archive file, opened for a crawl (read-write) or for a look (read-only).

    `Archive(path)` creates the file or brings its schema up to date;
    `Archive(path, readonly=True)` only reads it.
    """

    def __init__(self, path, *, readonly: bool = False) -> None:
        super().__init__(path, readonly=readonly)
        if self.upgraded_from is not None:
            self._bring_data_up_to_date(self.upgraded_from)

    def _bring_data_up_to_date(self, version: int) -> None:
        """What a newer schema reads differently from the rows an older kept."""
        if version <= POSTS_KEYED_BY_TITLE:
            self.rekey_posts()
        if version <= WITHOUT_PLACES:
            self.find_all_places()


__all__ = [
    "CONTENT_FIELDS",
    "FAILED",
    "FTS_COLUMNS",
    "INDEXES",
    "INTERNAL_COLUMNS",
    "INTERRUPTED",
    "OK",
    "PARSED",
    "REDIRECT",
    "RUNNING",
    "SAME_CONTENT",
    "SCHEMA_VERSION",
    "SITE",
    "SKIPPED",
    "SOURCES",
    "TABLES",
    "UNIQUE_INDEXES",
    "WAYBACK",
    "WORDPRESS",
    "Archive",
    "ArchiveError",
    "CrawlLock",
    "CrawlRunning",
    "PageOutcome",
    "backup",
    "crawl_in_progress",
    "id_order",
    "listing_key",
    "took_over_message",
    "utc_now",
    "year_of",
]
