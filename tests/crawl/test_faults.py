"""A crawl against a faulty host: retries, then a clear failure, and the archive kept.

Each fault is served for real on 127.0.0.1 by the mirror (or is real: a port
nobody listens on, a host name that cannot be resolved), to a real crawl that
writes into a copy of a full archive.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime

import pytest
from helpers import crawl, expected_records, psg, query, serving

from psgscraper.archive import Archive
from psgscraper.warc import CrawlWarc

# Every table but the crawl rows: what a failed crawl must leave as it was.
KEPT = {
    "items": "SELECT * FROM items ORDER BY id",
    "sightings": "SELECT * FROM sightings ORDER BY id",
    "item_versions": "SELECT * FROM item_versions ORDER BY id",
    "boilerplate": "SELECT * FROM boilerplate ORDER BY fingerprint",
}
FIRST_PAGE = r"^/news\.php$"

# A failing request is made three times, and no more: the first try and
# RETRY_TIMES = 2 retries (psgscraper/settings.py), Scrapy's own or, for the
# faults Scrapy does not retry, the spider's.
TRIES = 3
# A redirect loop is followed REDIRECT_MAX_TIMES = 5 times before it fails (6
# requests); each of the 2 retries carries the redirects counted so far, so it
# stops at its first redirect (1 request each).
LOOP_TRIES = 6 + 2

# fault: (how the mirror serves it, the error the report gives)
SERVED = {
    "HTTP 500": ({"fail": FIRST_PAGE}, "HTTP 500"),
    "HTTP 429": ({"faults": {"429": FIRST_PAGE}}, "HTTP 429"),
    "time-out": ({"hang": FIRST_PAGE, "hang_seconds": 5}, "timed out"),
    "truncated body": ({"faults": {"truncated": FIRST_PAGE}}, "data loss"),
    "redirect loop": ({"faults": {"redirect-loop": FIRST_PAGE}}, "a redirect loop"),
    "20 MB page": ({"faults": {"huge": FIRST_PAGE}}, "larger than the 10 MB"),
    "gzip garbage": ({"faults": {"bad-gzip": FIRST_PAGE}}, "compression is broken"),
}
# fault: (the status the mirror notes for each request of the page, how many)
TRIED = {
    "HTTP 500": (500, TRIES),
    "HTTP 429": (429, TRIES),
    "time-out": (200, TRIES),  # noted as it arrives, then held past the timeout
    "truncated body": (200, TRIES),
    "redirect loop": (302, LOOP_TRIES),
    "20 MB page": (200, TRIES),
    "gzip garbage": (200, TRIES),
}
ROBOTS = ("GET", "/robots.txt", 200)


def snapshot(db) -> dict[str, list]:
    return {table: query(db, sql) for table, sql in KEPT.items()}


def assert_failed_cleanly(result, db, before, error: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    # the page that failed, and why, on one line
    assert re.search(rf"/news\.php: [^\n]*{re.escape(error)}", result.stderr)
    ((status, message),) = query(
        db, "SELECT status, message FROM crawls ORDER BY id DESC LIMIT 1"
    )
    assert status == "failed"
    assert error in message
    assert snapshot(db) == before
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("fault", SERVED)
def test_a_fault_is_retried_then_fails_the_crawl_and_keeps_the_archive(
    fault, archive_copy, mirror_week0
):
    (options, error), (status, tries) = SERVED[fault], TRIED[fault]
    before = snapshot(archive_copy)
    with serving(mirror_week0, **options) as server:
        result = crawl(server, archive_copy, "--sections", "news", "--timeout", "1")
        requests = server.requests
    assert_failed_cleanly(result, archive_copy, before, error)
    # robots.txt once, then the page as often as retries allow: no retry storm
    assert requests == [ROBOTS] + [("GET", "/news.php", status)] * tries
    assert query(archive_copy, "SELECT requests, errors FROM crawls WHERE id = 2") == [
        (len(requests), 1)
    ]


def test_connection_refused_fails_the_crawl_and_keeps_the_archive(archive_copy):
    before = snapshot(archive_copy)
    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    result = psg(
        "crawl", "--base-url", url, "--db", str(archive_copy), "--delay", "0",
        "--sections", "news", cwd=archive_copy.parent,
    )  # fmt: skip
    assert_failed_cleanly(result, archive_copy, before, "connection refused")


@pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0,
    reason="needs unshare and root for a network namespace",
)
def test_a_host_that_cannot_be_resolved_fails_the_crawl(archive_copy):
    """In a network namespace of its own, so that no DNS query leaves the machine."""
    before = snapshot(archive_copy)
    result = subprocess.run(
        ["unshare", "--net", sys.executable, "-m", "psgscraper", "crawl",
         "--base-url", "http://psg-nowhere.invalid/", "--db", str(archive_copy),
         "--delay", "0", "--sections", "news"],
        cwd=archive_copy.parent, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert_failed_cleanly(result, archive_copy, before, "host not found")


def test_a_429_is_given_the_time_its_retry_after_asks(tmp_path, mirror_week0):
    """3 s, not the 2 s the crawl would wait for a 429 that asked for nothing."""
    db = tmp_path / "psg.db"
    faults = {"429": FIRST_PAGE}
    with serving(mirror_week0, faults=faults, fault_times=1, retry_after=3) as server:
        result = crawl(server, db, "--sections", "news", "--max-pages", "1")
        requests = server.requests
    assert result.returncode == 0, result.stderr
    assert requests == [ROBOTS, ("GET", "/news.php", 429), ("GET", "/news.php", 200)]
    (path,) = (tmp_path / "warc").glob("*.warc.gz")
    answers = [
        (capture.status, datetime.fromisoformat(capture.captured_at))
        for capture in CrawlWarc.open(path).responses()
        if capture.url.endswith("/news.php")
    ]
    assert [status for status, _ in answers] == [429, 200]
    assert 3 <= (answers[1][1] - answers[0][1]).total_seconds() < 4.5


@pytest.fixture
def small_disk(tmp_path):
    """A 1.5 MB tmpfs: room for the start of a crawl, not for the whole of it."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(mount)],
        capture_output=True, text=True,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def test_a_full_disk_fails_the_crawl_cleanly_and_the_archive_stays_readable(
    small_disk, mirror_week0
):
    db = small_disk / "psg.db"
    with serving(mirror_week0) as server:
        result = crawl(server, db)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"database or disk is full|No space left on device", result.stderr)
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    ((status, message, pages),) = query(db, "SELECT status, message, pages FROM crawls")
    # The archive or the WARC file may be the one that finds the disk full.
    assert status == "failed" and pages >= 1
    assert re.search(r"database or disk is full|No space left on device", message)
    with Archive(db, readonly=True) as archive:
        assert 0 < archive.count("items") < len(expected_records(mirror_week0))
    # The room the crawl kept for its ending is given back.
    assert not db.with_name("psg.db.reserve").exists()


def test_ctrl_c_during_a_retry_after_wait_stops_the_crawl(tmp_path, mirror_week0):
    """The host asks for 100 s; a Ctrl-C does not wait them out."""
    db = tmp_path / "psg.db"
    faults = {"429": FIRST_PAGE}
    with serving(mirror_week0, faults=faults, retry_after=100) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "psgscraper", "crawl", "--base-url", server.url,
             "--db", str(db), "--delay", "0", "--sections", "news"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while ("GET", "/news.php", 429) not in server.requests:
            assert time.monotonic() < deadline, "no 429 was asked for"
            time.sleep(0.05)
        time.sleep(0.5)  # into the wait
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 1  # well before the 100 s
    assert query(db, "SELECT status FROM crawls") == [("interrupted",)]


def _child_of(pid: int, seconds: float) -> int:
    """The first child process of `pid` (the crawl's parser process)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                return int(entry)
        time.sleep(0.05)
    raise AssertionError(f"process {pid} started no child")


def _wait_for_rows(db, sql: str, at_least: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while query(db, sql)[0][0] < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least}: {sql}"
        time.sleep(0.05)


def test_a_killed_parser_process_stops_the_crawl_with_a_message(
    archive_copy, mirror_week0
):
    """The parser process killed under the crawl (the OOM killer, say): the
    crawl stops at once, exit 1, saying why, with the pages written before."""
    sightings = "SELECT COUNT(*) FROM sightings"
    before = query(archive_copy, sightings)[0][0]
    with serving(mirror_week0, latency=0.1) as server:
        crawler = subprocess.Popen(
            [sys.executable, "-m", "psgscraper", "crawl", "--base-url", server.url,
             "--db", str(archive_copy), "--delay", "0", "--concurrency", "1",
             "--no-warc"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        parser = _child_of(crawler.pid, seconds=30)
        _wait_for_rows(archive_copy, sightings, before + 10, seconds=30)
        os.kill(parser, signal.SIGKILL)
        _, stderr = crawler.communicate(timeout=60)
    assert crawler.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "the parser process ended unexpectedly" in stderr
    ((status, message),) = query(
        archive_copy, "SELECT status, message FROM crawls ORDER BY id DESC LIMIT 1"
    )
    assert status == "failed" and "parser process" in message
    assert query(archive_copy, "PRAGMA integrity_check") == [("ok",)]
