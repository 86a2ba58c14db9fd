"""`psg crawl --full-text`: item pages asked of the copy being crawled.

Real crawls of the mirror over HTTP on 127.0.0.1, its listings and home page
linking every other item absolutely to the live host, as some of the site's
pages did.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    Crawled,
    crawl,
    expected_records,
    linked_to_live_host,
    query,
    serving,
)
from warcio.archiveiterator import ArchiveIterator

from psgscraper.parse.links import item_id_from_url


@pytest.fixture(scope="module")
def live_linked(tmp_path_factory, mirror_week0) -> Path:
    return linked_to_live_host(mirror_week0, tmp_path_factory.mktemp("m") / "mirror")


def crawl_full_texts(mirror: Path, db: Path, *extra: str) -> Crawled:
    with serving(mirror) as server:
        result = crawl(server, db, "--full-text", *extra)
        requests = server.requests
    assert result.returncode == 0, result.stderr
    return Crawled(db, server.url, result, requests)


def item_pages_asked(crawled: Crawled) -> list[str]:
    return [path for _, path, _ in crawled.requests if item_id_from_url(path)]


def warc_urls(directory: Path) -> set[str]:
    urls = set()
    for path in directory.glob("*.warc.gz"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                urls.add(record.rec_headers.get_header("WARC-Target-URI"))
    return urls - {None, ""}


def test_every_item_page_the_copy_has_is_asked_of_it_whatever_its_link_says(
    tmp_path, live_linked
):
    crawled = crawl_full_texts(live_linked, tmp_path / "psg.db")
    with_page = [r for r in expected_records(live_linked) if r["path"]]
    bodies = dict(query(crawled.db, "SELECT id, body FROM items"))
    assert {r["id"]: bodies[r["id"]] for r in with_page} == {
        r["id"]: r["body"] for r in with_page
    }
    assert "host not found" not in crawled.result.stderr
    assert (
        query(crawled.db, "SELECT body_error FROM items WHERE body_error IS NOT NULL")
        == []
    )
    # The live host is never even tried; each page is asked once, by one spider.
    assert all(url.startswith(crawled.base_url) for url in warc_urls(tmp_path / "warc"))
    asked = item_pages_asked(crawled)
    assert sorted(asked) == sorted(f"/{r['path']}" for r in with_page)


def test_the_home_pages_items_get_their_full_text(tmp_path, live_linked):
    crawled = crawl_full_texts(live_linked, tmp_path / "psg.db", "--sections", "home")
    home_items = query(crawled.db, "SELECT id, body, body_error FROM items")
    expected = {r["id"]: r["body"] for r in expected_records(live_linked)}
    assert len(home_items) >= 5
    assert {i: (body, error) for i, body, error in home_items} == {
        i: (expected[i], None) for i, _, _ in home_items
    }
    assert len(item_pages_asked(crawled)) == len(home_items)
