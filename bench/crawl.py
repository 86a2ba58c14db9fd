"""2-4. Crawl speed and memory, requests of an incremental crawl, re-crawl cost."""

from __future__ import annotations

import io
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path

from common import (
    PSG,
    ROOT,
    RUNS,
    Figure,
    Stats,
    checked,
    repeat_pair,
    run_process,
)

from psgmirror.site.serve import MirrorServer

LATENCY = 0.050


def crawl(url: str, db: Path, *extra: str):
    command = [*PSG, "crawl", "--base-url", url, "--db", str(db), "--delay", "0"]
    return checked(run_process([*command, "--quiet", *extra]), "psg crawl")


def speed_and_memory(mirror: Path, work: Path) -> list[Figure]:
    """2. The full mirror with 50 ms of latency: psg crawl vs a sequential script."""
    peaks, pages = [], []
    with MirrorServer(mirror, latency=LATENCY, log=io.StringIO()) as server:

        def ours() -> float:
            db = Path(tempfile.mkdtemp(dir=work)) / "psg.db"
            process = crawl(server.url, db)
            peaks.append(process.peak_mb)
            pages.append(_pages(db))
            return process.seconds

        def baseline() -> float:
            db = Path(tempfile.mkdtemp(dir=work)) / "baseline.db"
            script = [PSG[0], str(ROOT / "bench" / "baseline_crawl.py")]
            return checked(
                run_process([*script, server.url, str(db)]), "baseline"
            ).seconds

        mine, theirs = repeat_pair(ours, baseline)
    speedup = theirs.median / mine.median
    rate = Stats([p / s for p, s in zip(pages[1:], mine.values, strict=True)])
    peak = Stats(peaks[1:])
    return [
        Figure(
            "Crawl: full default mirror, 50 ms latency a response, "
            "`psg crawl --delay 0` (WARC kept), wall time",
            mine.show("s"),
            theirs.show("s") + " (sequential requests + BeautifulSoup + sqlite3)",
            f"{speedup:.1f}x faster",
            "≥ 5x faster",
            speedup >= 5,
        ),
        Figure("Crawl: listing pages per second", rate.show("pages/s")),
        Figure(
            "Crawl: peak resident memory of psg crawl (with its parser process)",
            peak.show("MB", 0),
            goal="< 200 MB",
            met=peak.median < 200,
        ),
    ]


def _pages(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT pages FROM crawls").fetchone()[0]


def requests_and_recrawl(mirror: Path, mirror_week1: Path, work: Path) -> list[Figure]:
    """3. An incremental crawl of week 1; 4. a re-crawl of an unchanged site."""
    full_listing, incremental_listing, repeated, edited_pages = [], [], [], []
    first_times, again_times, writes = [], [], []
    for _ in range(RUNS):
        db = Path(tempfile.mkdtemp(dir=work)) / "psg.db"
        with MirrorServer(mirror, log=io.StringIO()) as server:
            first_times.append(crawl(server.url, db).seconds)
            full = list(server.requests)
            before = _snapshot(db)
            again_times.append(crawl(server.url, db).seconds)
            writes.append(_writes(before, _snapshot(db)))
            again = list(server.requests)[len(full) :]
        with MirrorServer(mirror_week1, log=io.StringIO()) as server:
            crawl(server.url, db, "--incremental")
            incremental = list(server.requests)
        full_listing.append(_listing_requests(full))
        incremental_listing.append(_listing_requests(incremental))
        edited_pages.append(_pages_with_edits(db, incremental))
        repeated.append(sum(_repeats(log) for log in (full, again, incremental)))
    per_section = incremental_listing[-1]
    allowed = {s: 2 + edited_pages[-1].get(s, 0) for s in ("news", "articles")}
    again_ratio = Stats([a / f for a, f in zip(again_times, first_times, strict=True)])
    extra_writes = writes[-1]
    return [
        Figure(
            "Requests: listing requests of a weekly incremental crawl (week 1 after "
            "week 0), per section",
            _sections(per_section),
            _sections(full_listing[-1]) + " (full crawl)",
            f"{sum(per_section.values())} / {sum(full_listing[-1].values())}",
            "≤ 2 per section + pages with edits",
            all(per_section[s] <= allowed[s] for s in allowed),
            [f"the same in all {RUNS} runs: {_all_same(incremental_listing)}"],
        ),
        Figure(
            "Requests: URLs requested twice in a crawl (full, re-crawl, incremental)",
            str(max(repeated)),
            goal="0",
            met=max(repeated) == 0,
        ),
        Figure(
            "Re-crawl of an unchanged site: rows written besides sightings, the "
            "crawl row and last_seen / last_crawl",
            str(sum(extra_writes.values())),
            goal="0",
            met=not extra_writes,
            notes=[f"written: {dict(extra_writes)}"] if extra_writes else [],
        ),
        Figure(
            "Re-crawl of an unchanged site: time vs the first crawl",
            Stats(again_times).show("s"),
            Stats(first_times).show("s") + " (first crawl)",
            f"{again_ratio.median:.2f}",
            "(reported)",
        ),
    ]


def _all_same(values: list) -> bool:
    return all(value == values[0] for value in values)


def _listing_requests(log) -> Counter:
    return Counter(
        section
        for _, path, _ in log
        for section in ("news", "articles")
        if path.startswith(f"/{section}.php")
    )


def _pages_with_edits(db: Path, log) -> Counter:
    """Listing pages, beyond the first, that showed an item the crawl saw edited."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT DISTINCT items.section, sightings.page_url FROM item_versions "
            "JOIN items ON items.id = item_versions.item_id "
            "JOIN sightings ON sightings.item_id = items.id "
            "AND sightings.crawl_id = item_versions.crawl_id "
            "WHERE sightings.page_url LIKE '%position=%' "
            "AND sightings.page_url NOT LIKE '%position=0'"
        ).fetchall()
    return Counter(section for section, _ in rows)


def _repeats(log) -> int:
    counts = Counter(path for _, path, _ in log)
    return sum(n - 1 for n in counts.values())


def _sections(counts: Counter) -> str:
    return ", ".join(f"{s} {counts.get(s, 0)}" for s in ("news", "articles"))


IGNORED = {"last_seen", "last_crawl"}
APPEND_ONLY = {"sightings", "boilerplate_sightings", "crawls"}


def _snapshot(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'items_fts%' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: {
                row[0]: {k: v for k, v in dict(row).items() if k not in IGNORED}
                for row in conn.execute(f"SELECT * FROM {table}")
            }
            for table in tables
        }


def _writes(before: dict, after: dict) -> Counter:
    """Rows inserted, changed or deleted, outside the append-only tables."""
    written = Counter()
    for table, rows in after.items():
        if table in APPEND_ONLY:
            continue
        old = before.get(table, {})
        written[table] += sum(1 for key, row in rows.items() if old.get(key) != row)
        written[table] += sum(1 for key in old if key not in rows)
    return +written
