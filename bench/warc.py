"""5. Raw captures: WARC size per 100 pages, and `psg reparse` beside the crawl.

The whole mirror is crawled with `--full-text` (every listing page and every
item's own page) on loopback with no added latency, then its WARC file is
re-parsed into a new archive; both rates are pages a second of wall time,
measured in the same runs.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
from pathlib import Path

from common import PSG, RUNS, Figure, Stats, checked, run_process

from psgmirror.site.serve import MirrorServer


def run(mirror: Path, work: Path) -> list[Figure]:
    crawl_rates, reparse_rates, sizes, pages = [], [], [], []
    with MirrorServer(mirror, log=io.StringIO()) as server:
        for _ in range(RUNS + 1):  # the first is a warm-up
            db = Path(tempfile.mkdtemp(dir=work)) / "psg.db"
            crawled = checked(
                run_process(
                    [*PSG, "crawl", "--base-url", server.url, "--db", str(db),
                     "--delay", "0", "--full-text", "--quiet"]
                ),
                "psg crawl --full-text",
            )  # fmt: skip
            responses, warc = _responses_and_warc(db)
            new = db.with_name("reparsed.db")
            reparsed = checked(
                run_process(
                    [*PSG, "reparse", "--warc", str(db.parent / "warc"),
                     "--db", str(new)]
                ),
                "psg reparse",
            )  # fmt: skip
            crawl_rates.append(responses / crawled.seconds)
            reparse_rates.append(responses / reparsed.seconds)
            sizes.append(warc.stat().st_size / responses * 100 / 1024)
            pages.append(responses)
    crawl_rate, reparse_rate = Stats(crawl_rates[1:]), Stats(reparse_rates[1:])
    return [
        Figure(
            "WARC: size per 100 pages (listing and item pages, gzipped, with requests)",
            Stats(sizes[1:]).show("KB"),
            notes=[f"{pages[-1]:,} responses in the full-text crawl of the mirror"],
        ),
        Figure(
            "Re-parse: `psg reparse` of the full-text crawl's WARC, pages/s, vs "
            "the crawl that wrote it (loopback, no latency)",
            reparse_rate.show("pages/s", 0),
            crawl_rate.show("pages/s", 0) + " (psg crawl --full-text --delay 0)",
            f"{reparse_rate.median / crawl_rate.median:.1f}x",
            "(reported)",
        ),
    ]


def _responses_and_warc(db: Path) -> tuple[int, Path]:
    with sqlite3.connect(db) as conn:
        requests, warc = conn.execute("SELECT requests, warc FROM crawls").fetchone()
    return requests, db.parent / warc
