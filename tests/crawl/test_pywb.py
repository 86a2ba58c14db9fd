"""The old site in a pywb archive: the crawl against the real archive software.

The Wayback emulation's captures are written as WARC files with warcio,
indexed with pywb's `wb-manager` and served by its `wayback` on 127.0.0.1,
as the UK Web Archive and others serve theirs; the crawl reads them through
pywb's CDX dialect and `id_` replay.
"""

from __future__ import annotations

import io
import json
from contextlib import contextmanager
from datetime import datetime
from http import HTTPStatus
from pathlib import Path

import pytest
from helpers import psg, pywb, query, reparse_and_diff
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from psgmirror.wayback.build import build_wayback
from psgmirror.wayback.serve import WaybackServer

WEEKS = 30
COLLECTION = "psg"

# What a crawl of the same captures must give, whichever archive served them.
ITEMS = (
    "SELECT id, url, section, title, date, date_text, summary, byline, "
    "first_seen, last_seen, duplicate_of FROM items ORDER BY id"
)
VERSIONS = (
    "SELECT item_id, title, date_text, summary FROM item_versions ORDER BY 1, 2, 3, 4"
)


def write_warcs(captures: Path, warcs: Path) -> None:
    """The emulation's captures as WARC files, a file a capture day."""
    index = json.loads((captures / "index.json").read_text())
    warcs.mkdir(parents=True)
    by_day: dict[str, list[dict]] = {}
    for capture in index:
        by_day.setdefault(capture["timestamp"][:8], []).append(capture)
    for day, day_captures in sorted(by_day.items()):
        with open(warcs / f"captures-{day}.warc.gz", "wb") as out:
            writer = WARCWriter(out, gzip=True)
            for capture in sorted(day_captures, key=lambda c: c["timestamp"]):
                writer.write_record(_response(writer, captures, capture))


def _response(writer: WARCWriter, captures: Path, capture: dict):
    body = (captures / "captures" / capture["digest"]).read_bytes()
    status = int(capture["statuscode"])
    headers = [("Content-Type", capture["mimetype"]),
               ("Content-Length", str(len(body)))]  # fmt: skip
    if "location" in capture:
        headers.append(("Location", capture["location"]))
    when = datetime.strptime(capture["timestamp"], "%Y%m%d%H%M%S")
    return writer.create_warc_record(
        capture["original"],
        "response",
        payload=io.BytesIO(body),
        http_headers=StatusAndHeaders(
            f"{status} {HTTPStatus(status).phrase}", headers, protocol="HTTP/1.1"
        ),
        warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )


@pytest.fixture(scope="module")
def captures(tmp_path_factory) -> Path:
    """Weeks of captures, in the emulation's directory and as WARC files."""
    root = tmp_path_factory.mktemp("pywb")
    build_wayback(root / "captures", weeks=WEEKS)
    write_warcs(root / "captures", root / "warcs")
    return root


@contextmanager
def pywb_archive(root: Path, directory: Path):
    """The captures' WARC files in a pywb collection; yields its root URL."""
    with pywb(directory, COLLECTION, *sorted((root / "warcs").iterdir())) as url:
        yield f"{url}/"


def wayback_crawl(
    cdx_url: str, replay_url: str, db: Path, *extra: str, warc: bool = False
):
    """A Wayback crawl into `db`, writing a WARC file only if asked."""
    warc = () if warc else ("--no-warc",)
    return psg(
        "crawl", "--source", "wayback", "--cdx-url", cdx_url, "--replay-url",
        replay_url, "--db", str(db), "--delay", "0", *warc, *extra,
        cwd=db.parent,
    )  # fmt: skip


def emulation_crawl(captures: Path, db: Path, *extra: str):
    with WaybackServer(captures) as server:
        return wayback_crawl(f"{server.url}cdx/search/cdx", server.url, db, *extra)


def test_a_pywb_archive_gives_what_the_emulation_gives(captures, tmp_path):
    root = captures
    through_emulation = tmp_path / "emulation" / "psg.db"
    through_emulation.parent.mkdir()
    assert emulation_crawl(root / "captures", through_emulation).returncode == 0
    through_pywb = tmp_path / "pywb" / "psg.db"
    through_pywb.parent.mkdir()
    with pywb_archive(root, tmp_path) as base:
        result = wayback_crawl(f"{base}cdx", base, through_pywb)
    assert result.returncode == 0, result.stderr
    # Named by default by its CDX server: host and collection.
    name = base.removeprefix("http://").rstrip("/")
    assert query(through_pywb, "SELECT DISTINCT web_archive FROM captures") == [(name,)]
    assert query(through_pywb, "SELECT web_archive FROM crawls") == [(name,)]
    assert "Traceback" not in result.stderr
    items = query(through_pywb, ITEMS)
    shown = json.loads((root / "captures" / "expected.json").read_text())
    assert len(items) == len(shown)
    assert items == query(through_emulation, ITEMS)
    assert query(through_pywb, VERSIONS) == query(through_emulation, VERSIONS)
    # pywb does not collapse by digest: it lists the unchanged recapture that
    # the emulation's collapse=digest hides, and the crawl records it as the
    # same content, unfetched; every other capture comes out the same.
    captures = "SELECT original, timestamp, outcome, note FROM captures"
    from_pywb = set(query(through_pywb, captures))
    from_emulation = set(query(through_emulation, captures))
    assert from_emulation < from_pywb
    assert {row[2] for row in from_pywb - from_emulation} == {"same content"}
    parsed = "SELECT COUNT(*), COUNT(DISTINCT digest) FROM captures WHERE outcome = ?"
    ((fetched, contents),) = query(through_pywb, parsed, "parsed")
    assert fetched == contents
    outcomes = {row[2] for row in from_pywb}
    assert outcomes == {"parsed", "same content", "redirect", "skipped"}


def test_a_rerun_of_a_pywb_archive_fetches_nothing(captures, tmp_path):
    root = captures
    db = tmp_path / "psg.db"
    with pywb_archive(root, tmp_path) as base:
        assert wayback_crawl(f"{base}cdx", base, db).returncode == 0
        before = query(db, ITEMS)
        again = wayback_crawl(f"{base}cdx", base, db)
    assert again.returncode == 0, again.stderr
    assert "captures: none new" in again.stderr
    # Four queries (pywb keys both host spellings as one), the first asked
    # twice: once as the Internet Archive's, once as pywb's.
    assert query(db, "SELECT requests FROM crawls WHERE id = 2") == [(5,)]
    assert query(db, ITEMS) == before


def test_captures_read_from_the_emulation_are_not_fetched_again_from_pywb(
    captures, tmp_path
):
    root = captures
    db = tmp_path / "psg.db"
    ia = emulation_crawl(root / "captures", db, "--archive-name", "Internet Archive")
    assert ia.returncode == 0, ia.stderr
    before = query(db, ITEMS)
    with pywb_archive(root, tmp_path) as base:
        result = wayback_crawl(f"{base}cdx", base, db, "--cdx-dialect", "pywb",
                               "--archive-name", "UK Web Archive")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT web_archive FROM crawls ORDER BY id") == [
        ("Internet Archive",),
        ("UK Web Archive",),
    ]
    assert set(query(db, "SELECT crawl_id, web_archive FROM captures")) <= {
        (1, "Internet Archive"),
        (2, "UK Web Archive"),
    }
    # Four CDX queries and no capture: every content was read already.
    assert query(db, "SELECT requests FROM crawls WHERE id = 2") == [(4,)]
    assert query(db, "SELECT DISTINCT outcome FROM captures WHERE crawl_id = 2") in (
        [],
        [("same content",)],
    )
    assert query(db, ITEMS) == before


FULL_TEXTS = (
    "SELECT id, body_fetched, body_error, length(body) FROM items "
    "WHERE body_fetched IS NOT NULL ORDER BY id"
)


def test_full_texts_from_pywb_are_dated_by_their_own_capture(captures, tmp_path):
    """pywb serves the capture nearest the asked time without a redirect; the
    item page's time is the capture's own (Memento-Datetime), as through the
    Internet Archive's redirect to it, and the WARC file keeps it."""
    root = captures
    through_emulation = tmp_path / "emulation" / "psg.db"
    through_emulation.parent.mkdir()
    crawled = emulation_crawl(root / "captures", through_emulation, "--full-text")
    assert crawled.returncode == 0, crawled.stderr
    through_pywb = tmp_path / "pywb" / "psg.db"
    through_pywb.parent.mkdir()
    with pywb_archive(root, tmp_path) as base:
        result = wayback_crawl(
            f"{base}cdx", base, through_pywb, "--full-text", warc=True
        )
    assert result.returncode == 0, result.stderr
    texts = query(through_pywb, FULL_TEXTS)
    assert texts == query(through_emulation, FULL_TEXTS)
    item_pages = "SELECT COUNT(*) FROM items WHERE body IS NOT NULL"
    assert query(through_pywb, item_pages)[0][0] > 0
    # Not the listing's time: each item page was captured on its own.
    listing_times = "SELECT COUNT(*) FROM items WHERE body_fetched = first_seen"
    assert query(through_pywb, listing_times)[0][0] < len(texts)
    diff = reparse_and_diff(through_pywb)
    assert diff.returncode == 0, diff.stdout + diff.stderr
