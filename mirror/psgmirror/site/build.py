"""`build_mirror`: the whole site written to a directory, with its answer key.

    DIR/site/            the pages, flat: index.html, robots.txt,
                         news-0.html, news-10.html, ..., news-end.html,
                         articles-0.html, ..., articles-end.html,
                         article-ID.html for every item with a link
    DIR/pages.json       the routing table the server uses
    DIR/expected.jsonl   the record the parser should give for every item
    DIR/blocks.json      the boilerplate blocks on the listing pages

pages.json:

    {"site": "site",
     "routes": {"/": {"file": "site/index.html",
                      "content_type": "text/html; charset=utf-8", "length": 4242},
                "/news.php?position=0": {...}, "/article-12.html": {...},
                "/robots.txt": {"file": "site/robots.txt",
                                "content_type": "text/plain", ...}, ...},
     "listings": {"/news.php": {"section": "news", "per_page": 10, "pages": 112,
                                "past_end": {"file": "site/news-end.html", ...}},
                  "/articles.php": {...}}}

expected.jsonl: one object per item, news then articles, each newest first, with
the fields of `psgscraper.parse.Record` that do not depend on the host (`id`,
`section`, `title`, `date`, `date_precision`, `date_text`, `update_number`,
`byline`, `summary`, `image_caption`, `position`), plus `body` (the full text
of the item's own page, byline left out, or null when it has none), `path`
(the detail link, `article-N.html`, or null), `listing_position` (the N of
`?position=N` of its page) and `duplicate_of` (for the second listing of a
piece listed twice, the id of the first, lower, one; else null).

blocks.json: {"blocks": [{"title", "text", "date_line", "caught_by":
"structure" or "learning", "pages": [routes of the listing pages showing it]}],
"learned_only": the title of the block only the learning detector catches, or
null if no page of this build shows it}.

The same arguments write the same bytes: every choice comes from
`random.Random` seeded from `seed` (and, for a page, from what it shows).
"""

from __future__ import annotations

import json
import random
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..rules import fold
from . import render
from .blocks import BLOCKS, LEARNED_AFTER, LEARNING, Block, blocks_on
from .plan import HOME_ITEMS, LISTING_SECTIONS, PER_PAGE, Item, Site, plan_site

SITE_DIR = "site"
TEXT_PLAIN = "text/plain"


class _Files:
    """Writes the site's files and keeps the routing table."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.routes: dict[str, dict] = {}
        self.files = 0

    def write(self, name: str, body: bytes, content_type: str) -> dict:
        (self.directory / SITE_DIR / name).write_bytes(body)
        self.files += 1
        return {
            "file": f"{SITE_DIR}/{name}",
            "content_type": content_type,
            "length": len(body),
        }

    def route(self, path: str, name: str, body: bytes, content_type: str) -> None:
        self.routes[path] = self.write(name, body, content_type)


def build_mirror(
    directory: str | Path, items: int = 1600, seed: int = 0, week: int = 0
) -> dict:
    """Write the site (`items` items, `week` weeks after March 2019) to `directory`.

    Replaces a previous build there. Returns a summary: the number of items, of
    items and listing pages per section, of files under `site/`, and the ids
    the last week added and edited.
    """
    if items < 0 or week < 0:
        raise ValueError("items and week must not be negative")
    directory = Path(directory)
    site_dir = directory / SITE_DIR
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    site = plan_site(items, seed, week)
    out = _Files(directory)
    home = render.home_page(site.latest(HOME_ITEMS))
    out.route("/", "index.html", home, render.Style(render.MODERN).content_type)
    out.routes["/index.php"] = out.routes["/"]
    out.route("/robots.txt", "robots.txt", render.ROBOTS_TXT, TEXT_PLAIN)
    listings, records, block_pages = _write_listings(out, site, seed)
    _write_item_pages(out, site, seed)
    _write_json(directory / "pages.json", _routing_table(out.routes, listings))
    with open(directory / "expected.jsonl", "w", encoding="utf-8") as lines:
        for record in records:
            lines.write(json.dumps(record, ensure_ascii=False) + "\n")
    _write_json(directory / "blocks.json", _blocks_summary(block_pages))
    return _summary(directory, site, seed, out.files)


def _write_listings(
    out: _Files, site: Site, seed: int
) -> tuple[dict, list[dict], dict[Block, list[str]]]:
    """Every listing page and past-the-end template; the records they hold."""
    listings: dict[str, dict] = {}
    records: list[dict] = []
    block_pages: dict[Block, list[str]] = defaultdict(list)
    for section in LISTING_SECTIONS:
        for page in listing_pages(site, seed, section):
            route = f"/{section}.php?position={page.position}"
            name = f"{section}-{page.position}.html"
            out.route(route, name, page.body, page.content_type)
            for block in page.blocks:
                block_pages[block].append(route)
            records += [
                expected_record(item, page.position, rank)
                for rank, item in enumerate(page.items, 1)
            ]
        pages = len(site.pages(section))
        past_end = render.past_the_end_page(section, pages)
        listings[f"/{section}.php"] = {
            "section": section,
            "per_page": PER_PAGE,
            "pages": pages,
            "past_end": out.write(
                f"{section}-end.html",
                past_end,
                render.Style(render.MODERN).content_type,
            ),
        }
    return listings, records, block_pages


class ListingPage(NamedTuple):
    position: int
    body: bytes
    content_type: str
    blocks: list[Block]
    items: list[Item]


def listing_pages(site: Site, seed: int, section: str) -> Iterator[ListingPage]:
    """The pages of a section's listing, newest first, each rendered as asked."""
    pages = site.pages(section)
    shown = _blocks_of_pages(pages)
    for number in range(len(pages)):
        yield _listing_page(seed, section, pages, number, shown[number])


def listing_page(site: Site, seed: int, section: str, number: int) -> ListingPage:
    """Page `number` of a section's listing (0 is the newest), as `listing_pages`
    renders it."""
    pages = site.pages(section)
    blocks = _blocks_of_pages(pages)[number]
    return _listing_page(seed, section, pages, number, blocks)


def _listing_page(
    seed: int, section: str, pages: list[list[Item]], number: int, blocks: list[Block]
) -> ListingPage:
    page_items = pages[number]
    rng = random.Random(f"{seed}:{section}:{page_items[0].number}")
    body, style = render.listing_page(
        rng, section, number, len(pages), page_items, blocks
    )
    return ListingPage(number * PER_PAGE, body, style.content_type, blocks, page_items)


def _blocks_of_pages(pages: list[list[Item]]) -> list[list[Block]]:
    """The blocks of each page of a listing, by the date of its newest item.

    A block only the learning detector can catch is left out of a listing
    where fewer than `LEARNED_AFTER` pages would show it (a small build): a
    crawl could not tell it from an item there.
    """
    shown = [blocks_on(page[0].published) for page in pages]
    for block in BLOCKS:
        if block.caught_by != LEARNING:
            continue
        if sum(block in blocks for blocks in shown) < LEARNED_AFTER:
            shown = [[b for b in blocks if b is not block] for blocks in shown]
    return shown


def item_pages(site: Site, seed: int) -> Iterator[tuple[Item, bytes, str]]:
    """The own page of every linked item: the item, its bytes and content type."""
    for item in sorted(site.items, key=lambda item: item.number):
        if item.linked:
            content_type = render.Style(render.era_of(item.published)).content_type
            yield item, item_page(item, seed), content_type


def item_page(item: Item, seed: int) -> bytes:
    """An item's own page (`article-ID.html`)."""
    rng = random.Random(f"{seed}:item:{item.number}")
    return render.item_page(rng, item, blocks_on(item.published))


def _write_item_pages(out: _Files, site: Site, seed: int) -> None:
    for item, body, content_type in item_pages(site, seed):
        out.route(f"/{item.path}", item.path, body, content_type)


def expected_record(item: Item, position: int, rank: int) -> dict:
    """The record the parser should give for `item` at `rank` on page `position`."""
    return {
        "id": item.id,
        "path": item.path,
        "section": item.section,
        "title": fold(item.title),
        "date": item.line.date,
        "date_precision": item.line.precision,
        "date_text": fold(item.line.text),
        "update_number": item.line.update_number,
        "byline": fold(item.byline) if item.byline else None,
        "summary": "\n\n".join(fold(text) for text in item.paragraphs),
        "body": "\n\n".join(fold(text) for text in (*item.paragraphs, *item.more))
        if item.path
        else None,
        "image_caption": fold(item.caption) if item.caption else None,
        "listing_position": position,
        "position": rank,
        "duplicate_of": f"article-{item.duplicate_of}" if item.duplicate_of else None,
    }


def _routing_table(routes: dict[str, dict], listings: dict[str, dict]) -> dict:
    return {"site": SITE_DIR, "routes": routes, "listings": listings}


def _blocks_summary(block_pages: dict[Block, list[str]]) -> dict:
    shown = [block for block in BLOCKS if block_pages.get(block)]
    learned = [block.title for block in shown if block.caught_by == LEARNING]
    return {
        "blocks": [
            {
                "title": block.title,
                "text": block.text(),
                "date_line": block.date_line,
                "caught_by": block.caught_by,
                "pages": block_pages[block],
            }
            for block in shown
        ],
        "learned_only": learned[0] if learned else None,
    }


def _summary(directory: Path, site: Site, seed: int, files: int) -> dict:
    per_section = {section: len(site.section(section)) for section in LISTING_SECTIONS}
    return {
        "directory": str(directory),
        "seed": seed,
        "week": site.week,
        "items": len(site.items),
        "items_per_section": per_section,
        "pages": {section: len(site.pages(section)) for section in LISTING_SECTIONS},
        "files": files,
        "added": [item.id for item in site.added],
        "edited": [item.id for item in site.edited],
    }


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
