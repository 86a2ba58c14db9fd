"""6. The Wayback source: 30 weeks of emulated captures, each distinct one fetched once.

Ours is `psg crawl --source wayback --delay 0` against the mirror's Wayback
emulation on loopback (WARC kept). The baseline, in the same runs, is the
plain way: the same CDX queries, then every capture listed fetched one after
another, parsed with BeautifulSoup and written with sqlite3, with no
de-duplication of content. Requests are counted at the server.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup
from common import PSG, RUNS, Figure, Stats, checked, run_process

from psgmirror.wayback.build import build_wayback
from psgmirror.wayback.serve import WaybackServer
from psgscraper.parse.cdx import CDX_FIELDS, parse_cdx
from psgscraper.parse.links import replay_url

WEEKS = 30
TARGETS = (("news.php", "prefix"), ("articles.php", "prefix"), ("", "exact"),
           ("index.php", "exact"))  # fmt: skip


def run(work: Path) -> list[Figure]:
    directory = work / "wayback"
    summary = build_wayback(directory, weeks=WEEKS)
    seconds, requests, rerun_requests = [], [], []
    base_seconds, base_requests = [], []
    with WaybackServer(directory) as server:
        for _ in range(RUNS + 1):  # the first is a warm-up
            db = Path(tempfile.mkdtemp(dir=work)) / "psg.db"
            asked = len(server.requests)
            crawled = checked(run_process(_crawl(server, db)), "psg crawl wayback")
            seconds.append(crawled.seconds)
            requests.append(server.requests[asked:])
            asked = len(server.requests)
            checked(run_process(_crawl(server, db)), "psg crawl wayback (rerun)")
            rerun_requests.append(len(server.requests) - asked)
            asked = len(server.requests)
            started = time.perf_counter()
            baseline(server, db.with_name("baseline.db"))
            base_seconds.append(time.perf_counter() - started)
            base_requests.append(len(server.requests) - asked)
            items = sqlite3.connect(db).execute("SELECT COUNT(*) FROM items")
            if items.fetchone()[0] != summary["items"]:
                raise SystemExit("bench: the Wayback crawl missed items")
    ours, theirs = Stats(seconds[1:]), Stats(base_seconds[1:])
    last = requests[-1]
    cdx = sum(target.startswith("/cdx/") for target in last)
    replays = len(last) - cdx
    return [
        Figure(
            f"Wayback: {WEEKS} weeks of emulated captures ({summary['captures']} "
            f"captures, {summary['digests']} distinct), `psg crawl --source wayback "
            "--delay 0` (WARC kept), wall time",
            ours.show("s"),
            theirs.show("s") + " (every capture fetched in turn + BeautifulSoup "
            "+ sqlite3)",
            f"{ours.median / theirs.median:.2f}",
            "(reported)",
            notes=[
                "on loopback with no latency both are bound by the CPU: ours also "
                "reads dates, sets blocks aside, keeps versions, sightings and a "
                "WARC, and starts a crawler; against the real Wayback Machine "
                "the requests, a second apart, are what takes the time"
            ],
        ),
        Figure(
            "Wayback: requests of the crawl (captures fetched + CDX pages), and per "
            "distinct capture fetched",
            f"{len(last)} ({replays} + {cdx}); {len(last) / replays:.3f} per capture",
            f"{base_requests[-1]} (every capture listed, no collapse)",
            f"{len(last) / base_requests[-1]:.2f}",
            "each fetched once",
            replays == len(set(last) - {t for t in last if t.startswith("/cdx/")}),
            notes=[
                f"at the default politeness (one request a second) the same crawl "
                f"of the Wayback Machine takes about {len(last) / 60:.0f} minutes"
            ],
        ),
        Figure(
            "Wayback: requests of a rerun with no new captures",
            f"{rerun_requests[-1]} (CDX pages only)",
            goal="CDX pages only",
            met=rerun_requests[-1] == cdx,
        ),
    ]


def _crawl(server: WaybackServer, db: Path) -> list[str]:
    return [*PSG, "crawl", "--source", "wayback",
            "--cdx-url", f"{server.url}cdx/search/cdx", "--replay-url", server.url,
            "--db", str(db), "--delay", "0", "--quiet"]  # fmt: skip


def baseline(server: WaybackServer, db: Path) -> None:
    """The captures listed, every one fetched and parsed, one after another."""
    captures = {}
    for path, match in TARGETS:
        query = urllib.parse.urlencode(
            {"url": f"www.perusupportgroup.org.uk/{path}", "matchType": match,
             "output": "json", "fl": ",".join(CDX_FIELDS)}
        )  # fmt: skip
        with urllib.request.urlopen(f"{server.url}cdx/search/cdx?{query}") as answer:
            for capture in parse_cdx(answer.read()).captures:
                captures[(capture.original, capture.timestamp)] = capture
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, title TEXT)")
    for capture in sorted(captures.values(), key=lambda c: c.timestamp):
        if not capture.statuscode.startswith("2"):
            continue
        url = replay_url(server.url, capture.timestamp, capture.original)
        with urllib.request.urlopen(url) as answer:
            soup = BeautifulSoup(answer.read(), "lxml")
        for heading in soup.find_all(["h2", "h3"]):
            link = heading.find("a", href=True)
            if link is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO items VALUES (?, ?)",
                    (link["href"], heading.get_text(" ", strip=True)),
                )
        conn.commit()
    conn.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        for figure in run(Path(scratch)):
            print(json.dumps(figure.__dict__, ensure_ascii=False))
