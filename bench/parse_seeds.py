"""Parse time per seed page, beside bare BeautifulSoup and lxml parses of its bytes.

    .venv/bin/python bench/parse_seeds.py [REPEATS]

Prints, per fixture, the median over REPEATS (default 1,000) of each of the
three, all measured in this one process, interleaved so that machine noise hits
them alike.
"""

import statistics
import sys
import time
from functools import partial
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup

from psgscraper.parse import parse_listing

SITE = "http://www.perusupportgroup.org.uk"
PAGES = [
    ("seed-news-0.html", f"{SITE}/news.php", "text/html; charset=utf-8"),
    (
        "seed-news-20.html",
        f"{SITE}/news.php?position=20",
        "text/html; charset=iso-8859-1",
    ),
]


def main(repeats: int) -> None:
    fixtures = Path(__file__).parent.parent / "tests" / "fixtures"
    print(f"median of {repeats} runs, ms per page")
    print(
        f"{'page':<20}{'bytes':>7}{'parse_listing':>15}{'BeautifulSoup':>15}"
        f"{'lxml':>8}{'ratio BS':>10}{'ratio lxml':>12}"
    )
    for name, url, content_type in PAGES:
        body = (fixtures / name).read_bytes()
        tasks = {
            "ours": partial(parse_listing, body, url, content_type=content_type),
            "bs": partial(BeautifulSoup, body, "lxml"),
            "lxml": partial(lxml.html.fromstring, body),
        }
        times = {key: [] for key in tasks}
        for task in tasks.values():  # warm-up: imports, caches
            task()
        for _ in range(repeats):
            for key, task in tasks.items():
                start = time.perf_counter()
                task()
                times[key].append(time.perf_counter() - start)
        ours, bs, lx = (
            statistics.median(times[k]) * 1000 for k in ("ours", "bs", "lxml")
        )
        print(
            f"{name:<20}{len(body):>7}{ours:>15.3f}{bs:>15.3f}{lx:>8.3f}"
            f"{ours / bs:>10.2f}{ours / lx:>12.1f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
