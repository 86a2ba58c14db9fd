"""psg crawl against the offline mirror: real Scrapy, real HTTP, real SQLite."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from helpers import PROJECT, crawl, expected_records, psg, query, serving

from psgscraper.archive import Archive
from psgscraper.parse import parse_listing
from psgscraper.site import LISTING_SECTIONS

FIELDS = (
    "section",
    "title",
    "date",
    "date_precision",
    "date_text",
    "update_number",
    "byline",
    "summary",
    "image_caption",
    "position",
    "duplicate_of",
)
CONTENT = ("id", "section", "title", "date", "date_text", "summary", "byline")
# An item's text: what an incremental crawl compares to stop at a known page.
TEXT = ("title", "date_text", "summary", "byline", "image_caption")
SECTIONS = LISTING_SECTIONS
BLOCKS = "SELECT fingerprint, title, text, first_crawl FROM boilerplate"


def items_by_id(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {row["id"]: dict(row) for row in conn.execute("SELECT * FROM items")}
    finally:
        conn.close()


def listing_requests(requests, section: str) -> list[str]:
    return [path for _, path, _ in requests if path.startswith(f"/{section}.php")]


def page_url(base: str, record: dict) -> str:
    position = record["listing_position"]
    query_string = f"?position={position}" if position else ""
    return f"{base}{record['section']}.php{query_string}"


def listing_pages(mirror: Path) -> dict[str, int]:
    """The pages of each listing of a mirror, by section."""
    listings = json.loads((mirror / "pages.json").read_text())["listings"]
    return {section: listings[f"/{section}.php"]["pages"] for section in SECTIONS}


def incremental_pages(before: list[dict], after: list[dict], section: str) -> int:
    """The pages of a listing an incremental crawl reads: newest first, up to
    the first whose items the archive of `before` holds with the same text."""
    held = {r["id"]: [r[f] for f in TEXT] for r in before}
    pages = defaultdict(list)
    for record in after:
        if record["section"] == section:
            pages[record["listing_position"]].append(record)
    for number, position in enumerate(sorted(pages), 1):
        if all(held.get(r["id"]) == [r[f] for f in TEXT] for r in pages[position]):
            return number
    return len(pages)


def home_ids(mirror: Path) -> set[str]:
    listing = parse_listing((mirror / "site" / "index.html").read_bytes(), "http://x/")
    return {item.id for item in listing.items}


# -- a full crawl of the default mirror ----------------------------------------


def test_full_crawl_keeps_every_item_once_with_every_field(crawled_week0, mirror_week0):
    db, base = crawled_week0.db, crawled_week0.base_url
    expected = expected_records(mirror_week0)
    stored = items_by_id(db)
    assert sorted(stored) == sorted(record["id"] for record in expected)
    for record in expected:
        item = stored[record["id"]]
        assert {field: item[field] for field in FIELDS} == {
            field: record[field] for field in FIELDS
        }, record["id"]
        assert item["url"] == (base + record["path"] if record["path"] else None)
        assert item["page_url"] == page_url(base, record)


def test_full_crawl_keeps_no_boilerplate_as_an_item(crawled_week0, mirror_week0):
    db = crawled_week0.db
    site = json.loads((mirror_week0 / "blocks.json").read_text())
    site_titles = {block["title"] for block in site["blocks"]}
    assert site["learned_only"] in site_titles
    stored = {title for (title,) in query(db, "SELECT DISTINCT title FROM boilerplate")}
    assert site_titles <= stored
    item_titles = {title for (title,) in query(db, "SELECT title FROM items")}
    assert not site_titles & item_titles


def test_full_crawl_sightings_and_one_crawl_row(crawled_week0, mirror_week0):
    db, result = crawled_week0.db, crawled_week0.result
    expected = expected_records(mirror_week0)
    on_home = home_ids(mirror_week0)
    sightings = Counter(item for (item,) in query(db, "SELECT item_id FROM sightings"))
    assert sightings == Counter({r["id"]: 1 + (r["id"] in on_home) for r in expected})
    ((status, pages, requests, seen, new, changed, errors),) = query(
        db,
        "SELECT status, pages, requests, items_seen, items_new, items_changed, "
        "errors FROM crawls",
    )
    assert status == "ok"
    assert pages == sum(listing_pages(mirror_week0).values()) + 1  # and the home page
    assert requests == len(crawled_week0.requests)  # robots.txt included
    assert (seen, new, changed, errors) == (len(expected), len(expected), 0, 0)
    assert "ok" in result.stderr and f"new {len(expected)}" in result.stderr


def test_full_crawl_requests_no_url_twice(crawled_week0):
    requests = crawled_week0.requests
    paths = [path for _, path, _ in requests]
    assert len(paths) == len(set(paths))
    assert all(not path.startswith("/article-") for path in paths)


def test_full_crawl_asks_for_no_page_past_the_last(crawled_week0, mirror_week0):
    """The pagination shows the last page: prediction stops there."""
    pages = listing_pages(mirror_week0)
    for section in SECTIONS:
        requested = listing_requests(crawled_week0.requests, section)
        assert len(requested) == pages[section], section


def test_full_crawl_database_is_sound(crawled_week0):
    db = crawled_week0.db
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []


# -- a week later --------------------------------------------------------------


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_week_1_adds_new_items_and_records_edits(
    incremental, archive_copy, mirror_week0, mirror_week1
):
    before = items_by_id(archive_copy)
    expected = {r["id"]: r for r in expected_records(mirror_week1)}
    with serving(mirror_week1) as server:
        result = crawl(
            server, archive_copy, *(["--incremental"] if incremental else [])
        )
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr
    after = items_by_id(archive_copy)
    assert set(after) == set(expected)
    new_ids = set(expected) - set(before)
    assert new_ids and set(before) <= set(after)
    edited = {
        item_id
        for item_id in before
        if before[item_id]["summary"] != expected[item_id]["summary"]
    }
    assert edited
    versions = query(archive_copy, "SELECT item_id, summary FROM item_versions")
    assert {item_id for item_id, _ in versions} == edited
    assert all(summary == before[item_id]["summary"] for item_id, summary in versions)
    for item_id, record in expected.items():
        assert [after[item_id][f] for f in CONTENT] == [record[f] for f in CONTENT]
    unchanged = set(before) - edited
    for item_id in unchanged:
        assert before[item_id]["first_seen"] == after[item_id]["first_seen"]
    for section in SECTIONS:
        read = len(listing_requests(requests, section))
        if incremental:
            week0 = expected_records(mirror_week0)
            pages = incremental_pages(week0, list(expected.values()), section)
            assert 0 < read == pages < listing_pages(mirror_week1)[section]
        else:
            assert read == listing_pages(mirror_week1)[section], section


def test_incremental_and_full_crawls_of_week_1_agree(
    tmp_path, crawled_week0, mirror_week1
):
    archives = {}
    for mode in ("full", "incremental"):
        db = tmp_path / f"{mode}.db"
        db.write_bytes(crawled_week0.db.read_bytes())
        with serving(mirror_week1) as server:
            extra = ["--incremental"] if mode == "incremental" else []
            assert crawl(server, db, *extra).returncode == 0
        archives[mode] = (
            query(db, f"SELECT {', '.join(CONTENT)} FROM items ORDER BY id"),
            query(db, "SELECT item_id, summary FROM item_versions ORDER BY item_id"),
        )
    assert archives["full"] == archives["incremental"]


def test_recrawl_of_an_unchanged_site_changes_only_last_seen(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    keep = (
        "SELECT id, url, section, title, date, date_text, update_number, byline, "
        "summary, image_caption, position, page_url, first_seen, first_crawl, "
        "duplicate_of FROM items ORDER BY id"
    )
    with serving(mirror_week0) as server:
        assert crawl(server, db).returncode == 0
        before = query(db, keep), query(db, "SELECT * FROM item_versions")
        blocks = query(
            db, "SELECT fingerprint, title, text, first_crawl FROM boilerplate"
        )
        sightings = query(db, "SELECT COUNT(*) FROM sightings")[0][0]
        assert crawl(server, db).returncode == 0
    assert (query(db, keep), query(db, "SELECT * FROM item_versions")) == before
    assert (
        query(db, "SELECT fingerprint, title, text, first_crawl FROM boilerplate")
        == blocks
    )
    assert query(db, "SELECT COUNT(*) FROM sightings")[0][0] == 2 * sightings
    assert query(db, "SELECT DISTINCT last_crawl FROM items") == [(2,)]
    assert query(db, "SELECT id, status, items_new, items_changed FROM crawls") == [
        (1, "ok", len(before[0]), 0),
        (2, "ok", 0, 0),
    ]


def test_max_pages_stops_each_listing(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0) as server:
        result = crawl(server, db, "--max-pages", "3", "--sections", "news,articles")
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr
    assert len(listing_requests(requests, "news")) == 3
    assert len(listing_requests(requests, "articles")) == 3
    assert query(db, "SELECT COUNT(DISTINCT page_url) FROM sightings") == [(6,)]


# -- failures ------------------------------------------------------------------


def test_killed_crawl_leaves_complete_pages_and_the_next_one_finishes(
    tmp_path, mirror_week0
):
    db = tmp_path / "psg.db"
    expected = expected_records(mirror_week0)
    per_page = Counter(page_url("", record) for record in expected)
    with serving(mirror_week0, latency=0.02) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "psgscraper", "crawl", "--base-url", server.url,
             "--db", str(db), "--delay", "0", "--sections", "news,articles",
             "--concurrency", "2"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists() and _pages_written(db) >= 8:
                break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        written = query(
            db, "SELECT page_url, COUNT(*) FROM sightings GROUP BY page_url"
        )
        assert written and len(written) < len(per_page)
        for url, count in written:
            assert count == per_page[url.replace(server.url, "")], url
        assert query(db, "SELECT status FROM crawls") == [("running",)]
        result = crawl(server, db, "--sections", "news,articles")
    assert result.returncode == 0, result.stderr
    assert "crawl 1 (process " in result.stderr
    assert "ended without letting go of the archive's lock" in result.stderr
    assert query(db, "SELECT status FROM crawls ORDER BY id") == [
        ("interrupted",),
        ("ok",),
    ]
    assert query(db, "SELECT COUNT(*) FROM items") == [(len(expected),)]


def test_a_second_crawl_while_one_runs_exits_3_and_names_it(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0, latency=0.05) as server:
        first = subprocess.Popen(  # one request at a time: about eight seconds
            [sys.executable, "-m", "psgscraper", "crawl", "--base-url", server.url,
             "--db", str(db), "--delay", "0", "--concurrency", "1"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not (db.exists() and _pages_written(db) >= 1):
                assert time.monotonic() < deadline, "the first crawl wrote nothing"
                time.sleep(0.05)
            second = crawl(server, db)
        finally:
            assert first.wait(timeout=120) == 0
    assert second.returncode == 3
    assert f"crawl 1 is running on {db} (process {first.pid} since " in (second.stderr)
    assert "Traceback" not in second.stderr
    assert query(db, "SELECT id, status FROM crawls") == [(1, "ok")]


def _pages_written(db: Path) -> int:
    try:
        rows = query(db, "SELECT pages FROM crawls ORDER BY id DESC LIMIT 1")
    except sqlite3.OperationalError:
        return 0
    return rows[0][0] if rows else 0


def content(db: Path):
    return query(db, f"SELECT {', '.join(CONTENT)} FROM items ORDER BY id")


@pytest.mark.parametrize(
    ("options", "symptom"),
    [
        ({"fail": r"position=30\b"}, "HTTP 500"),
        ({"hang": r"position=40\b", "hang_seconds": 6.0}, "timed out"),
    ],
    ids=["server-error", "hang"],
)
def test_failing_pages_are_retried_then_fail_the_crawl(
    options, symptom, archive_copy, mirror_week0
):
    before = content(archive_copy)
    with serving(mirror_week0, **options) as server:
        result = crawl(server, archive_copy, "--timeout", "1")
        requests = list(server.requests)
    assert result.returncode == 1
    failing = re.compile(options.get("fail") or options["hang"])
    tries = [path for _, path, _ in requests if failing.search(path)]
    assert len(tries) == 2 * 3  # news and articles, each tried three times
    assert symptom in result.stderr
    assert "position=" in result.stderr and "Traceback" not in result.stderr
    assert content(archive_copy) == before
    (status, errors, message) = query(
        archive_copy, "SELECT status, errors, message FROM crawls ORDER BY id DESC"
    )[0]
    assert status == "failed" and errors == 2
    assert symptom in message


def test_changed_layout_fails_and_writes_nothing(tmp_path, mirror_week0):
    changed = copy_mirror(mirror_week0, tmp_path / "mirror")
    for page in (changed / "site").glob("*.html"):
        if page.name.startswith(("news", "articles", "index")):
            # The same items, without the list: headings become spans.
            body = re.sub(rb"<(/?)h[23]\b", rb"<\1span", page.read_bytes(), flags=re.I)
            page.write_bytes(body)
    db = tmp_path / "psg.db"
    with serving(changed) as server:
        result = crawl(server, db)
    assert result.returncode == 1
    assert "layout may have changed" in result.stderr
    assert query(db, "SELECT COUNT(*) FROM items") == [(0,)]
    assert query(db, "SELECT status FROM crawls") == [("failed",)]


def copy_mirror(mirror: Path, to: Path) -> Path:
    shutil.copytree(mirror, to)
    return to


def test_unreachable_host_fails_with_a_message(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = tmp_path / "psg.db"
    result = psg(
        "crawl", "--base-url", f"http://127.0.0.1:{port}/", "--db", str(db),
        "--delay", "0", "--timeout", "2", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert "connection refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_robots_txt_that_forbids_fails_the_crawl(tmp_path, mirror_week0):
    forbidding = copy_mirror(mirror_week0, tmp_path / "mirror")
    (forbidding / "site" / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    db = tmp_path / "psg.db"
    with serving(forbidding) as server:
        result = crawl(server, db)
        requests = list(server.requests)
    assert result.returncode == 1
    assert "Forbidden by robots.txt" in result.stderr
    assert [path for _, path, _ in requests] == ["/robots.txt"]
    assert query(db, "SELECT COUNT(*) FROM items") == [(0,)]


def test_scrapy_crawl_works_the_scrapy_way(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0) as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "listing",
             "-a", f"base_url={server.url}", "-a", "max_pages=2",
             "-s", f"PSG_DB={db}", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
            cwd=PROJECT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT status, pages FROM crawls") == [("ok", 4)]
    assert query(db, "SELECT COUNT(*) FROM items") == [(40,)]
    with Archive(db, readonly=True) as archive:
        assert archive.count("sightings") == 40


def test_interrupted_crawl_is_recorded_and_exits_1(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0, latency=0.05) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "psgscraper", "crawl", "--base-url", server.url,
             "--db", str(db), "--delay", "0", "--concurrency", "2"],
            cwd=tmp_path, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _pages_written(db) < 3:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "interrupted" in stderr and "Traceback" not in stderr
    ((status, pages),) = query(db, "SELECT status, pages FROM crawls")
    assert status == "interrupted"
    # the pages it wrote, and not all of them
    assert query(db, "SELECT COUNT(DISTINCT page_url) FROM sightings") == [(pages,)]
    assert 3 <= pages < sum(listing_pages(mirror_week0).values()) + 1
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_polite_defaults_for_a_real_host(tmp_path):
    from psgscraper.crawl.run import CrawlOptions, scrapy_settings

    polite = scrapy_settings(CrawlOptions("http://example.org/", tmp_path / "a.db"), 1)
    assert polite.getbool("ROBOTSTXT_OBEY")
    assert polite.getbool("AUTOTHROTTLE_ENABLED")
    assert polite.getfloat("DOWNLOAD_DELAY") == 1.0
    assert polite.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert polite.get("USER_AGENT").startswith("psgscraper/")
    assert polite.getint("RETRY_TIMES") == 2
    loopback = scrapy_settings(
        CrawlOptions("http://127.0.0.1:8000/", tmp_path / "a.db", delay=0), 1
    )
    assert loopback.getfloat("DOWNLOAD_DELAY") == 0
    assert not loopback.getbool("AUTOTHROTTLE_ENABLED")
    assert loopback.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 16


def test_the_crawl_keeps_the_middlewares_it_needs_and_loads_no_others(tmp_path):
    from psgscraper.crawl.run import CrawlOptions, scrapy_settings

    settings = scrapy_settings(
        CrawlOptions("http://example.org/", tmp_path / "a.db"), 1
    )
    downloader = settings.get_component_priority_dict_with_base(
        "DOWNLOADER_MIDDLEWARES"
    )
    needed = ["retry.RetryMiddleware", "redirect.RedirectMiddleware",
              "httpcompression.HttpCompressionMiddleware",
              "downloadtimeout.DownloadTimeoutMiddleware",
              "useragent.UserAgentMiddleware"]  # fmt: skip
    for name in needed:
        assert f"scrapy.downloadermiddlewares.{name}" in downloader
    assert "psgscraper.crawl.middlewares.SharedRobotsTxtMiddleware" in downloader
    assert "psgscraper.crawl.middlewares.CaptureMiddleware" in downloader
    assert not any("robotstxt" in path or "cookies" in path for path in downloader)
    spider = settings.get_component_priority_dict_with_base("SPIDER_MIDDLEWARES")
    assert "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware" in spider
    extensions = settings.get_component_priority_dict_with_base("EXTENSIONS")
    assert not any("remote_control" in path for path in extensions)
    assert "scrapy.extensions.throttle.AutoThrottle" in extensions
