"""Item writes: pages, items, their versions and duplicates, boilerplate, texts,
and the places an item's text names.

Every listing page is written in one transaction, so a crawl stopped at any
instant leaves only complete pages behind. An item's places are found again
only when its text changes: a crawl that sees it again unchanged does not
read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from ..parse import RECORD_FIELDS, Listing, Record
from ..parse.places import places_in
from ..parse.text import fold_key
from ..parse.wordpress import POSTS
from .crawls import Crawls
from .schema import CONTENT_FIELDS, INTERNAL_COLUMNS, PLACE_COLUMNS, utc_now

# What a new sighting of an item writes: all of it when its text changed...
UPDATED_FIELDS = (
    *(f.name for f in RECORD_FIELDS if f.name != "id"),
    "year",
    "last_crawl",
    *INTERNAL_COLUMNS,
)
# ... and only where and when it was seen when it did not.
SEEN_FIELDS = tuple(
    field
    for field in UPDATED_FIELDS
    if field not in (*CONTENT_FIELDS, *INTERNAL_COLUMNS)
)
# An item's first and last sighting are the earliest and latest capture that
# showed it, in whatever order its pages are written (a crawl's pages arrive
# out of order; a re-parse or a web archive's captures may come in any order).
_SEEN_AT = "first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?)"


@dataclass(frozen=True)
class PageOutcome:
    """What writing one page did to the archive."""

    items: int
    new: int
    changed: int
    blocks: int


class Items(Crawls):
    """The archive's items, their sightings and versions, and the blocks set
    aside: a part of `Archive`."""

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

    def _seen_in_crawl(self, table: str, column: str, value: str, crawl_id: int):
        return (
            self.conn.execute(
                f"SELECT 1 FROM {table} WHERE crawl_id = ? AND {column} = ? LIMIT 1",
                (crawl_id, value),
            ).fetchone()
            is not None
        )

    def _store_item(self, record: Record, crawl_id: int, seen_at: str) -> str:
        """Insert or update one item; returns `new`, `changed` or `seen`."""
        stored = self.conn.execute(
            "SELECT section, title, date_text, summary, byline, image_caption, "
            "listing_key, last_seen FROM items WHERE id = ?",
            (record.id,),
        ).fetchone()
        key = _record_key(record)
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
        if text != tuple(stored_text):
            self._find_places(record.id)
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
        self._store_places(record.id, [row.get(column) for column in PLACE_COLUMNS])

    def _update_item(self, record: Record, crawl_id: int, seen_at: str, fields):
        """Write these fields of a stored item from a new sighting of it.

        An item seen again unchanged leaves its text columns alone, so that the
        full-text index is not rewritten for it.
        """
        row = record.as_dict()
        row.update(
            year=year_of(record.date),
            last_crawl=crawl_id,
            listing_key=_record_key(record),
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
                stored = self.conn.execute(
                    "SELECT body FROM items WHERE id = ?", (item_id,)
                ).fetchone()
                cursor = self.conn.execute(
                    "UPDATE items SET body = ?, body_fetched = ?, body_error = NULL "
                    "WHERE id = ?",
                    (body, fetched_at, item_id),
                )
                if stored is not None and stored[0] != body:
                    self._find_places(item_id)
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
                    for table in (
                        "sightings",
                        "item_versions",
                        "wordpress_posts",
                        "item_places",
                    ):
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

    # -- the places an item's text names --------------------------------------

    def _find_places(self, item_id: str) -> None:
        """Find the places of an item whose text changed, from its stored text."""
        texts = self.conn.execute(
            f"SELECT {', '.join(PLACE_COLUMNS)} FROM items WHERE id = ?", (item_id,)
        ).fetchone()
        self.conn.execute("DELETE FROM item_places WHERE item_id = ?", (item_id,))
        self._store_places(item_id, texts)

    def _store_places(self, item_id: str, texts: Iterable[str | None]) -> None:
        self.conn.executemany(
            "INSERT INTO item_places (item_id, code, region, name, kind, matched, "
            "mentions) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (item_id, place.code, place.region, place.name, place.kind,
                 "; ".join(place.matched), place.mentions)
                for place in places_in(*texts)
            ],
        )  # fmt: skip

    def find_all_places(self) -> int:
        """Find every item's places again (an archive before schema 7 has none);
        returns how many items name one."""
        with self.transaction():
            self.conn.execute("DELETE FROM item_places")
            items = self.conn.execute(  # read a row at a time, not all at once
                f"SELECT id, {', '.join(PLACE_COLUMNS)} FROM items"
            )
            for item_id, *texts in items:
                self._store_places(item_id, texts)
            (named,) = self.conn.execute(
                "SELECT COUNT(DISTINCT item_id) FROM item_places"
            ).fetchone()
        return named

    def rekey_posts(self) -> int:
        """Key each WordPress post by its text too, as archives before schema 6
        did not, and mark its duplicates again; returns how many keys changed."""
        changed = 0
        with self.transaction():
            rows = self.conn.execute(
                "SELECT id, title, date_text, summary, listing_key FROM items "
                "WHERE section = ?",
                (POSTS,),
            ).fetchall()
            for item_id, title, date_text, summary, old_key in rows:
                key = listing_key(POSTS, title, date_text, summary)
                if key == old_key:
                    continue
                self.conn.execute(
                    "UPDATE items SET listing_key = ? WHERE id = ?", (key, item_id)
                )
                self._mark_duplicates(old_key)
                self._mark_duplicates(key)
                changed += 1
        return changed

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


def _content(record: Record) -> tuple:
    return tuple(getattr(record, field) for field in CONTENT_FIELDS)


def listing_key(
    section: str | None, title: str, date_text: str | None, summary: str | None
) -> str:
    """Same section, folded title and date line: one piece, whatever its ids.

    A WordPress post has no date line, and a recurring column's posts share
    a title: two posts are one piece only when their texts are the same too.
    """
    parts = [section or "", fold_key(title), fold_key(date_text or "")]
    if section == POSTS:
        parts.append(fold_key(summary or ""))
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


def _record_key(record: Record) -> str:
    return listing_key(record.section, record.title, record.date_text, record.summary)


def id_order(item_id: str) -> tuple:
    """article-99 before article-100; link-less ids after numbered ones."""
    prefix, _, number = item_id.rpartition("-")
    if prefix == "article" and number.isdigit():
        return (0, int(number), "")
    return (1, 0, item_id)


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date else None
