"""`psg crawl --source wayback`: 30 weeks of captures, each item once, each digest once.

The captures are the mirror's emulation of the Wayback Machine (a CDX server
and `id_` replay on 127.0.0.1); the crawl is the real `psg crawl` in a child
process, writing a real SQLite archive.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import crawl, psg, query, serving

from psgmirror.site.build import build_mirror
from psgmirror.wayback.build import build_wayback
from psgmirror.wayback.serve import WaybackServer
from psgscraper.parse.links import section_from_url, stamp_time, strip_archive_prefix
from psgscraper.site import SITE_HOSTS

WEEKS = 30
TABLES = ("items", "sightings", "item_versions", "boilerplate",
          "boilerplate_sightings", "captures")  # fmt: skip


def wayback_crawl(server: WaybackServer, db: Path, *extra: str):
    return psg(
        "crawl", "--source", "wayback",
        "--cdx-url", f"{server.url}cdx/search/cdx", "--replay-url", server.url,
        "--db", str(db), "--delay", "0", "--cdx-page-size", "100", *extra,
        cwd=db.parent,
    )  # fmt: skip


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {table: query(db, f"SELECT * FROM {table} ORDER BY 1") for table in TABLES}


def listed(captures: list[dict]) -> list[dict]:
    """The captures a CDX query with `collapse=digest` lists, of the pages crawled:
    runs of one digest under one URL key are listed once."""
    kept = []
    for capture in captures:  # in CDX order: URL key, then time
        if section_from_url(capture["original"]) is None:
            continue
        if kept and (kept[-1]["urlkey"], kept[-1]["digest"]) == (
            capture["urlkey"], capture["digest"]
        ):  # fmt: skip
            continue
        kept.append(capture)
    return kept


@dataclass
class Captures:
    directory: Path
    index: list[dict]  # every capture the emulation holds
    first_seen: dict[str, dict]  # per item: the week and capture first showing it


@dataclass
class WaybackCrawl:
    db: Path
    result: object
    requests: list[str]
    rerun: object
    rerun_requests: list[str]
    before_rerun: dict
    after_rerun: dict


@pytest.fixture(scope="module")
def captures(tmp_path_factory) -> Captures:
    directory = tmp_path_factory.mktemp("wayback-30-weeks")
    build_wayback(directory, weeks=WEEKS)
    return Captures(
        directory,
        json.loads((directory / "index.json").read_text()),
        json.loads((directory / "expected.json").read_text()),
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, captures) -> WaybackCrawl:
    db = tmp_path_factory.mktemp("wayback-crawl") / "psg.db"
    with WaybackServer(captures.directory) as server:
        result = wayback_crawl(server, db)
        requests = list(server.requests)
        before = snapshot(db)
        rerun = wayback_crawl(server, db)
        rerun_requests = server.requests[len(requests) :]
    return WaybackCrawl(
        db, result, requests, rerun, rerun_requests, before, snapshot(db)
    )


def test_every_item_once_first_seen_at_the_capture_that_first_showed_it(
    crawled, captures
):
    assert crawled.result.returncode == 0, crawled.result.stderr
    rows = query(crawled.db, "SELECT id, first_seen FROM items")
    assert len(rows) == len(captures.first_seen) == len({row[0] for row in rows})
    assert {item_id: first for item_id, first in rows} == {
        item_id: seen["captured"] for item_id, seen in captures.first_seen.items()
    }
    # ... and each week's new items first seen in that week.
    weeks = {seen["week"] for seen in captures.first_seen.values()}
    assert weeks == set(range(WEEKS))


def test_each_distinct_capture_is_fetched_once_and_nothing_else(crawled, captures):
    cdx = [target for target in crawled.requests if target.startswith("/cdx/")]
    replays = [target for target in crawled.requests if target.startswith("/web/")]
    assert len(cdx) + len(replays) == len(crawled.requests)
    assert len(set(replays)) == len(replays)
    worth_fetching = [
        capture
        for capture in listed(captures.index)
        if capture["statuscode"].startswith(("2", "3"))
        and capture["mimetype"] == "text/html"
    ]
    digests = {c["digest"] for c in worth_fetching if c["statuscode"] == "200"}
    redirects = [c for c in worth_fetching if c["statuscode"].startswith("3")]
    assert len(replays) == len(digests) + len(redirects)
    # The CDX answers were paged by resume key, and the crawl row counts it all.
    assert any("resumeKey=" in target for target in cdx)
    (requests,) = query(crawled.db, "SELECT requests FROM crawls WHERE id = 1")[0]
    assert requests == len(crawled.requests)
    assert "crawl 1 ok" in crawled.result.stderr
    assert f"{len(crawled.requests)} requests" in crawled.result.stderr


def test_both_host_spellings_are_listed_in_one_query_each(crawled):
    urls = {
        parse_qs(urlsplit(target).query)["url"][0]
        for target in crawled.requests
        if target.startswith("/cdx/")
    }
    # The emulation keys both spellings as one, as the Wayback Machine does:
    # the second spelling is not asked for.
    assert urls == {
        "www.perusupportgroup.org.uk/news.php",
        "www.perusupportgroup.org.uk/articles.php",
        "www.perusupportgroup.org.uk/",
        "www.perusupportgroup.org.uk/index.php",
    }
    hosts = {urlsplit(row[0]).hostname for row in query(
        crawled.db, "SELECT original FROM captures")}  # fmt: skip
    assert hosts == {"www.perusupportgroup.org.uk", "perusupportgroup.org.uk"}


def test_every_listed_capture_is_recorded_with_what_became_of_it(crawled, captures):
    rows = query(
        crawled.db,
        "SELECT original, timestamp, captured, outcome, items_found, note, same_as, "
        "id FROM captures",
    )
    assert {(r[0], r[1]) for r in rows} == {
        (c["original"], c["timestamp"]) for c in listed(captures.index)
    }
    assert all(r[2] == stamp_time(r[1]) for r in rows)
    by_outcome = {}
    for row in rows:
        by_outcome.setdefault(row[3], []).append(row)
    # A redirect to a page with captures of its own is left to them; one to
    # a page the listings do not name is followed within the archive.
    left, followed = sorted(by_outcome["redirect"], key=lambda row: "html" in row[5])
    assert left[0].endswith("/index.php") and followed[0].endswith("/index.php")
    assert left[5] == (
        "to http://www.perusupportgroup.org.uk/, whose captures are read on their own"
    )
    assert re.fullmatch(
        r"to http://(www\.)?perusupportgroup\.org\.uk/index\.html, "
        "read from the capture there",
        followed[5],
    )
    (target,) = [row for row in rows if row[0].endswith("/index.html")]
    assert (target[1], target[3]) == (followed[1], "parsed") and target[4] > 0
    skipped = {urlsplit(row[0]).query: row[5] for row in by_outcome["skipped"]}
    assert skipped == {
        "position=99990": "HTTP 404 when captured",
        "format=rss": "not HTML (application/rss+xml)",
        "position=0": "no item list on the page: an error page or another layout",
    }
    (same,) = by_outcome["same content"]
    assert same[0].endswith("/index.php") and same[6] is not None
    assert all(row[4] > 0 for row in by_outcome["parsed"])
    # What the same content showed is seen again on that page, at its time.
    seen_again = query(
        crawled.db,
        "SELECT COUNT(*), MIN(seen_at), MAX(seen_at) FROM sightings "
        "WHERE page_url LIKE ?",
        f"%/web/{same[1]}id_/%",
    )[0]
    home_items = query(
        crawled.db,
        "SELECT COUNT(*) FROM sightings JOIN captures ON sightings.page_url = "
        "captures.url WHERE captures.id = ?",
        same[6],
    )[0][0]
    assert seen_again == (home_items, same[2], same[2]) and home_items > 0


def test_captures_known_to_be_of_no_use_are_not_fetched(crawled):
    fetched = {strip_archive_prefix(t) for t in crawled.requests if "/web/" in t}
    assert not any("position=99990" in url or "format=rss" in url for url in fetched)
    assert any(url.endswith("articles.php?position=0") for url in fetched)


class SpellingsApart(WaybackServer):
    """A CDX server that keys the two host spellings apart (no `www.` folding)."""

    def cdx(self, query: str):
        status, body = super().cdx(query)
        wanted = urlsplit("http://" + parse_qs(query)["url"][0]).hostname
        if status != 200:
            return status, body
        header, *rows = json.loads(body)
        at = header.index("original")
        rows = [r for r in rows if not r or len(r) == 1
                or urlsplit(r[at]).hostname == wanted]  # fmt: skip
        return status, json.dumps([header, *rows]).encode()


def test_a_cdx_server_keying_spellings_apart_is_asked_for_both(captures, tmp_path):
    db = tmp_path / "psg.db"
    with SpellingsApart(captures.directory) as server:
        result = wayback_crawl(server, db, "--sections", "home", "--no-warc")
        asked = [parse_qs(urlsplit(t).query)["url"][0] for t in server.requests
                 if t.startswith("/cdx/")]  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(asked) == sorted(
        f"{host}/{path}" for host in SITE_HOSTS for path in ("", "index.php")
    )
    home = [c for c in listed(captures.index) if section_from_url(c["original"])
            == "home"]  # fmt: skip
    assert query(db, "SELECT COUNT(*) FROM captures")[0][0] == len(home)


def test_a_rerun_asks_the_cdx_server_only_and_changes_nothing(crawled):
    assert crawled.rerun.returncode == 0, crawled.rerun.stderr
    assert crawled.rerun_requests
    assert all(target.startswith("/cdx/") for target in crawled.rerun_requests)
    assert crawled.after_rerun == crawled.before_rerun
    assert "captures: none new" in crawled.rerun.stderr
    (parsed,) = query(crawled.db, "SELECT COUNT(*) FROM captures WHERE outcome = ?",
                      "parsed")  # fmt: skip
    assert query(crawled.db, "SELECT source, status, pages FROM crawls") == [
        ("wayback", "ok", parsed[0]),
        ("wayback", "ok", 0),
    ]


def test_wayback_and_live_crawls_merge_in_either_order(crawled, captures, tmp_path):
    """The live site at the last week, crawled after the captures or before."""
    mirror = tmp_path / "mirror"
    build_mirror(mirror, week=WEEKS - 1)
    after = tmp_path / "after" / "psg.db"
    after.parent.mkdir()
    shutil.copy(crawled.db, after)
    before = tmp_path / "before" / "psg.db"
    before.parent.mkdir()
    with serving(mirror) as live:
        assert crawl(live, after, "--no-warc").returncode == 0
        assert crawl(live, before, "--no-warc").returncode == 0
    with WaybackServer(captures.directory) as server:
        assert wayback_crawl(server, before, "--no-warc").returncode == 0
    # The live crawl found nothing new and nothing changed: the captures'
    # latest text is the site's text.
    (live_crawl,) = query(after, "SELECT items_new, items_changed, items_seen "
                          "FROM crawls WHERE source = 'site'")  # fmt: skip
    assert live_crawl[:2] == (0, 0) and live_crawl[2] > 1500
    text = "SELECT id, title, summary, date_text, duplicate_of, first_seen FROM items"
    assert sorted(query(after, text)) == sorted(query(crawled.db, text))
    assert sorted(query(before, text)) == sorted(query(crawled.db, text))
    # Earlier texts are versions, whichever order the sources came in.
    versions = "SELECT item_id, title, summary FROM item_versions"
    assert sorted(query(before, versions)) == sorted(query(crawled.db, versions))
    assert query(crawled.db, "SELECT COUNT(*) FROM item_versions")[0][0] > 0


def test_a_time_range_then_the_rest_fetches_each_capture_once(captures, tmp_path):
    db = tmp_path / "psg.db"
    week0_day = min(captures.index, key=lambda c: c["timestamp"])["timestamp"][:8]
    with WaybackServer(captures.directory) as server:
        first = wayback_crawl(server, db, "--to", week0_day)
        first_replays = [t for t in server.requests if t.startswith("/web/")]
        rest = wayback_crawl(server, db, "--from", "2019")
        replays = [t for t in server.requests if t.startswith("/web/")]
    assert first.returncode == 0 and rest.returncode == 0, rest.stderr
    assert all(f"/web/{week0_day}" in target for target in first_replays)
    week0 = {i for i, seen in captures.first_seen.items() if seen["week"] == 0}
    assert {row[0] for row in query(db, "SELECT id FROM items WHERE first_crawl = 1")
            } == week0  # fmt: skip
    assert len(set(replays)) == len(replays)
    assert query(db, "SELECT COUNT(*) FROM items")[0][0] == len(captures.first_seen)


def test_a_throttling_archive_is_waited_for(captures, tmp_path):
    db = tmp_path / "psg.db"
    with WaybackServer(captures.directory, throttle=2) as server:
        result = wayback_crawl(server, db, "--sections", "home", "--no-warc")
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr
    assert requests[0] == requests[1] == requests[2]  # the first CDX query, thrice
    assert query(db, "SELECT COUNT(*) FROM captures WHERE outcome = 'parsed'")[0][0]


def test_captures_that_cannot_be_had_fail_the_crawl_and_the_next_run_reads_them(
    captures, tmp_path
):
    db = tmp_path / "psg.db"
    with WaybackServer(captures.directory) as server:
        nowhere = psg(
            "crawl", "--source", "wayback", "--sections", "home",
            "--cdx-url", f"{server.url}cdx/search/cdx",
            "--replay-url", "http://127.0.0.1:9/", "--db", str(db), "--delay", "0",
            "--no-warc", cwd=tmp_path,
        )  # fmt: skip
        assert nowhere.returncode == 1
        assert "connection refused" in nowhere.stderr
        assert "Traceback" not in nowhere.stderr
        assert query(db, "SELECT COUNT(*) FROM items")[0][0] == 0
        # Only what needed no fetch was recorded: the rest is left for a rerun.
        assert {row[0] for row in query(db, "SELECT outcome FROM captures")} <= {
            "skipped"
        }
        again = wayback_crawl(server, db, "--sections", "home", "--no-warc")
    assert again.returncode == 0, again.stderr
    home = [c for c in listed(captures.index) if section_from_url(c["original"])
            == "home"]  # fmt: skip
    assert query(db, "SELECT COUNT(*) FROM captures")[0][0] == len(home)


def test_by_default_the_archive_is_asked_at_most_once_a_second(tmp_path):
    """A shared public service: one request at a time, a second apart, its
    capture index at most 24 times a minute (the Internet Archive's CDX server
    takes 30), and a User-Agent that names the project."""
    directory = tmp_path / "captures"
    build_wayback(directory, weeks=2, items=60)
    db = tmp_path / "psg.db"
    with WaybackServer(directory) as server:
        result = psg(
            "crawl", "--source", "wayback", "--sections", "home",
            "--cdx-url", f"{server.url}cdx/search/cdx", "--replay-url", server.url,
            "--db", str(db), "--no-warc", cwd=tmp_path,
        )  # fmt: skip
        arrivals = list(server.arrivals)
        targets = list(server.requests)
    assert result.returncode == 0, result.stderr
    asked = list(zip(arrivals, targets, strict=True))
    cdx = [when for (when, _), target in asked if "/cdx" in target]
    replay = [when for (when, _), target in asked if "/cdx" not in target]
    assert len(cdx) >= 2 and len(replay) >= 2
    # Each service at its own pace: the index 2.5 s apart, the replay 1 s.
    for times, least in ((cdx, 2.45), (replay, 0.95)):
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert min(gaps) >= least, gaps
    assert all(agent.startswith("psgscraper/") for _, agent in arrivals)


def test_full_texts_come_from_the_nearest_capture_of_each_items_page(
    captures, tmp_path
):
    db = tmp_path / "psg.db"
    item_pages = {
        c["original"].rsplit("/", 1)[1].removesuffix(".html"): c
        for c in captures.index
        if "/article-" in c["original"]
    }
    assert item_pages  # the emulation holds some items' own pages
    with WaybackServer(captures.directory) as server:
        result = wayback_crawl(
            server, db, "--sections", "news,home", "--max-pages", "3", "--full-text",
            "--no-warc",
        )  # fmt: skip
        asked = [t for t in server.requests if "/article-" in t]
    assert result.returncode == 0, result.stderr
    rows = query(db, "SELECT id, body, body_fetched, body_error FROM items "
                 "WHERE url IS NOT NULL")  # fmt: skip
    # The home page and two news pages, oldest first; the news items of the
    # home page are on the first news page too.
    parsed = "SELECT section, COUNT(*) FROM captures WHERE outcome = 'parsed' "
    assert query(db, parsed + "GROUP BY section") == [
        ("home", 1), ("news", 2)
    ]  # fmt: skip
    with_page = [row for row in rows if row[0] in item_pages]
    assert with_page and len(with_page) < len(rows)
    for item_id, body, fetched, error in rows:
        if item_id in item_pages:
            assert body and error is None
            assert fetched == stamp_time(item_pages[item_id]["timestamp"])
        else:
            assert body is None and error == "HTTP 404"
    # Each item page asked once (not again for its second listing), at the
    # listing's time, then at its capture's.
    assert len(asked) == len(rows) + len(with_page)
