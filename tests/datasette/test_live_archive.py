"""The archive read while a crawl writes it: Datasette and `psg backup`.

A real crawl of the mirror (slowed, two requests at a time) writes the archive
while `psg serve` answers requests about it and `psg backup` copies it. Every
request is answered, every answer and every copy holds whole pages only.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import datasette, expected_records, psg, query, serving

# One snapshot of the crawl's progress: items, the items its sightings name,
# and the items written for each listing page.
PROGRESS = """SELECT (SELECT COUNT(*) FROM items) AS items,
       (SELECT COUNT(DISTINCT item_id) FROM sightings) AS sighted,
       (SELECT json_group_object(page_url, n) FROM (
          SELECT page_url, COUNT(*) AS n FROM sightings
          WHERE page_url LIKE '%.php%' GROUP BY page_url)) AS pages"""


@dataclass
class LiveCrawl:
    db: Path
    base_url: str
    per_page: Counter  # items on each listing page, by path
    # A block only the learning detector catches is stored as an item until
    # it has been seen on enough pages: on these pages, one more is whole too.
    learned_block_pages: set[str] = field(default_factory=set)
    answers: list[dict] = field(default_factory=list)  # Datasette's progress
    statuses: Counter = field(default_factory=Counter)
    backups: list[Path] = field(default_factory=list)
    backup_results: list[subprocess.CompletedProcess] = field(default_factory=list)
    crawl_status: int | None = None


@pytest.fixture(scope="module")
def live_crawl(tmp_path_factory, mirror_week0) -> LiveCrawl:
    work = tmp_path_factory.mktemp("live")
    db = work / "psg.db"
    per_page = Counter(
        _listing_path(record) for record in expected_records(mirror_week0)
    )
    with serving(mirror_week0, latency=0.05) as server:
        blocks = json.loads((mirror_week0 / "blocks.json").read_text())["blocks"]
        learned = {
            page.removesuffix("?position=0")
            for block in blocks
            if block["caught_by"] == "learning"
            for page in block["pages"]
        }
        live = LiveCrawl(db, server.url, per_page, learned)
        crawler = subprocess.Popen(
            [sys.executable, "-m", "psgscraper", "crawl", "--base-url", server.url,
             "--db", str(db), "--delay", "0", "--concurrency", "2"],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_until(lambda: db.exists() and _written_pages(db) >= 2)
        query_string = urllib.parse.urlencode({"sql": PROGRESS, "_shape": "objects"})
        try:
            with datasette(db) as base:
                url = f"{base}/psg.json?{query_string}"
                deadline = time.monotonic() + 120
                while crawler.poll() is None and time.monotonic() < deadline:
                    status, rows = _get(url)
                    live.statuses[status] += 1
                    if rows:
                        live.answers.append(rows[0])
                    if len(live.answers) % 10 == 1 and len(live.backups) < 3:
                        dest = work / f"backup-{len(live.backups)}.db"
                        live.backup_results.append(
                            psg("backup", "--db", str(db), str(dest), cwd=work)
                        )
                        live.backups.append(dest)
            live.crawl_status = crawler.wait(timeout=60)
        finally:
            if crawler.poll() is None:
                crawler.kill()
    return live


def test_the_crawl_completes_while_read(live_crawl):
    assert live_crawl.crawl_status == 0
    assert query(live_crawl.db, "SELECT status FROM crawls") == [("ok",)]


def test_datasette_answers_every_request_during_the_crawl(live_crawl):
    assert set(live_crawl.statuses) == {200}
    assert len(live_crawl.answers) >= 10


def test_datasette_never_shows_half_a_page(live_crawl):
    growing = [answer["items"] for answer in live_crawl.answers]
    assert growing == sorted(growing) and growing[0] < growing[-1]
    for answer in live_crawl.answers:
        assert answer["items"] == answer["sighted"]
        for page, count in json.loads(answer["pages"]).items():
            assert_whole(live_crawl, page, count)


def test_backups_during_the_crawl_are_whole_snapshots(live_crawl):
    assert len(live_crawl.backups) == 3
    for result, backup in zip(
        live_crawl.backup_results, live_crawl.backups, strict=True
    ):
        assert result.returncode == 0, result.stderr
        assert f"backed up {live_crawl.db} to {backup}" in result.stderr
        assert query(backup, "PRAGMA integrity_check") == [("ok",)]
        assert query(backup, "PRAGMA foreign_key_check") == []
        assert query(backup, "PRAGMA journal_mode") == [("delete",)]
        assert not Path(f"{backup}-wal").exists()
        ((items, sighted, pages),) = query(backup, PROGRESS)
        assert items == sighted
        for page, count in json.loads(pages).items():
            assert_whole(live_crawl, page, count)
    sizes = [
        query(backup, "SELECT COUNT(*) FROM items")[0][0]
        for backup in live_crawl.backups
    ]
    assert sizes == sorted(sizes)


def test_a_backup_of_a_missing_archive_fails_cleanly(tmp_path):
    result = psg("backup", "--db", str(tmp_path / "none.db"), str(tmp_path / "b.db"),
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    assert "no such archive" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def assert_whole(live: LiveCrawl, page_url: str, count: int) -> None:
    """A page shows all its items: the answer key's, or those and a block not
    yet learned."""
    path = _path(page_url)
    whole = {live.per_page[path]}
    if path in live.learned_block_pages:
        whole.add(live.per_page[path] + 1)
    assert count in whole, (page_url, count, whole)


def _listing_path(record: dict) -> str:
    position = record["listing_position"]
    return f"/{record['section']}.php" + (f"?position={position}" if position else "")


def _path(page_url: str) -> str:
    parts = urllib.parse.urlsplit(page_url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _written_pages(db: Path) -> int:
    try:
        rows = query(db, "SELECT pages FROM crawls")
    except sqlite3.OperationalError:
        return 0
    return rows[0][0] if rows else 0


def _get(url: str) -> tuple[int, list | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())["rows"]
    except urllib.error.HTTPError as error:
        return error.code, None


def _wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)
