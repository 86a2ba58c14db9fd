"""Crawl rows: a crawl opened, named, counted and closed (`crawls`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .file import ArchiveFile
from .schema import INTERRUPTED, RUNNING, SITE, utc_now


class Crawls(ArchiveFile):
    """The archive's crawls: a part of `Archive`."""

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
        web_archive: str | None = None,
    ) -> int:
        """Open a crawl row; `warc` is the file that keeps its responses,
        `web_archive` the web archive a crawl of captures reads."""
        cursor = self.conn.execute(
            "INSERT INTO crawls (started, source, web_archive, base_url, sections, "
            "incremental, status, warc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                started or utc_now(),
                source,
                web_archive,
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

    def warc_paths(self) -> list[tuple[int, Path]]:
        """Each crawl that kept a WARC file, with that file's path (resolved
        against the archive's directory), in the order the crawls ran."""
        directory = self.path.parent
        return [
            (crawl_id, directory / warc)  # an absolute `warc` stays as it is
            for crawl_id, warc in self.conn.execute(
                "SELECT id, warc FROM crawls WHERE warc IS NOT NULL AND warc != '' "
                "ORDER BY id"
            )
        ]

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
