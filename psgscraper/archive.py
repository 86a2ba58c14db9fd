"""The SQLite archive: the one module that knows its schema.

Tables
- `items`: one row per published item (the parser's record fields), with when
  and in which crawls it was first and last seen, and `duplicate_of` for a
  piece the site listed twice under two ids.
- `sightings`: every appearance of an item on a page in a crawl.
- `item_versions`: an item's previous text, each time a crawl saw it changed.
- `boilerplate` and `boilerplate_sightings`: the blocks set aside, and where.
- `crawls`: one row per crawl, with its status and figures.

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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from .parse import RECORD_FIELDS, Listing, Record
from .parse.text import fold_key

SCHEMA_VERSION = 2  # 2: the newsletters view

# An item's text as published; a difference here is a change worth a version.
CONTENT_FIELDS = ("title", "date_text", "summary", "byline", "image_caption")

# What a new sighting of an item writes: all of it when its text changed...
UPDATED_FIELDS = (
    *(f.name for f in RECORD_FIELDS if f.name != "id"),
    "year",
    "last_seen",
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

RUNNING, OK, FAILED, INTERRUPTED = "running", "ok", "failed", "interrupted"


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
        db = self.db
        db["crawls"].create(
            {
                "id": int,
                "started": str,
                "ended": str,
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
                "errors": int,
                "message": str,
            },
            pk="id",
            not_null=["started", "status"],
            defaults={
                "status": RUNNING,
                "pages": 0,
                "requests": 0,
                "items_seen": 0,
                "items_new": 0,
                "items_changed": 0,
                "blocks_set_aside": 0,
                "errors": 0,
            },
            if_not_exists=True,
        )
        db["items"].create(
            {
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
            },
            pk="id",
            not_null=["title", "summary", "first_seen", "last_seen"],
            foreign_keys=[
                ("first_crawl", "crawls", "id"),
                ("last_crawl", "crawls", "id"),
                ("duplicate_of", "items", "id"),
            ],
            if_not_exists=True,
        )
        db["sightings"].create(
            {
                "id": int,
                "item_id": str,
                "crawl_id": int,
                "page_url": str,
                "position": int,
                "seen_at": str,
            },
            pk="id",
            not_null=["item_id", "crawl_id", "page_url", "seen_at"],
            foreign_keys=[("item_id", "items", "id"), ("crawl_id", "crawls", "id")],
            if_not_exists=True,
        )
        db["item_versions"].create(
            {
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
            pk="id",
            not_null=["item_id", "crawl_id", "replaced_at"],
            foreign_keys=[("item_id", "items", "id"), ("crawl_id", "crawls", "id")],
            if_not_exists=True,
        )
        db["boilerplate"].create(
            {
                "fingerprint": str,
                "title": str,
                "text": str,
                "reason": str,
                "first_seen": str,
                "last_seen": str,
                "first_crawl": int,
                "last_crawl": int,
            },
            pk="fingerprint",
            foreign_keys=[
                ("first_crawl", "crawls", "id"),
                ("last_crawl", "crawls", "id"),
            ],
            if_not_exists=True,
        )
        db["boilerplate_sightings"].create(
            {
                "id": int,
                "fingerprint": str,
                "crawl_id": int,
                "page_url": str,
                "seen_at": str,
            },
            pk="id",
            foreign_keys=[
                ("fingerprint", "boilerplate", "fingerprint"),
                ("crawl_id", "crawls", "id"),
            ],
            if_not_exists=True,
        )
        indexes = {
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
            ],
            "sightings": [["item_id"], ["crawl_id", "item_id"]],
            "item_versions": [["item_id"], ["crawl_id", "item_id"]],
            "boilerplate_sightings": [["fingerprint"], ["crawl_id", "fingerprint"]],
        }
        for table, column_sets in indexes.items():
            for columns in column_sets:
                db[table].create_index(columns, if_not_exists=True)
        if "items_fts" not in db.table_names():
            db["items"].enable_fts(
                ["title", "summary", "byline"],
                fts_version="FTS5",
                create_triggers=True,
                tokenize="porter unicode61 remove_diacritics 2",
            )
            # Re-index an item only when its indexed text changes, not each
            # time a crawl sees it again.
            self.conn.execute("DROP TRIGGER items_au")
            self.conn.execute(
                """
                CREATE TRIGGER items_au AFTER UPDATE OF title, summary, byline
                ON items BEGIN
                  INSERT INTO items_fts (items_fts, rowid, title, summary, byline)
                  VALUES ('delete', old.rowid, old.title, old.summary, old.byline);
                  INSERT INTO items_fts (rowid, title, summary, byline)
                  VALUES (new.rowid, new.title, new.summary, new.byline);
                END
                """
            )

    def _create_views(self) -> None:
        self.db["items"].create_index(["date_text"], if_not_exists=True)
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
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- crawls ---------------------------------------------------------------

    @contextmanager
    def crawl_lock(self) -> Iterator[None]:
        """Hold the archive for one crawl; a second crawl at once is refused."""
        lock_path = _lock_path(self.path)
        with open(lock_path, "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ArchiveError(
                    f"another crawl is writing to {self.path} (lock {lock_path})"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def mark_stale_crawls_interrupted(self) -> int:
        """Crawls left `running` by a killed process; call under `crawl_lock`."""
        cursor = self.conn.execute(
            "UPDATE crawls SET status = ?, message = ? WHERE status = ?",
            (INTERRUPTED, "the crawl process stopped before it finished", RUNNING),
        )
        return cursor.rowcount

    def start_crawl(
        self, base_url: str, sections: Iterable[str], incremental: bool = False
    ) -> int:
        cursor = self.conn.execute(
            "INSERT INTO crawls (started, base_url, sections, incremental, status) "
            "VALUES (?, ?, ?, ?, ?)",
            (utc_now(), base_url, ",".join(sections), int(incremental), RUNNING),
        )
        return cursor.lastrowid

    def finish_crawl(
        self,
        crawl_id: int,
        status: str,
        *,
        errors: int = 0,
        requests: int = 0,
        message: str | None = None,
    ) -> dict:
        with self._transaction():
            self._recount_crawl(crawl_id)
            self.conn.execute(
                "UPDATE crawls SET ended = ?, status = ?, errors = ?, requests = ?, "
                "message = ? WHERE id = ?",
                (utc_now(), status, errors, requests, message, crawl_id),
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
        with self._transaction():
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
            "listing_key FROM items WHERE id = ?",
            (record.id,),
        ).fetchone()
        key = listing_key(record.section, record.title, record.date_text)
        if stored is None:
            self._insert_item(record, key, crawl_id, seen_at)
            self._mark_duplicates(key)
            return "new"
        stored_section, *stored_text, stored_key = stored
        if record.section == "home" and stored_section != "home":
            # The home page repeats, in a shorter form, what a listing holds in
            # full: it tells when the item was seen, not what it says.
            self.conn.execute(
                "UPDATE items SET last_seen = ?, last_crawl = ? WHERE id = ?",
                (seen_at, crawl_id, record.id),
            )
            return "seen"
        text = tuple(getattr(record, field) for field in CONTENT_FIELDS)
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
            last_seen=seen_at,
            last_crawl=crawl_id,
            listing_key=listing_key(record.section, record.title, record.date_text),
            fingerprint=record.fingerprint,
        )
        assignments = ", ".join(f"{field} = ?" for field in fields)
        self.conn.execute(
            f"UPDATE items SET {assignments} WHERE id = ?",
            (*(row[field] for field in fields), record.id),
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
              last_seen = excluded.last_seen, last_crawl = excluded.last_crawl
            """,
            (fingerprint, title, text, reason, seen_at, seen_at, crawl_id, crawl_id),
        )

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
        with self._transaction():
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
                    for table in ("sightings", "item_versions"):
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
        return all(
            tuple(row[1:]) == tuple(getattr(wanted[row[0]], f) for f in CONTENT_FIELDS)
            for row in rows
        )

    def count(self, table: str) -> int:
        return self.db[table].count


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


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
