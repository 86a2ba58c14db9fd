"""The archive's schema: what it holds, and the one place that knows it.

The tables, their columns, indexes and rules; full-text search and the
`newsletters` and `item_regions` views; the values the status columns take;
creating the schema in a new file and bringing an older one up to date. And
reading a file's schema: whether a SQLite file is an archive at all, the
columns its `items` has (an archive of another schema version may have
others), and the one way to open a file read-only. `export`, `diff` and the
Datasette metadata read the schema from here instead of knowing it.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

# 2: newsletters view; 3: full texts, WARC; 4: captures, sources; 5: web
# archives; 6: crawls.modified_through, WordPress posts keyed by their text;
# 7: item_places, the item_regions view
SCHEMA_VERSION = 7
# The version whose archives key posts by title alone (`items.listing_key`).
POSTS_KEYED_BY_TITLE = 5
# The last version whose archives have no `item_places`.
WITHOUT_PLACES = 6

# The table of the newsletter's items: what export, diff and search read.
ITEMS = "items"

# An item's text as published; a difference here is a change worth a version.
CONTENT_FIELDS = ("title", "date_text", "summary", "byline", "image_caption")

# Bookkeeping of the crawler (deduplication and boilerplate), not data.
INTERNAL_COLUMNS = ("listing_key", "fingerprint")

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
            "web_archive": str,
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
            "modified_through": str,
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
            "web_archive": str,
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
    "item_places": {
        "columns": {
            "item_id": str,
            "code": str,
            "region": str,
            "name": str,
            "kind": str,
            "matched": str,
            "mentions": int,
        },
        "pk": ("item_id", "code", "name"),
        "not_null": ["region", "kind", "matched", "mentions"],
        "foreign_keys": [("item_id", "items", "id")],
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
    "item_places": [["code", "item_id"], ["region"], ["name"]],
}
# Indexes that also keep a rule.
UNIQUE_INDEXES = {"captures": [["original", "timestamp"]]}
# What full-text search reads, in the order the search query weighs it.
FTS_COLUMNS = ("title", "summary", "byline", "body")
FTS_TABLE = "items_fts"
# The text an item's places are read from (`item_places`), in the order read.
PLACE_COLUMNS = ("title", "summary", "body")
_FTS_TRIGGERS = ("items_ai", "items_ad", "items_au")

# The view of one row per printed edition, and its columns. (Its SQL is kept
# as it always was, indentation included: the file stores the text.)
NEWSLETTERS = "newsletters"
# The view of one row per item and region it names (each piece once).
ITEM_REGIONS = "item_regions"
VIEWS = {
    NEWSLETTERS: ("date_text", "date", "update_number", "sections", "items"),
    ITEM_REGIONS: (
        "code", "region", "item_id", "date", "year", "section", "title", "places",
        "mentions",
    ),
}  # fmt: skip
_NEWSLETTERS_SQL = """
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
_ITEM_REGIONS_SQL = """
            CREATE VIEW IF NOT EXISTS item_regions AS
            SELECT item_places.code,
                   item_places.region,
                   items.id AS item_id,
                   items.date,
                   items.year,
                   items.section,
                   items.title,
                   group_concat(item_places.name, '; ') AS places,
                   SUM(item_places.mentions) AS mentions
            FROM item_places JOIN items ON items.id = item_places.item_id
            WHERE items.duplicate_of IS NULL
            GROUP BY item_places.code, items.id
            """

# The columns of `items` that name crawls: two archives built by different
# crawls (an archive and its re-parse) number their crawls differently.
ITEM_CRAWL_COLUMNS = tuple(
    column for column, table, _ in TABLES[ITEMS]["foreign_keys"] if table == "crawls"
)


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message says why."""


def utc_now() -> str:
    """Now, as the archive writes every time: ISO 8601, UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def columns_of(name: str) -> tuple[str, ...]:
    """The columns of a table or view of the schema, in order."""
    if name in VIEWS:
        return VIEWS[name]
    return tuple(TABLES[name]["columns"])


# -- creating and migrating ---------------------------------------------------


def check_version(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version; ArchiveError if a newer psgscraper wrote it."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ArchiveError(
            f"{path} was written by a newer psgscraper "
            f"(schema {version}; this one knows {SCHEMA_VERSION})"
        )
    return version


def ensure_schema(db: sqlite_utils.Database, path: Path) -> int | None:
    """Create the schema, or bring an archive of an older schema up to date;
    return the version an existing archive had, None if it was current or new."""
    version = check_version(db.conn, path)
    if version == SCHEMA_VERSION:
        return None
    existing = bool(db.table_names())
    if existing:
        check_archive(db.conn, path)
    db.enable_wal()
    _create_tables(db)
    db.conn.execute(_NEWSLETTERS_SQL)
    db.conn.execute(_ITEM_REGIONS_SQL)
    db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return version if existing else None


def _create_tables(db: sqlite_utils.Database) -> None:
    """Create missing tables, add the columns an older archive lacks."""
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
    db.conn.execute(f"UPDATE crawls SET source = '{SITE}' WHERE source IS NULL")
    _create_fts(db)


def _create_fts(db: sqlite_utils.Database) -> None:
    """Full-text search on the indexed text, kept current by triggers.

    An archive whose index lacks a column (an older schema) is re-indexed.
    """
    if FTS_TABLE in db.table_names():
        if set(db[FTS_TABLE].columns_dict) >= set(FTS_COLUMNS):
            return
        for trigger in _FTS_TRIGGERS:
            db.conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        db[ITEMS].disable_fts()
    db[ITEMS].enable_fts(
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
    db.conn.execute("DROP TRIGGER items_au")
    db.conn.execute(
        f"""
            CREATE TRIGGER items_au AFTER UPDATE OF {columns} ON items BEGIN
              INSERT INTO items_fts (items_fts, rowid, {columns})
              VALUES ('delete', old.rowid, {old});
              INSERT INTO items_fts (rowid, {columns}) VALUES (new.rowid, {new});
            END
            """
    )


# -- reading a file's schema --------------------------------------------------


def read_only_uri(path: str | os.PathLike) -> str:
    """The URI that opens a file read-only (for `connect` and `ATTACH`)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def connect_read_only(path: str | os.PathLike) -> sqlite3.Connection:
    """A connection that can only read the archive at `path`, in autocommit
    mode, waiting for a crawl's commit rather than failing."""
    if not Path(path).is_file():
        raise ArchiveError(f"{path}: no such archive")
    conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def item_columns(conn: sqlite3.Connection, schema: str = "main") -> tuple[str, ...]:
    """The columns the file's `items` has, in table order; none if it has none.

    `schema` names an attached database; the file's own is `main`.
    """
    pragma = f"PRAGMA {quote_identifier(schema)}.table_info({ITEMS})"
    return tuple(row[1] for row in conn.execute(pragma))


def check_archive(
    conn: sqlite3.Connection,
    path: str | os.PathLike | None = None,
    schema: str = "main",
) -> None:
    """ArchiveError unless the SQLite file is an archive (it has `items`).

    `path` names the file in the message; by default, the file `schema` is.
    """
    if item_columns(conn, schema):
        return
    if path is None:
        files = {row[1]: row[2] for row in conn.execute("PRAGMA database_list")}
        path = files.get(schema) or "the database"
    raise ArchiveError(f"{path} is a SQLite database but not an archive")


def quote_identifier(name: str) -> str:
    """A table's or column's name, quoted for SQL whatever it holds."""
    return '"' + name.replace('"', '""') + '"'
