"""Raw captures and re-parsing: WARC files from real crawls, archives rebuilt offline.

Real Scrapy crawls of the mirror over HTTP on 127.0.0.1 write WARC files;
`psg reparse` rebuilds the archive from them alone, `psg diff` compares.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from helpers import (
    crawl,
    expected_records,
    free_port,
    linked_to_live_host,
    psg,
    query,
    reparse_and_diff,
    serving,
)
from warcio.archiveiterator import ArchiveIterator

import psgscraper.read.pages
from psgmirror.wayback.build import build_wayback
from psgmirror.wayback.serve import WaybackServer
from psgmirror.wordpress.serve import WordPressServer
from psgscraper.parse import parse_listing
from psgscraper.reparse import reparse
from psgscraper.warc import CrawlWarc

# Every table a crawl writes, in an order that does not depend on row ids.
TABLES = {
    "items": "SELECT * FROM items ORDER BY id",
    "sightings": "SELECT item_id, crawl_id, page_url, position, seen_at "
    "FROM sightings ORDER BY item_id, crawl_id, page_url, position, seen_at",
    "item_versions": "SELECT item_id, crawl_id, replaced_at, title, date_text, "
    "summary, byline, image_caption FROM item_versions ORDER BY item_id, crawl_id",
    "boilerplate": "SELECT * FROM boilerplate ORDER BY fingerprint",
    "boilerplate_sightings": "SELECT fingerprint, crawl_id, page_url, seen_at "
    "FROM boilerplate_sightings ORDER BY fingerprint, crawl_id, page_url, seen_at",
    "item_places": "SELECT * FROM item_places ORDER BY item_id, code, name",
}


def warcs(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.warc.gz"))


@dataclass
class Crawls:
    """Two weekly crawls with full texts, and the WARC files they wrote."""

    db: Path
    warc_dir: Path
    base_url: str
    requests: dict[int, list[tuple[str, str, int]]]


@pytest.fixture(scope="module")
def full_text_crawls(tmp_path_factory, mirror_week0, mirror_week1) -> Crawls:
    """Week 0 crawled in full with its full texts, then week 1 incrementally."""
    db = tmp_path_factory.mktemp("full-text") / "psg.db"
    port = free_port()  # one host for both weeks, as on the real site
    requests = {}
    for week, mirror in enumerate([mirror_week0, mirror_week1]):
        with serving(mirror, port=port) as server:
            extra = ["--incremental"] if week else []
            result = crawl(server, db, "--full-text", *extra)
            requests[week] = server.requests
        assert result.returncode == 0, result.stderr
    return Crawls(db, db.parent / "warc", server.url, requests)


@pytest.fixture(scope="module")
def reparsed(full_text_crawls, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("reparsed") / "new.db"
    result = psg(
        "reparse",
        "--warc",
        str(full_text_crawls.warc_dir),
        "--db",
        str(db),
        cwd=db.parent,
    )
    assert result.returncode == 0, result.stderr
    return db


# -- the crawl keeps what it received ------------------------------------------


def test_each_crawl_writes_one_warc_that_its_row_names(full_text_crawls):
    files = warcs(full_text_crawls.warc_dir)
    assert len(files) == 2
    rows = query(
        full_text_crawls.db,
        "SELECT id, started, warc, requests FROM crawls ORDER BY id",
    )
    assert [warc for *_, warc, _ in rows] == [f"warc/{path.name}" for path in files]
    for (crawl_id, started, _, requests), path in zip(rows, files, strict=True):
        warc = CrawlWarc.open(path)
        assert warc.info["psg-crawl"] == str(crawl_id)
        assert warc.info["psg-started"] == started
        assert warc.info["software"].startswith("psgscraper/")
        assert len(list(warc.responses())) == requests
        assert warc.outcome["status"] == "ok"


def test_the_warc_passes_warcio_check_and_index(full_text_crawls):
    warcio = Path(sys.executable).with_name("warcio")
    for week, path in enumerate(warcs(full_text_crawls.warc_dir)):
        checked = subprocess.run(
            [warcio, "check", "-v", path], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout[-2000:]
        assert "digest pass" in checked.stdout
        assert "digest fail" not in checked.stdout
        index = subprocess.run(
            [warcio, "index", "-f", "warc-type,warc-target-uri", path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        entries = [json.loads(line) for line in index]
        served = [full_text_crawls.base_url + p.lstrip("/") for _, p, _ in
                  full_text_crawls.requests[week]]  # fmt: skip
        for kind in ("response", "request"):
            targets = [e["warc-target-uri"] for e in entries if e["warc-type"] == kind]
            assert sorted(targets) == sorted(served), kind
        assert entries[0]["warc-type"] == "warcinfo"
        assert entries[-1]["warc-type"] == "metadata"


def test_warcio_extract_gives_the_bytes_the_mirror_served(
    full_text_crawls, mirror_week0
):
    warcio = Path(sys.executable).with_name("warcio")
    path = warcs(full_text_crawls.warc_dir)[0]
    item = next(r for r in expected_records(mirror_week0) if r["path"])
    wanted = {"news.php?position=20": "news-20.html", item["path"]: item["path"]}
    offsets = {}
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type == "response":
                uri = record.rec_headers.get_header("WARC-Target-URI")
                offsets[uri] = records.get_record_offset()
    for target, file_name in wanted.items():
        offset = offsets[full_text_crawls.base_url + target]
        extracted = subprocess.run(
            [warcio, "extract", "--payload", path, str(offset)],
            capture_output=True,
            check=True,
        ).stdout
        assert extracted == (mirror_week0 / "site" / file_name).read_bytes()


def test_sightings_are_dated_by_their_capture(full_text_crawls):
    db = full_text_crawls.db
    captured = {}
    for path in warcs(full_text_crawls.warc_dir):
        for capture in CrawlWarc.open(path).responses():
            captured.setdefault(capture.url, set()).add(capture.captured_at[:19])
    for page_url, seen_at in query(
        db, "SELECT DISTINCT page_url, seen_at FROM sightings"
    ):
        assert seen_at[:19] in captured[page_url], page_url


# -- full texts ----------------------------------------------------------------


def test_full_text_of_every_item_with_a_page(full_text_crawls, mirror_week1):
    db = full_text_crawls.db
    expected = {record["id"]: record for record in expected_records(mirror_week1)}
    stored = dict(query(db, "SELECT id, body FROM items"))
    for item_id, record in expected.items():
        assert stored[item_id] == record["body"], item_id
    assert any(body is None for body in stored.values())  # items without a page
    assert query(db, "SELECT COUNT(*) FROM items WHERE body_error IS NOT NULL") == [
        (0,)
    ]


def test_the_full_text_is_searchable(full_text_crawls):
    db = full_text_crawls.db
    (item_id, body, summary, title) = query(
        db,
        "SELECT id, body, summary, title FROM items WHERE length(body) > "
        "length(summary) + 200 ORDER BY id LIMIT 1",
    )[0]
    only_in_body = sorted(
        word
        for word in set(body.split()) - set(summary.split()) - set(title.split())
        if word.isalpha() and len(word) > 6
    )[0]
    found = query(
        db,
        "SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
        "WHERE items_fts MATCH ?",
        f'body: "{only_in_body}"',
    )
    assert (item_id,) in found


def test_a_weekly_crawl_fetches_only_new_and_changed_items(
    full_text_crawls, mirror_week0, mirror_week1
):
    before = {r["id"]: r for r in expected_records(mirror_week0)}
    after = {r["id"]: r for r in expected_records(mirror_week1)}
    new = {item_id for item_id in after if item_id not in before}
    edited = {
        item_id
        for item_id in before
        if item_id in after and after[item_id]["summary"] != before[item_id]["summary"]
    }
    assert new and edited
    fetched = {
        path.lstrip("/").removesuffix(".html")
        for _, path, _ in full_text_crawls.requests[1]
        if path.startswith("/article-")
    }
    assert fetched == {i for i in new | edited if after[i]["path"]}
    first_week = [p for _, p, _ in full_text_crawls.requests[0] if "article-" in p]
    assert len(first_week) == len(set(first_week))
    assert len(first_week) == sum(1 for r in before.values() if r["path"])


def test_a_missing_or_broken_item_page_is_recorded_and_does_not_fail(
    tmp_path, mirror_week0
):
    mirror = tmp_path / "mirror"
    shutil.copytree(mirror_week0, mirror)
    records = [r for r in expected_records(mirror) if r["path"]]
    missing, broken = records[3], records[4]
    (mirror / "site" / missing["path"]).unlink()
    db = tmp_path / "psg.db"
    with serving(mirror, fail=rf"^/{broken['path']}$") as server:
        result = crawl(server, db, "--full-text", "--sections", "news,articles")
    assert result.returncode == 0, result.stderr
    errors = dict(query(db, "SELECT id, body_error FROM items WHERE body IS NULL"))
    assert errors[missing["id"]] == "HTTP 404"
    assert errors[broken["id"]] == "HTTP 500"
    assert query(db, "SELECT status, item_page_errors, errors FROM crawls") == [
        ("ok", 2, 0)
    ]
    assert "2 without text" in result.stderr


# -- re-parsing ------------------------------------------------------------------


def test_reparse_rebuilds_the_same_archive(full_text_crawls, reparsed):
    for table, sql in TABLES.items():
        assert query(reparsed, sql) == query(full_text_crawls.db, sql), table
    # The crawl found places in its items' listings, and in full texts alone.
    (named, from_full_text) = query(
        full_text_crawls.db,
        "SELECT COUNT(DISTINCT item_id), COUNT(DISTINCT CASE WHEN "
        "instr(items.title || ' ' || items.summary, matched) = 0 THEN item_id END) "
        "FROM item_places JOIN items ON items.id = item_id "
        "WHERE matched NOT LIKE '%;%'",
    )[0]
    assert named > 100 and from_full_text > 0, (named, from_full_text)
    same = "id, started, base_url, sections, incremental, status, pages, items_seen"
    assert query(reparsed, f"SELECT {same}, items_new, items_changed FROM crawls") == (
        query(
            full_text_crawls.db, f"SELECT {same}, items_new, items_changed FROM crawls"
        )
    )


def test_psg_diff_of_a_crawl_and_its_reparse_finds_no_change(
    full_text_crawls, reparsed
):
    result = psg("diff", str(full_text_crawls.db), str(reparsed), cwd=reparsed.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 added, 0 removed, 0 changed" in result.stderr


def test_a_crawl_of_a_copy_linking_to_the_live_host_reparses_the_same(
    tmp_path, mirror_week0
):
    mirror = linked_to_live_host(mirror_week0, tmp_path / "mirror")
    db = tmp_path / "psg.db"
    with serving(mirror) as server:
        result = crawl(server, db, "--full-text")
    assert result.returncode == 0, result.stderr
    diff = reparse_and_diff(db)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert "0 added, 0 removed, 0 changed" in diff.stderr


def test_item_pages_that_got_no_answer_reparse_with_the_same_body_error(
    tmp_path, mirror_week0
):
    mirror = tmp_path / "mirror"
    shutil.copytree(mirror_week0, mirror)
    records = [r for r in expected_records(mirror) if r["path"]][:20]
    missing, broken, slow, cut = records[3], records[4], records[5], records[6]
    (mirror / "site" / missing["path"]).unlink()
    db = tmp_path / "psg.db"
    options = {"fail": rf"^/{broken['path']}$", "hang": rf"^/{slow['path']}$",
               "faults": {"truncated": rf"^/{cut['path']}$"}}  # fmt: skip
    with serving(mirror, **options) as server:
        result = crawl(server, db, "--full-text", "--sections", "news",
                       "--max-pages", "2", "--timeout", "1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    errors_sql = "SELECT id, body_error FROM items WHERE body_error IS NOT NULL"
    errors = dict(query(db, errors_sql))
    assert errors.keys() == {missing["id"], broken["id"], slow["id"], cut["id"]}
    assert errors[slow["id"]] == "timed out"
    diff = reparse_and_diff(db)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert dict(query(db.with_name("rebuilt.db"), errors_sql)) == errors


def test_reparse_refuses_to_overwrite_an_archive(full_text_crawls, reparsed):
    before = reparsed.read_bytes()
    result = psg(
        "reparse", "--warc", str(full_text_crawls.warc_dir), "--db", str(reparsed),
        cwd=reparsed.parent,
    )  # fmt: skip
    assert result.returncode == 1
    assert "exists" in result.stderr and "Traceback" not in result.stderr
    assert reparsed.read_bytes() == before


def test_reparse_of_a_file_that_is_not_a_warc_fails_cleanly(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"<html>not a WARC</html>")
    db = tmp_path / "new.db"
    result = psg("reparse", "--warc", str(bad), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 1
    assert "not a WARC file" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists() and not list(tmp_path.glob("new.db*"))


def test_a_parser_change_reaches_every_item_with_no_network(
    full_text_crawls, tmp_path, monkeypatch, mirror_week1
):
    """Bylines as a parser that did not know them, then as today's: re-parse."""

    def refuse(*args, **kwargs):
        raise AssertionError("re-parsing went to the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    def without_bylines(*args, **kwargs):
        listing = parse_listing(*args, **kwargs)
        return replace(
            listing,
            items=tuple(replace(item, byline=None) for item in listing.items),
        )

    old, new = tmp_path / "old.db", tmp_path / "new.db"
    with monkeypatch.context() as patched:
        patched.setattr(psgscraper.read.pages, "parse_listing", without_bylines)
        reparse([full_text_crawls.warc_dir], old)
    reparse([full_text_crawls.warc_dir], new)
    assert query(old, "SELECT COUNT(*) FROM items WHERE byline IS NOT NULL") == [(0,)]
    with_byline = {
        r["id"]: r["byline"] for r in expected_records(mirror_week1) if r["byline"]
    }
    assert dict(
        query(new, "SELECT id, byline FROM items WHERE byline IS NOT NULL")
    ) == (with_byline)
    monkeypatch.undo()
    result = psg("diff", "--json", str(old), str(new), cwd=tmp_path)
    assert result.returncode == 1
    differences = [json.loads(line) for line in result.stdout.splitlines()]
    assert {d["change"] for d in differences} == {"changed"}
    assert {d["id"] for d in differences} == set(with_byline)
    assert {field for d in differences for field in d["fields"]} == {"byline"}


# -- crawls that do not end well ----------------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_stopped_crawl_closes_its_warc(stop, tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0, latency=0.02) as server:
        process = _start_crawl(server.url, db)
        _wait_for_pages(db, 4)
        process.send_signal(stop)
        assert process.wait(timeout=60) == 1
    (path,) = warcs(tmp_path / "warc")
    warcio = Path(sys.executable).with_name("warcio")
    checked = subprocess.run([warcio, "check", path], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    warc = CrawlWarc.open(path)
    list(warc.responses())
    assert warc.outcome["status"] == "interrupted"
    assert query(db, "SELECT status FROM crawls") == [("interrupted",)]


def test_a_failed_crawl_closes_its_warc_saying_why(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0, fail=r"position=30\b") as server:
        result = crawl(server, db, "--sections", "news")
    assert result.returncode == 1
    (path,) = warcs(tmp_path / "warc")
    warc = CrawlWarc.open(path)
    statuses = [capture.status for capture in warc.responses()]
    assert statuses.count(500) == 3  # the first attempt and two retries, all kept
    assert warc.outcome["status"] == "failed"
    assert "position=30" in warc.outcome["message"]


def test_a_killed_crawl_leaves_a_readable_warc_that_reparses(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0, latency=0.02) as server:
        process = _start_crawl(server.url, db)
        _wait_for_pages(db, 8)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    (path,) = warcs(tmp_path / "warc")
    with open(path, "rb") as stream:
        kinds = [record.rec_type for record in ArchiveIterator(stream)]
    assert kinds[0] == "warcinfo" and "metadata" not in kinds
    assert kinds.count("response") >= 8
    new = tmp_path / "new.db"
    result = psg("reparse", "--warc", str(path), "--db", str(new), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert query(new, "SELECT status FROM crawls") == [("interrupted",)]
    # Every page the killed crawl wrote is in the re-parse, as it wrote it; the
    # re-parse has the pages whose responses arrived whole but were not yet
    # written too.
    written = set(query(db, "SELECT * FROM items"))
    reparsed = set(query(new, "SELECT * FROM items"))
    assert written and written <= reparsed
    with_items = {
        capture.url
        for capture in CrawlWarc.open(path).responses()
        if capture.status == 200
        and parse_listing(
            capture.body, capture.url, content_type=capture.content_type
        ).items
    }
    pages = {url for (url,) in query(new, "SELECT DISTINCT page_url FROM sightings")}
    assert pages == with_items


def test_no_warc_and_another_warc_dir(tmp_path, mirror_week0):
    with serving(mirror_week0) as server:
        result = crawl(server, tmp_path / "a.db", "--no-warc", "--max-pages", "1")
        assert result.returncode == 0, result.stderr
        elsewhere = tmp_path / "captures"
        result = crawl(
            server, tmp_path / "b.db", "--warc-dir", str(elsewhere), "--max-pages", "1"
        )
        assert result.returncode == 0, result.stderr
    assert not (tmp_path / "warc").exists()
    assert query(tmp_path / "a.db", "SELECT warc FROM crawls") == [(None,)]
    (path,) = warcs(elsewhere)
    assert query(tmp_path / "b.db", "SELECT warc FROM crawls") == [
        (f"captures/{path.name}",)
    ]
    assert f"responses kept in {path}" in result.stderr


def _start_crawl(base_url: str, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "psgscraper", "crawl", "--base-url", base_url,
         "--db", str(db), "--delay", "0", "--sections", "news,articles",
         "--concurrency", "2"],
        cwd=db.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for_pages(db: Path, pages: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            rows = query(db, "SELECT pages FROM crawls ORDER BY id DESC LIMIT 1")
        except sqlite3.OperationalError:
            rows = []
        if rows and rows[0][0] >= pages:
            return
        time.sleep(0.05)
    raise AssertionError(f"the crawl wrote fewer than {pages} pages in a minute")


# -- the other sources ---------------------------------------------------------

TEXT = "SELECT id, title, summary, date, first_seen FROM items ORDER BY id"
VERSIONS = "SELECT item_id, title, summary FROM item_versions ORDER BY item_id, id"


def test_a_wordpress_crawl_is_rebuilt_from_its_warc(tmp_path):
    db = tmp_path / "psg.db"
    port = free_port()
    for week, extra in ((0, ()), (4, ("--incremental",))):
        with WordPressServer(port, posts=150, week=week) as server:
            result = psg(
                "crawl", "--source", "wordpress", "--base-url", server.url,
                "--db", str(db), "--delay", "0", *extra, cwd=tmp_path,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
    new = tmp_path / "new.db"
    result = psg("reparse", "--warc", str(tmp_path / "warc"), "--db", str(new),
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    posts = "SELECT * FROM wordpress_posts ORDER BY item_id"
    crawls = (
        "SELECT source, pages, items_new, items_changed, modified_through FROM crawls"
    )
    for sql in (TEXT, VERSIONS, posts, crawls):
        assert query(new, sql) == query(db, sql)
    assert query(db, "SELECT COUNT(*) FROM item_versions")[0][0] > 0


# Each table by what its rows say, not their ids: the crawl writes a capture
# when its answer has been read, the re-parse in the order the crawl asked.
CAPTURE_COLUMNS = (
    "original, timestamp, captured, section, status, mimetype, "
    "digest, url, crawl_id, fetched_at, outcome, items_found, note, web_archive"
)
WAYBACK_TABLES = (
    "SELECT * FROM items ORDER BY id",
    "SELECT item_id, crawl_id, page_url, position, seen_at FROM sightings "
    "ORDER BY 1, 2, 3, 4, 5",
    # Not `replaced_at`: a version a capture older than the stored text
    # showed is dated by the sightings written before it, so the order in
    # which a crawl's answers arrive can move it (the re-parse's is fixed).
    "SELECT item_id, crawl_id, title, date_text, summary, byline, "
    "image_caption FROM item_versions ORDER BY 1, 2, 3, 4, 5",
    "SELECT * FROM boilerplate ORDER BY fingerprint",
    "SELECT fingerprint, crawl_id, page_url, seen_at FROM boilerplate_sightings "
    "ORDER BY 1, 2, 3, 4",
    f"SELECT {CAPTURE_COLUMNS}, (SELECT url FROM captures AS first "
    "WHERE first.id = captures.same_as) FROM captures ORDER BY original, timestamp",
    "SELECT id, source, web_archive, status, pages, items_seen, items_new, "
    "items_changed, blocks_set_aside, item_pages FROM crawls ORDER BY id",
)  # fmt: skip


def test_a_wayback_crawl_is_rebuilt_whole_its_captures_included(tmp_path):
    """Two Wayback crawls (the first weeks, then the rest, with full texts)
    re-parsed: every table as the crawls wrote it, row for row, ids too."""
    build_wayback(tmp_path / "captures", weeks=4, items=300)
    index = json.loads((tmp_path / "captures" / "index.json").read_text())
    stamps = sorted(capture["timestamp"] for capture in index)
    first_weeks = stamps[len(stamps) // 2][:8]
    db = tmp_path / "psg.db"
    with WaybackServer(tmp_path / "captures") as server:
        for extra in (("--to", first_weeks), ("--full-text",)):
            result = psg("crawl", "--source", "wayback", "--cdx-url",
                         f"{server.url}cdx/search/cdx", "--replay-url", server.url,
                         "--db", str(db), "--delay", "0", *extra,
                         cwd=tmp_path)  # fmt: skip
            assert result.returncode == 0, result.stderr
    new = tmp_path / "new.db"
    result = psg("reparse", "--warc", str(tmp_path / "warc"), "--db", str(new),
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcomes = dict(query(db, "SELECT outcome, COUNT(*) FROM captures GROUP BY 1"))
    assert set(outcomes) == {"parsed", "same content", "redirect", "skipped"}
    assert query(db, "SELECT COUNT(*) FROM items WHERE body IS NOT NULL")[0][0] > 0
    ((named,),) = query(db, "SELECT DISTINCT web_archive FROM captures")
    assert named.startswith("127.0.0.1:")  # the emulation's, by its CDX server
    for sql in WAYBACK_TABLES:
        assert query(new, sql) == query(db, sql), sql
