"""The SQLite archive: the one module that knows its schema.

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

Every listing page is written in one transaction, so a crawl stopped at any
instant leaves only complete pages behind. Writes use plain SQL on a
connection in autocommit mode with explicit BEGIN/COMMIT; sqlite-utils builds
the schema (tables, indexes, full-text search and its triggers).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from ..parse import RECORD_FIELDS, Listing, Record
from ..parse.cdx import CdxCapture
from ..parse.text import fold_key
from ..parse.wordpress import Post

SCHEMA_VERSION = 4  # 2: newsletters view; 3: full texts, WARC; 4: captures, sources

# An item's text as published; a difference here is a change worth a version.
CONTENT_FIELDS = ("title", "date_text", "summary", "byline", "image_caption")

# What a new sighting of an item writes: all of it when its text changed...
UPDATED_FIELDS = (
    *(f.name for f in RECORD_FIELDS if f.name != "id"),
    "year",
    "last_crawl",
    "listing_key",
    "fingerprint",
)
# ... and only where and when it was seen when it did not.
SEEN_FIELDS = tuple(
    field
    for field in UPDATED_FIELDS
    if field not in (*CONTENT_FIELDS, "listing_key", "fingerprint")
)
# An item's first and last sighting are the earliest and latest capture that
# showed it, in whatever order its pages are written (a crawl's pages arrive
# out of order; a re-parse or a web archive's captures may come in any order).
_SEEN_AT = "first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?)"

RUNNING, OK, FAILED, INTERRUPTED = "running", "ok", "failed", "interrupted"

# Where a crawl read the newsletter: the site's listing pages (the live host,
# the mirror, or a web archive's copy at one date), the Wayback Machine's
# captures of every date, or the current site's WordPress API.
SITE, WAYBACK, WORDPRESS = "site", "wayback", "wordpress"
SOURCES = (SITE, WAYBACK, WORDPRESS)

# What became of a listed capture (`captures.outcome`).
PARSED = "parsed"  # fetched and read: `items_found` items
SAME_CONTENT = "same content"  # a digest already read: its sightings copied
REDIRECT = "redirect"  # a 3xx capture; `note` says to where
SKIPPED = "skipped"  # not HTML, an error page, or not a page of the newsletter

TABLES = {
    "crawls": {
        "columns": {
            "id": int,
            "started": str,
            "ended": str,
            "source": str,
            "base_url": str,
            "sections": str,
            "incremental": int,
            "status": str,
            "pages": int,
            "requests": int,
            "items_seen": int,
            "items_new": int,
            "items_changed": int,
            "blocks_set_aside": int,
            "item_pages": int,
            "item_page_errors": int,
            "errors": int,
            "message": str,
            "warc": str,
        },
        "pk": "id",
        "not_null": ["started", "status"],
        "defaults": {
            "source": SITE,
            "status": RUNNING,
            "pages": 0,
            "requests": 0,
            "items_seen": 0,
            "items_new": 0,
            "items_changed": 0,
            "blocks_set_aside": 0,
            "item_pages": 0,
            "item_page_errors": 0,
            "errors": 0,
        },
    },
    "items": {
        "columns": {
            "id": str,
            "url": str,
            "section": str,
            "title": str,
            "date": str,
            "date_precision": str,
            "date_text": str,
            "update_number": int,
            "byline": str,
            "summary": str,
            "image_caption": str,
            "position": int,
            "page_url": str,
            "year": int,
            "first_seen": str,
            "last_seen": str,
            "first_crawl": int,
            "last_crawl": int,
            "duplicate_of": str,
            "listing_key": str,
            "fingerprint": str,
            "body": str,
            "body_fetched": str,
            "body_error": str,
        },
        "pk": "id",
        "not_null": ["title", "summary", "first_seen", "last_seen"],
        "foreign_keys": [
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
            ("duplicate_of", "items", "id"),
        ],
    },
    "sightings": {
        "columns": {
            "id": int,
            "item_id": str,
            "crawl_id": int,
            "page_url": str,
            "position": int,
            "seen_at": str,
        },
        "pk": "id",
        "not_null": ["item_id", "crawl_id", "page_url", "seen_at"],
        "foreign_keys": [("item_id", "items", "id"), ("crawl_id", "crawls", "id")],
    },
    "item_versions": {
        "columns": {
            "id": int,
            "item_id": str,
            "crawl_id": int,
            "replaced_at": str,
            "title": str,
            "date_text": str,
            "summary": str,
            "byline": str,
            "image_caption": str,
        },
        "pk": "id",
        "not_null": ["item_id", "crawl_id", "replaced_at"],
        "foreign_keys": [("item_id", "items", "id"), ("crawl_id", "crawls", "id")],
    },
    "boilerplate": {
        "columns": {
            "fingerprint": str,
            "title": str,
            "text": str,
            "reason": str,
            "first_seen": str,
            "last_seen": str,
            "first_crawl": int,
            "last_crawl": int,
        },
        "pk": "fingerprint",
        "foreign_keys": [
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
        ],
    },
    "captures": {
        "columns": {
            "id": int,
            "original": str,
            "timestamp": str,
            "captured": str,
            "section": str,
            "status": int,
            "mimetype": str,
            "digest": str,
            "url": str,
            "crawl_id": int,
            "fetched_at": str,
            "outcome": str,
            "items_found": int,
            "same_as": int,
            "note": str,
        },
        "pk": "id",
        "not_null": ["original", "timestamp", "captured", "crawl_id", "outcome"],
        "foreign_keys": [("crawl_id", "crawls", "id"), ("same_as", "captures", "id")],
    },
    "wordpress_posts": {
        "columns": {
            "item_id": str,
            "wp_id": int,
            "link": str,
            "date_gmt": str,
            "modified_gmt": str,
            "first_crawl": int,
            "last_crawl": int,
        },
        "pk": "item_id",
        "foreign_keys": [
            ("item_id", "items", "id"),
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
        ],
    },
    "boilerplate_sightings": {
        "columns": {
            "id": int,
            "fingerprint": str,
            "crawl_id": int,
            "page_url": str,
            "seen_at": str,
        },
        "pk": "id",
        "foreign_keys": [
            ("fingerprint", "boilerplate", "fingerprint"),
            ("crawl_id", "crawls", "id"),
        ],
    },
}
INDEXES = {
    "items": [
        ["date"],
        ["section", "date"],
        ["year"],
        ["update_number"],
        ["byline"],
        ["first_crawl"],
        ["last_crawl"],
        ["duplicate_of"],
        ["listing_key"],
        ["fingerprint"],
        ["date_text"],
    ],
    "sightings": [["item_id"], ["crawl_id", "item_id"], ["page_url"]],
    "item_versions": [["item_id"], ["crawl_id", "item_id"]],
    "boilerplate_sightings": [["fingerprint"], ["crawl_id", "fingerprint"]],
    "captures": [["digest"], ["captured"], ["crawl_id"], ["url"]],
    "wordpress_posts": [["wp_id"], ["modified_gmt"]],
}
# Indexes that also keep a rule.
UNIQUE_INDEXES = {"captures": [["original", "timestamp"]]}
# What full-text search reads, in the order the search query weighs it.
FTS_COLUMNS = ("title", "summary", "byline", "body")


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message says why."""


@dataclass(frozen=True)
class PageOutcome:
    """What writing one page did to the archive."""

    items: int
    new: int
    changed: int
    blocks: int


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Archive:
    """An archive file, opened for a crawl (read-write) or for a look (read-only)."""

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        try:
            self.conn = self._connect()
            self.db = sqlite_utils.Database(self.conn)
            if not readonly:
                self._ensure_schema()
            else:
                self._check_version()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: {error}") from None

    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            if not self.path.is_file():
                raise ArchiveError(f"{self.path}: no such archive")
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        # With WAL, NORMAL keeps every committed page through a crash of the
        # process; only a power cut may lose the last few, never corrupt.
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------

    def _check_version(self) -> int:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path} was written by a newer psgscraper "
                f"(schema {version}; this one knows {SCHEMA_VERSION})"
            )
        return version

    def _ensure_schema(self) -> None:
        """Create the schema, or bring an archive of an older schema up to date."""
        if self._check_version() == SCHEMA_VERSION:
            return
        if self.db.table_names() and "items" not in self.db.table_names():
            raise ArchiveError(f"{self.path} is a SQLite database but not an archive")
        self.db.enable_wal()
        self._create_tables()
        self._create_views()
        self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _create_tables(self) -> None:
        """Create missing tables, add the columns an older archive lacks."""
        db = self.db
        for name, table in TABLES.items():
            if name in db.table_names():
                present = set(db[name].columns_dict)
                for column, kind in table["columns"].items():
                    if column not in present:
                        db[name].add_column(column, kind)
                continue
            db[name].create(
                table["columns"],
                pk=table["pk"],
                not_null=table.get("not_null", ()),
                defaults=table.get("defaults", {}),
                foreign_keys=table.get("foreign_keys", ()),
            )
        for name, column_sets in INDEXES.items():
            for columns in column_sets:
                db[name].create_index(columns, if_not_exists=True)
        for name, column_sets in UNIQUE_INDEXES.items():
            for columns in column_sets:
                db[name].create_index(columns, unique=True, if_not_exists=True)
        # Crawls before schema 4 all read the site's listing pages.
        self.conn.execute(f"UPDATE crawls SET source = '{SITE}' WHERE source IS NULL")
        self._create_fts()

    def _create_fts(self) -> None:
        """Full-text search on the indexed text, kept current by triggers.

        An archive whose index lacks a column (an older schema) is re-indexed.
        """
        db = self.db
        if "items_fts" in db.table_names():
            if set(db["items_fts"].columns_dict) >= set(FTS_COLUMNS):
                return
            for trigger in ("items_ai", "items_ad", "items_au"):
                self.conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            db["items"].disable_fts()
        db["items"].enable_fts(
            list(FTS_COLUMNS),
            fts_version="FTS5",
            create_triggers=True,
            tokenize="porter unicode61 remove_diacritics 2",
        )
        # Re-index an item only when its indexed text changes, not each time a
        # crawl sees it again.
        columns = ", ".join(FTS_COLUMNS)
        old = ", ".join(f"old.{column}" for column in FTS_COLUMNS)
        new = ", ".join(f"new.{column}" for column in FTS_COLUMNS)
        self.conn.execute("DROP TRIGGER items_au")
        self.conn.execute(
            f"""
            CREATE TRIGGER items_au AFTER UPDATE OF {columns} ON items BEGIN
              INSERT INTO items_fts (items_fts, rowid, {columns})
              VALUES ('delete', old.rowid, {old});
              INSERT INTO items_fts (rowid, {columns}) VALUES (new.rowid, {new});
            END
            """
        )

    def _create_views(self) -> None:
        self.conn.execute(
            """
            CREATE VIEW IF NOT EXISTS newsletters AS
            SELECT date_text,
                   date,  -- read from date_text, so one per edition
                   update_number,
                   group_concat(DISTINCT section) AS sections,
                   COUNT(*) AS items
            FROM items
            WHERE duplicate_of IS NULL AND date_text IS NOT NULL
            GROUP BY date_text
            """
        )

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file, for readers that ignore it."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: what is written inside is committed together.

        The archive's own writes each run in one; inside another, a write is
        part of it, so that a reader never sees one without the other.
        """
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already
                self.conn.execute("ROLLBACK")
            raise

    # -- crawls ---------------------------------------------------------------

    def mark_stale_crawls_interrupted(self) -> int:
        """Crawls left `running` by a killed process; call under the CrawlLock."""
        cursor = self.conn.execute(
            "UPDATE crawls SET status = ?, message = ? WHERE status = ?",
            (INTERRUPTED, "the crawl process stopped before it finished", RUNNING),
        )
        return cursor.rowcount

    def start_crawl(
        self,
        base_url: str,
        sections: Iterable[str],
        incremental: bool = False,
        *,
        source: str = SITE,
        started: str | None = None,
        warc: Path | None = None,
    ) -> int:
        """Open a crawl row; `warc` is the file that keeps its responses."""
        cursor = self.conn.execute(
            "INSERT INTO crawls (started, source, base_url, sections, incremental, "
            "status, warc) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                started or utc_now(),
                source,
                base_url,
                ",".join(sections),
                int(incremental),
                RUNNING,
                self._warc_name(warc),
            ),
        )
        return cursor.lastrowid

    def name_warc(self, crawl_id: int, warc: Path) -> None:
        """Say which WARC file keeps the crawl's responses."""
        self.conn.execute(
            "UPDATE crawls SET warc = ? WHERE id = ?", (self._warc_name(warc), crawl_id)
        )

    def _warc_name(self, warc: Path | None) -> str | None:
        """A WARC file's path from the archive's directory (absolute if outside)."""
        if warc is None:
            return None
        try:
            return str(warc.resolve().relative_to(self.path.parent.resolve()))
        except ValueError:
            return str(warc.resolve())

    def finish_crawl(
        self,
        crawl_id: int,
        status: str,
        *,
        errors: int = 0,
        requests: int = 0,
        message: str | None = None,
        ended: str | None = None,
    ) -> dict:
        with self.transaction():
            self._recount_crawl(crawl_id)
            self.conn.execute(
                "UPDATE crawls SET ended = ?, status = ?, errors = ?, requests = ?, "
                "message = ? WHERE id = ?",
                (ended or utc_now(), status, errors, requests, message, crawl_id),
            )
        return self.crawl(crawl_id)

    def crawl(self, crawl_id: int) -> dict:
        return self.db["crawls"].get(crawl_id)

    def _recount_crawl(self, crawl_id: int) -> None:
        """Count a crawl's figures from its rows (a whole scan: at its end only)."""
        self.conn.execute(
            """
            UPDATE crawls SET
              items_seen = (SELECT COUNT(DISTINCT item_id) FROM sightings
                            WHERE crawl_id = :crawl),
              items_new = (SELECT COUNT(*) FROM items WHERE first_crawl = :crawl),
              items_changed = (SELECT COUNT(DISTINCT item_id) FROM item_versions
                               WHERE crawl_id = :crawl),
              blocks_set_aside = (SELECT COUNT(DISTINCT fingerprint)
                                  FROM boilerplate_sightings WHERE crawl_id = :crawl)
            WHERE id = :crawl
            """,
            {"crawl": crawl_id},
        )

    def _seen_in_crawl(self, table: str, column: str, value: str, crawl_id: int):
        return (
            self.conn.execute(
                f"SELECT 1 FROM {table} WHERE crawl_id = ? AND {column} = ? LIMIT 1",
                (crawl_id, value),
            ).fetchone()
            is not None
        )

    # -- pages ----------------------------------------------------------------

    def record_page(
        self, crawl_id: int, listing: Listing, seen_at: str | None = None
    ) -> PageOutcome:
        """Write one parsed page, all or nothing."""
        seen_at = seen_at or utc_now()
        new = changed = first_seen = first_blocks = 0
        with self.transaction():
            for record in listing.items:
                first_seen += not self._seen_in_crawl(
                    "sightings", "item_id", record.id, crawl_id
                )
                first_change = not self._seen_in_crawl(
                    "item_versions", "item_id", record.id, crawl_id
                )
                outcome = self._store_item(record, crawl_id, seen_at)
                new += outcome == "new"
                changed += outcome == "changed" and first_change
                self.conn.execute(
                    "INSERT INTO sightings (item_id, crawl_id, page_url, position, "
                    "seen_at) VALUES (?, ?, ?, ?, ?)",
                    (record.id, crawl_id, listing.page_url, record.position, seen_at),
                )
            for block in listing.set_aside:
                first_blocks += not self._seen_in_crawl(
                    "boilerplate_sightings", "fingerprint", block.fingerprint, crawl_id
                )
                self._store_block(
                    block.fingerprint,
                    block.title,
                    block.text,
                    block.reason,
                    crawl_id,
                    seen_at,
                )
                self.conn.execute(
                    "INSERT INTO boilerplate_sightings (fingerprint, crawl_id, "
                    "page_url, seen_at) VALUES (?, ?, ?, ?)",
                    (block.fingerprint, crawl_id, listing.page_url, seen_at),
                )
            self.conn.execute(
                "UPDATE crawls SET pages = pages + 1, items_seen = items_seen + ?, "
                "items_new = items_new + ?, items_changed = items_changed + ?, "
                "blocks_set_aside = blocks_set_aside + ? WHERE id = ?",
                (first_seen, new, changed, first_blocks, crawl_id),
            )
        return PageOutcome(len(listing.items), new, changed, len(listing.set_aside))

    def _store_item(self, record: Record, crawl_id: int, seen_at: str) -> str:
        """Insert or update one item; returns `new`, `changed` or `seen`."""
        stored = self.conn.execute(
            "SELECT section, title, date_text, summary, byline, image_caption, "
            "listing_key, last_seen FROM items WHERE id = ?",
            (record.id,),
        ).fetchone()
        key = listing_key(record.section, record.title, record.date_text)
        if stored is None:
            self._insert_item(record, key, crawl_id, seen_at)
            self._mark_duplicates(key)
            return "new"
        stored_section, *stored_text, stored_key, last_seen = stored
        if record.section == "home" and stored_section != "home":
            # The home page repeats, in a shorter form, what a listing holds in
            # full: it tells when the item was seen, not what it says.
            self.conn.execute(
                f"UPDATE items SET last_crawl = ?, {_SEEN_AT} WHERE id = ?",
                (crawl_id, seen_at, seen_at, record.id),
            )
            return "seen"
        if seen_at < last_seen and stored_section != "home":
            return self._store_older_sighting(record, crawl_id, seen_at, stored_text)
        text = _content(record)
        if text == tuple(stored_text) and key == stored_key:
            self._update_item(record, crawl_id, seen_at, SEEN_FIELDS)
            return "seen"
        outcome = "seen"
        # An item first seen on the home page gets its full text from a
        # listing: that completes it, it does not change it.
        if text != tuple(stored_text) and stored_section != "home":
            self._save_version(record.id, stored_text, crawl_id, seen_at)
            outcome = "changed"
        self._update_item(record, crawl_id, seen_at, UPDATED_FIELDS)
        if key != stored_key:
            self._mark_duplicates(stored_key)
            self._mark_duplicates(key)
        return outcome

    def _store_older_sighting(
        self, record: Record, crawl_id: int, seen_at: str, stored_text: list
    ) -> str:
        """A sighting older than the stored text's: it never overwrites it.

        A web archive's captures reach the archive after a live crawl, or
        captures of earlier years after later ones: the stored text stays the
        latest, and an older text it shows is kept as a version, replaced at
        the next sighting after it.
        """
        self.conn.execute(
            f"UPDATE items SET last_crawl = ?, {_SEEN_AT} WHERE id = ?",
            (crawl_id, seen_at, seen_at, record.id),
        )
        text = _content(record)
        if text == tuple(stored_text) or self._has_version(record.id, text):
            return "seen"
        (replaced_at,) = self.conn.execute(
            "SELECT MIN(seen_at) FROM sightings WHERE item_id = ? AND seen_at > ?",
            (record.id, seen_at),
        ).fetchone()
        self._save_version(record.id, text, crawl_id, replaced_at or seen_at)
        return "changed"

    def _has_version(self, item_id: str, text: tuple) -> bool:
        conditions = " AND ".join(f"{field} IS ?" for field in CONTENT_FIELDS)
        return (
            self.conn.execute(
                f"SELECT 1 FROM item_versions WHERE item_id = ? AND {conditions}",
                (item_id, *text),
            ).fetchone()
            is not None
        )

    def _insert_item(self, record: Record, key: str, crawl_id: int, seen_at: str):
        row = record.as_dict()
        row.update(
            year=year_of(record.date),
            first_seen=seen_at,
            last_seen=seen_at,
            first_crawl=crawl_id,
            last_crawl=crawl_id,
            listing_key=key,
            fingerprint=record.fingerprint,
        )
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(
            f"INSERT INTO items ({columns}) VALUES ({marks})", tuple(row.values())
        )

    def _update_item(self, record: Record, crawl_id: int, seen_at: str, fields):
        """Write these fields of a stored item from a new sighting of it.

        An item seen again unchanged leaves its text columns alone, so that the
        full-text index is not rewritten for it.
        """
        row = record.as_dict()
        row.update(
            year=year_of(record.date),
            last_crawl=crawl_id,
            listing_key=listing_key(record.section, record.title, record.date_text),
            fingerprint=record.fingerprint,
        )
        assignments = ", ".join(f"{field} = ?" for field in fields)
        self.conn.execute(
            f"UPDATE items SET {assignments}, {_SEEN_AT} WHERE id = ?",
            (*(row[field] for field in fields), seen_at, seen_at, record.id),
        )

    def _save_version(self, item_id, previous, crawl_id: int, seen_at: str) -> None:
        columns = ", ".join(CONTENT_FIELDS)
        self.conn.execute(
            f"INSERT INTO item_versions (item_id, crawl_id, replaced_at, {columns}) "
            f"VALUES (?, ?, ?, {', '.join('?' for _ in CONTENT_FIELDS)})",
            (item_id, crawl_id, seen_at, *previous),
        )

    def _mark_duplicates(self, key: str) -> None:
        """Point every listing of one piece but the first (lowest id) at the first."""
        ids = [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM items WHERE listing_key = ?", (key,)
            )
        ]
        if not ids:
            return
        first = min(ids, key=id_order)
        self.conn.execute(
            "UPDATE items SET duplicate_of = CASE WHEN id = ? THEN NULL ELSE ? END "
            "WHERE listing_key = ? "
            "AND duplicate_of IS NOT (CASE WHEN id = ? THEN NULL ELSE ? END)",
            (first, first, key, first, first),
        )

    def _store_block(self, fingerprint, title, text, reason, crawl_id, seen_at):
        self.conn.execute(
            """
            INSERT INTO boilerplate (fingerprint, title, text, reason, first_seen,
                                     last_seen, first_crawl, last_crawl)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (fingerprint) DO UPDATE SET
              first_seen = MIN(first_seen, excluded.first_seen),
              last_seen = MAX(last_seen, excluded.last_seen),
              last_crawl = excluded.last_crawl
            """,
            (fingerprint, title, text, reason, seen_at, seen_at, crawl_id, crawl_id),
        )

    # -- full texts -------------------------------------------------------------

    def record_full_text(
        self,
        crawl_id: int,
        item_id: str,
        body: str | None,
        fetched_at: str,
        error: str | None = None,
    ) -> bool:
        """Store an item's full text from its own page, or why it could not be had.

        A failed fetch keeps the text an earlier crawl stored. Returns False
        when the archive holds no such item (it turned out to be a block).
        """
        with self.transaction():
            if error is None:
                cursor = self.conn.execute(
                    "UPDATE items SET body = ?, body_fetched = ?, body_error = NULL "
                    "WHERE id = ?",
                    (body, fetched_at, item_id),
                )
            else:
                cursor = self.conn.execute(
                    "UPDATE items SET body_error = ? WHERE id = ?", (error, item_id)
                )
            self.conn.execute(
                "UPDATE crawls SET item_pages = item_pages + 1, "
                "item_page_errors = item_page_errors + ? WHERE id = ?",
                (error is not None, crawl_id),
            )
        return cursor.rowcount > 0

    def wanting_full_text(self, records: Iterable[Record]) -> list[Record]:
        """The records whose own page is worth fetching: new, changed, or no text.

        Items without a detail link have no page.
        """
        wanted = {record.id: record for record in records if record.url}
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        stored = {
            row[0]: row[1:]
            for row in self.conn.execute(
                f"SELECT id, body IS NOT NULL, {', '.join(CONTENT_FIELDS)} "
                f"FROM items WHERE id IN ({marks})",
                tuple(wanted),
            )
        }
        return [
            record
            for item_id, record in wanted.items()
            if item_id not in stored
            or not stored[item_id][0]
            or tuple(stored[item_id][1:]) != _content(record)
        ]

    # -- web-archive captures -------------------------------------------------

    def listed_captures(self) -> set[tuple[str, str]]:
        """The (original URL, timestamp) of every capture recorded: not again."""
        return set(self.conn.execute("SELECT original, timestamp FROM captures"))

    def parsed_digests(self, digests: Iterable[str]) -> dict[str, str]:
        """Of these digests, the ones a capture was read for, and its URL."""
        wanted = sorted(set(digests))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for digest, url in self.conn.execute(
                f"SELECT digest, MIN(url) FROM captures WHERE outcome = ? "
                f"AND digest IN ({marks}) GROUP BY digest",
                (PARSED, *chunk),
            ):
                found[digest] = url
        return found

    def record_capture(
        self,
        crawl_id: int,
        capture: CdxCapture,
        *,
        url: str,
        outcome: str,
        captured: str,
        section: str | None = None,
        fetched_at: str | None = None,
        items_found: int | None = None,
        note: str | None = None,
        same_as: str | None = None,
    ) -> int:
        """Note what became of a listed capture.

        `same_as` is the URL of a capture already read with the same content:
        what it showed is seen again at this capture's time, on this page.
        """
        with self.transaction():
            earlier = None
            if same_as is not None:
                earlier = self.conn.execute(
                    "SELECT id FROM captures WHERE url = ? AND outcome = ?",
                    (same_as, PARSED),
                ).fetchone()
                if earlier is not None:
                    self._see_again(crawl_id, same_as, url, captured)
            cursor = self.conn.execute(
                "INSERT INTO captures (original, timestamp, captured, section, status, "
                "mimetype, digest, url, crawl_id, fetched_at, outcome, items_found, "
                "same_as, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    capture.original,
                    capture.timestamp,
                    captured,
                    section,
                    capture.status,
                    capture.mimetype,
                    capture.digest,
                    url,
                    crawl_id,
                    fetched_at,
                    outcome,
                    items_found,
                    earlier[0] if earlier else None,
                    note,
                ),
            )
        return cursor.lastrowid

    def _see_again(self, crawl_id: int, page_url: str, again_url: str, seen_at: str):
        """What the page at `page_url` showed, seen again at `again_url`, `seen_at`."""
        self.conn.execute(
            "INSERT INTO sightings (item_id, crawl_id, page_url, position, seen_at) "
            "SELECT item_id, ?, ?, position, ? FROM sightings WHERE page_url = ?",
            (crawl_id, again_url, seen_at, page_url),
        )
        self.conn.execute(
            f"UPDATE items SET last_crawl = ?, {_SEEN_AT} WHERE id IN "
            "(SELECT item_id FROM sightings WHERE page_url = ?)",
            (crawl_id, seen_at, seen_at, page_url),
        )
        self.conn.execute(
            "INSERT INTO boilerplate_sightings (fingerprint, crawl_id, page_url, "
            "seen_at) SELECT fingerprint, ?, ?, ? FROM boilerplate_sightings "
            "WHERE page_url = ?",
            (crawl_id, again_url, seen_at, page_url),
        )
        self.conn.execute(
            "UPDATE boilerplate SET first_seen = MIN(first_seen, ?), "
            "last_seen = MAX(last_seen, ?) WHERE fingerprint IN "
            "(SELECT fingerprint FROM boilerplate_sightings WHERE page_url = ?)",
            (seen_at, seen_at, page_url),
        )

    def capture_outcomes(self, crawl_id: int) -> dict[str, int]:
        """How many captures the crawl recorded, by outcome."""
        return dict(
            self.conn.execute(
                "SELECT outcome, COUNT(*) FROM captures WHERE crawl_id = ? "
                "GROUP BY outcome",
                (crawl_id,),
            )
        )

    # -- the current site's posts ---------------------------------------------

    def record_posts(self, crawl_id: int, posts: Iterable[Post]) -> None:
        """Note each post's WordPress identity and dates."""
        with self.transaction():
            for post in posts:
                self.conn.execute(
                    """
                    INSERT INTO wordpress_posts (item_id, wp_id, link, date_gmt,
                                                 modified_gmt, first_crawl, last_crawl)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (item_id) DO UPDATE SET
                      wp_id = excluded.wp_id, link = excluded.link,
                      date_gmt = excluded.date_gmt,
                      modified_gmt = excluded.modified_gmt,
                      last_crawl = excluded.last_crawl
                    """,
                    (post.record.id, post.wp_id, post.link, post.date_gmt,
                     post.modified_gmt, crawl_id, crawl_id),
                )  # fmt: skip

    def holds_posts_unchanged(self, posts: Iterable[Post]) -> bool:
        """True when every post is in the archive, last modified as it says."""
        wanted = {post.record.id: post.modified_gmt for post in posts}
        if not wanted:
            return False
        marks = ", ".join("?" for _ in wanted)
        stored = dict(
            self.conn.execute(
                f"SELECT item_id, modified_gmt FROM wordpress_posts "
                f"WHERE item_id IN ({marks})",
                tuple(wanted),
            )
        )
        return stored == wanted

    # -- boilerplate learned during a crawl -----------------------------------

    def known_boilerplate(self) -> set[str]:
        return {
            row[0] for row in self.conn.execute("SELECT fingerprint FROM boilerplate")
        }

    def set_aside_items(
        self, crawl_id: int, fingerprints: set[str], reason: str
    ) -> int:
        """Move items that turned out to be a repeated block to `boilerplate`.

        Their sightings become the block's sightings; returns how many items moved.
        """
        moved = 0
        with self.transaction():
            for fingerprint in sorted(fingerprints):
                rows = self.conn.execute(
                    "SELECT id, title, summary, listing_key, last_seen FROM items "
                    "WHERE fingerprint = ?",
                    (fingerprint,),
                ).fetchall()
                for item_id, title, summary, key, last_seen in rows:
                    self._store_block(
                        fingerprint, title, summary, reason, crawl_id, last_seen
                    )
                    self.conn.execute(
                        "INSERT INTO boilerplate_sightings (fingerprint, crawl_id, "
                        "page_url, seen_at) SELECT ?, crawl_id, page_url, seen_at "
                        "FROM sightings WHERE item_id = ?",
                        (fingerprint, item_id),
                    )
                    for table in ("sightings", "item_versions", "wordpress_posts"):
                        self.conn.execute(
                            f"DELETE FROM {table} WHERE item_id = ?", (item_id,)
                        )
                    self.conn.execute(
                        "UPDATE items SET duplicate_of = NULL WHERE duplicate_of = ?",
                        (item_id,),
                    )
                    self.conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
                    self._mark_duplicates(key)
                    moved += 1
            self._recount_crawl(crawl_id)
        return moved

    # -- questions a crawl asks -----------------------------------------------

    def holds_unchanged(self, records: Iterable[Record]) -> bool:
        """True when every record is in the archive with the same text."""
        records = list(records)
        if not records:
            return False
        wanted = {record.id: record for record in records}
        marks = ", ".join("?" for _ in wanted)
        rows = self.conn.execute(
            f"SELECT id, {', '.join(CONTENT_FIELDS)} FROM items WHERE id IN ({marks})",
            tuple(wanted),
        ).fetchall()
        if len(rows) != len(wanted):
            return False
        return all(tuple(row[1:]) == _content(wanted[row[0]]) for row in rows)

    def count(self, table: str) -> int:
        return self.db[table].count


def _content(record: Record) -> tuple:
    return tuple(getattr(record, field) for field in CONTENT_FIELDS)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class CrawlRunning(ArchiveError):
    """Another crawl holds the archive; the message names it."""


class CrawlLock:
    """One crawl at a time: an exclusive lock on the archive's `PATH.lock`.

    The kernel holds the lock (flock) for as long as the crawling process
    lives, so a crawl killed outright leaves none behind: the next crawl takes
    it over at once, and `stale` then says who held it last. The file names
    its holder (`pid`, `crawl`, `started`), so that a second crawl refused
    with CrawlRunning can say which crawl is running.
    """

    def __init__(self, db_path: str | os.PathLike) -> None:
        self.db_path = Path(db_path)
        self.path = _lock_path(self.db_path)
        self.fd: int | None = None
        self.stale: dict[str, str] = {}

    def __enter__(self) -> CrawlLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ArchiveError(f"cannot lock {self.path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise CrawlRunning(_running_message(self.db_path, holder)) from None
        self.fd = fd
        _HELD_LOCKS.add(fd)
        self.stale = _read_holder(fd)
        self.name_crawl(None)
        return self

    def name_crawl(self, crawl_id: int | None) -> None:
        """Write this process and its crawl into the lock file."""
        holder = {"pid": str(os.getpid()), "started": utc_now()}
        if crawl_id is not None:
            holder["crawl"] = str(crawl_id)
        text = "".join(f"{name}={value}\n" for name, value in holder.items())
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, text.encode(), 0)

    def __exit__(self, *exc_info) -> None:
        _HELD_LOCKS.discard(self.fd)
        os.ftruncate(self.fd, 0)  # nobody holds it
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


def _read_holder(fd: int) -> dict[str, str]:
    text = os.pread(fd, 4096, 0).decode("utf-8", errors="replace")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _running_message(db_path: Path, holder: dict[str, str]) -> str:
    since = f" ({_process(holder)})" if holder else ""
    return f"{_crawl(holder)} is running on {db_path}{since}; not started"


def took_over_message(holder: dict[str, str]) -> str:
    """What a crawl says when it took over a dead crawl's lock (`stale`)."""
    return (
        f"{_crawl(holder)} ({_process(holder)}) ended without letting go of the "
        "archive's lock: taken over, and that crawl marked interrupted"
    )


def _crawl(holder: dict[str, str]) -> str:
    return f"crawl {holder['crawl']}" if "crawl" in holder else "a crawl"


def _process(holder: dict[str, str]) -> str:
    return f"process {holder.get('pid', '?')} since {holder.get('started', '?')}"


# The crawl locks this process holds (their file descriptors). A process forked
# during a crawl (the parser) would share the lock and keep it held after the
# crawler died; so it lets go of its copy at once, and the lock ends with the
# crawler.
_HELD_LOCKS: set[int] = set()


def _let_go_of_inherited_locks() -> None:
    for fd in _HELD_LOCKS:
        with suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_let_go_of_inherited_locks)


def backup(source: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """A consistent copy of the archive at `dest`, made while it is in use.

    SQLite's online backup copies one snapshot of the file, in one step: a
    crawl writing meanwhile (WAL) carries on, and what it commits later is not
    in the copy; Datasette reading it is not disturbed. The copy is a single
    file (no write-ahead log), written beside `dest` and moved there only once
    whole and checked, so `dest` is never half a copy. A directory `dest`
    gets `NAME-YYYYMMDDTHHMMSSZ.db`. Returns the path written.
    """
    source = Path(source)
    if not source.is_file():
        raise ArchiveError(f"{source}: no such archive")
    dest = Path(dest)
    if dest.is_dir():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        dest = dest / f"{source.stem}-{stamp}.db"
    if dest.exists() and dest.resolve() == source.resolve():
        raise ArchiveError(f"{dest} is the archive itself")
    partial = dest.with_name(dest.name + ".partial")
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        with closing(reader), closing(sqlite3.connect(partial)) as copy:
            reader.execute("PRAGMA busy_timeout = 10000")
            reader.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise ArchiveError(f"the copy of {source} failed its check: {check}")
        partial.replace(dest)
    except sqlite3.Error as error:
        raise ArchiveError(f"cannot back up {source} to {dest}: {error}") from None
    except OSError as error:
        raise ArchiveError(
            f"cannot back up {source} to {dest}: {error.strerror}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return dest


def crawl_in_progress(path: str | os.PathLike) -> bool:
    """True while a crawl holds the archive's lock."""
    lock_path = _lock_path(Path(path))
    if not lock_path.exists():
        return False
    with open(lock_path) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


def listing_key(section: str | None, title: str, date_text: str | None) -> str:
    """Same section, folded title and date line: one piece, whatever its ids."""
    key = "\n".join((section or "", fold_key(title), fold_key(date_text or "")))
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def id_order(item_id: str) -> tuple:
    """article-99 before article-100; link-less ids after numbered ones."""
    prefix, _, number = item_id.rpartition("-")
    if prefix == "article" and number.isdigit():
        return (0, int(number), "")
    return (1, 0, item_id)


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date else None
