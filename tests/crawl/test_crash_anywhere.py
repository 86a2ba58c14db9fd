"""Killed at any moment, a crawl leaves a sound archive; the next one completes it.

Twenty real crawls of the mirror are killed with SIGKILL at moments drawn
from a seeded generator, from the first instant (the archive not yet made) to
the end of the crawl. After each kill the archive passes SQLite's integrity
and foreign-key checks; after every fifth, a crawl left to finish gives the
archive an uninterrupted crawl gives.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from helpers import crawl, query, serving

KILLS = 20
SEED = 2026
LATENCY = 0.01  # spreads the crawl over about two seconds
# The archive's content, without what names a crawl or the time it ran.
CONTENT = {
    "items": "SELECT id, url, section, title, date, date_precision, date_text, "
    "update_number, byline, summary, image_caption, year, duplicate_of "
    "FROM items ORDER BY id",
    "boilerplate": "SELECT fingerprint, title, text, reason FROM boilerplate "
    "ORDER BY fingerprint",
    "item_versions": "SELECT COUNT(*) FROM item_versions",
}
LAST_CRAWL_SIGHTINGS = """SELECT item_id, page_url, position FROM sightings
WHERE crawl_id = (SELECT MAX(id) FROM crawls) ORDER BY page_url, position"""


def content(db, base_url: str) -> dict[str, list]:
    found = {table: query(db, sql) for table, sql in CONTENT.items()}
    found["sightings"] = [
        (item_id, page_url.replace(base_url, "/"), position)
        for item_id, page_url, position in query(db, LAST_CRAWL_SIGHTINGS)
    ]
    return found


def test_killed_anywhere_the_archive_stays_sound_and_the_next_crawl_completes_it(
    tmp_path, mirror_week0
):
    moments = random.Random(SEED)
    db = tmp_path / "psg.db"
    with serving(mirror_week0, latency=LATENCY) as server:
        reference_db = tmp_path / "reference.db"
        assert crawl(server, reference_db).returncode == 0
        reference = content(reference_db, server.url)
        started = time.monotonic()
        for kill in range(1, KILLS + 1):
            process = subprocess.Popen(
                [sys.executable, "-m", "psgscraper", "crawl", "--base-url",
                 server.url, "--db", str(db), "--delay", "0"],
                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(moments.uniform(0, 2.5))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            if db.exists():
                assert query(db, "PRAGMA integrity_check") == [("ok",)], kill
                assert query(db, "PRAGMA foreign_key_check") == [], kill
            if kill % 5 == 0:
                finished = crawl(server, db)
                assert finished.returncode == 0, (kill, finished.stderr)
                assert content(db, server.url) == reference, kill
                assert query(
                    db, "SELECT COUNT(*) FROM crawls WHERE status = 'running'"
                ) == [(0,)]
            assert time.monotonic() - started < 300, "the loop is bounded"
