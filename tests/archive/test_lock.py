"""One crawl at a time: the crawl lock, and what it says."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from psgscraper.archive import (
    ArchiveError,
    CrawlLock,
    CrawlRunning,
    crawl_in_progress,
    took_over_message,
)


def test_one_crawl_at_a_time_and_the_refusal_names_the_running_one(tmp_path):
    db = tmp_path / "a.db"
    with CrawlLock(db) as first:
        first.name_crawl(12)
        with pytest.raises(CrawlRunning) as refused, CrawlLock(db):
            pass
    message = str(refused.value)
    assert message.startswith(f"crawl 12 is running on {db}")
    assert f"process {os.getpid()} since " in message
    with CrawlLock(db) as second:  # let go: the next one takes it
        assert second.stale == {}


def test_the_lock_ends_with_the_crawler_not_with_processes_it_forked(tmp_path):
    """A crawler killed while its parser and writer live on frees the archive."""
    db = tmp_path / "a.db"
    crawler = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            import os, sys, time
            from psgscraper.archive import CrawlLock
            with CrawlLock({str(db)!r}) as lock:
                lock.name_crawl(4)
                child = os.fork()
                if child == 0:  # a process forked during the crawl lives on
                    os.close(1), os.close(2)
                    time.sleep(30)
                    os._exit(0)
                print(child, flush=True)
                os._exit(0)  # the crawler dies without letting go
        """)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    child = int(crawler.stdout)
    try:
        os.kill(child, 0)  # still running
        with CrawlLock(db) as lock:
            assert lock.stale["crawl"] == "4"  # taken over from the dead crawler
    finally:
        os.kill(child, signal.SIGKILL)


def test_crawl_in_progress_while_the_lock_is_held(tmp_path):
    db = tmp_path / "a.db"
    assert not crawl_in_progress(db)  # no lock file yet
    with CrawlLock(db) as lock:
        assert lock.path == tmp_path / "a.db.lock"
        assert crawl_in_progress(db)
    assert not crawl_in_progress(db)
    assert lock.path.read_text() == ""  # nobody holds it


def test_the_takeover_message_names_the_dead_crawl():
    holder = {"pid": "41", "crawl": "7", "started": "2026-01-01T00:00:00+00:00"}
    assert took_over_message(holder) == (
        "crawl 7 (process 41 since 2026-01-01T00:00:00+00:00) ended without "
        "letting go of the archive's lock: taken over, and that crawl marked "
        "interrupted"
    )
    assert took_over_message({}).startswith("a crawl (process ? since ?) ended")


def test_a_lock_that_cannot_be_made_says_why(tmp_path):
    (tmp_path / "a.db.lock").mkdir()
    with pytest.raises(ArchiveError, match=r"^cannot lock .*a\.db\.lock: "):
        CrawlLock(tmp_path / "a.db").__enter__()
