"""1. Parse: parse_listing against a bare BeautifulSoup and lxml, per listing page."""

from __future__ import annotations

import json
import time
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup
from common import Figure, repeat_pair

from psgscraper.parse import parse_listing


def listing_pages(mirror: Path) -> list[tuple[bytes, str, str]]:
    """Every listing page of the mirror: (bytes, URL, Content-Type)."""
    routes = json.loads((mirror / "pages.json").read_text())["routes"]
    return [
        (
            (mirror / route["file"]).read_bytes(),
            f"http://127.0.0.1{path}",
            route["content_type"],
        )
        for path, route in sorted(routes.items())
        if path.startswith(("/news.php", "/articles.php"))
    ]


def per_page_ms(pages, parse) -> float:
    start = time.perf_counter()
    for body, url, content_type in pages:
        parse(body, url, content_type)
    return (time.perf_counter() - start) * 1000 / len(pages)


def ours(body, url, content_type):
    return parse_listing(body, url, content_type=content_type)


def bare_soup(body, url, content_type):
    return BeautifulSoup(body, "lxml")


def bare_lxml(body, url, content_type):
    return lxml.html.fromstring(body)


def run(mirror: Path) -> list[Figure]:
    pages = listing_pages(mirror)
    size = sum(len(body) for body, _, _ in pages) / len(pages)
    mine, soup = repeat_pair(
        lambda: per_page_ms(pages, ours), lambda: per_page_ms(pages, bare_soup)
    )
    _, tree = repeat_pair(
        lambda: per_page_ms(pages, ours), lambda: per_page_ms(pages, bare_lxml)
    )
    ratio = mine.median / soup.median
    return [
        Figure(
            f"Parse: ms per listing page ({len(pages)} pages, {size / 1024:.1f} KB "
            "on average), vs BeautifulSoup(body, 'lxml')",
            mine.show("ms", 2),
            soup.show("ms", 2),
            f"{ratio:.2f}x",
            "≤ 1.5x",
            ratio <= 1.5,
        ),
        Figure(
            "Parse: the same, vs lxml.html.fromstring",
            mine.show("ms", 2),
            tree.show("ms", 3),
            f"{mine.median / tree.median:.1f}x",
            "(reported)",
        ),
    ]
