"""Captures: what became of each web-archive capture a crawl listed
(`captures`), and the current site's WordPress posts (`wordpress_posts`)."""

from __future__ import annotations

from collections.abc import Iterable

from ..parse.cdx import CdxCapture
from ..parse.wordpress import Post
from .file import ArchiveFile
from .items import _SEEN_AT
from .schema import OK, PARSED, WORDPRESS


class Captures(ArchiveFile):
    """The web archive's captures and the WordPress posts: a part of `Archive`."""

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
        same_content_as: str | None = None,
    ) -> int:
        """Note what became of a listed capture.

        `same_content_as` is the replay URL of a capture already read with the
        same content: what it showed is seen again at this capture's time, on
        this page, and the row's `same_as` names that capture's row.
        """
        with self.transaction():
            same_as = None
            if same_content_as is not None:
                same_as = self.conn.execute(
                    "SELECT id FROM captures WHERE url = ? AND outcome = ?",
                    (same_content_as, PARSED),
                ).fetchone()
                if same_as is not None:
                    self._see_again(crawl_id, same_content_as, url, captured)
            cursor = self.conn.execute(
                "INSERT INTO captures (original, timestamp, captured, section, status, "
                "mimetype, digest, url, crawl_id, fetched_at, outcome, items_found, "
                "same_as, note, web_archive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, (SELECT web_archive FROM crawls WHERE id = ?))",
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
                    same_as[0] if same_as else None,
                    note,
                    crawl_id,
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
        """Note each post's WordPress identity and dates, and the latest
        `modified` the crawl has read (`crawls.modified_through`)."""
        posts = list(posts)
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
            latest = max(filter(None, (p.modified_gmt for p in posts)), default=None)
            if latest is not None:
                self.conn.execute(
                    "UPDATE crawls SET modified_through = ? WHERE id = ? "
                    "AND (modified_through IS NULL OR modified_through < ?)",
                    (latest, crawl_id, latest),
                )

    def posts_modified_through(self, base_url: str) -> str | None:
        """The latest `modified` that a crawl of the WordPress site at
        `base_url` which ended `ok` read: every post modified until then is
        held as it was then. None if no such crawl read any post."""
        (latest,) = self.conn.execute(
            "SELECT MAX(modified_through) FROM crawls WHERE source = ? "
            "AND status = ? AND base_url = ?",
            (WORDPRESS, OK, base_url),
        ).fetchone()
        return latest
