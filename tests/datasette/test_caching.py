"""Compressed answers, and cache headers for an archive no crawl is writing."""

from __future__ import annotations

import gzip
import re
import shutil

import pytest
from helpers import datasette, get_from, served_copy

from psgscraper.archive import Archive
from psgscraper.datasette.caching import MAX_AGE

DB = "psg"
PAGES = [f"/{DB}/items", f"/{DB}/items/article-915", f"/{DB}/search?text=mining",
         f"/{DB}/items.csv?_stream=on", f"/sitemap-{DB}-items-1.xml"]  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_week0):
    return served_copy(crawled_week0.db, tmp_path_factory.mktemp("caching"))


@pytest.fixture(scope="module")
def served(archive):
    with datasette(archive) as base:
        yield base


def _untimed(page: bytes) -> bytes:
    """A page without Datasette's "Queries took 12.3ms", which differs each time."""
    return re.sub(rb"took [\d.]+ ?ms", b"took", page)


@pytest.mark.parametrize("path", PAGES)
def test_answers_are_gzipped_for_a_client_that_takes_it(served, path):
    plain = get_from("127.0.0.1", served + path)
    packed = get_from("127.0.0.1", served + path, {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert _untimed(gzip.decompress(packed.body)) == _untimed(plain.body)
    assert len(packed.body) < len(plain.body) / 2


def test_a_small_answer_is_not_compressed(served):
    answer = get_from("127.0.0.1", served + "/robots.txt", {"Accept-Encoding": "gzip"})
    assert len(answer.body) < 500 and "content-encoding" not in answer.headers


@pytest.mark.parametrize("path", PAGES)
def test_a_page_of_an_immutable_archive_is_cacheable_and_revalidated(served, path):
    first = get_from("127.0.0.1", served + path)
    etag = first.headers["etag"]
    assert etag.startswith('W/"psgscraper-')
    assert first.headers["cache-control"] == f"public, max-age={MAX_AGE}"
    again = get_from("127.0.0.1", served + path, {"If-None-Match": etag})
    assert (again.status, again.body) == (304, b"")
    assert again.headers["etag"] == etag
    other = get_from("127.0.0.1", served + path, {"If-None-Match": 'W/"another"'})
    assert other.status == 200 and _untimed(other.body) == _untimed(first.body)


def test_an_error_carries_no_validator(served):
    answer = get_from("127.0.0.1", served + f"/{DB}/no_such_table")
    assert answer.status == 404 and "etag" not in answer.headers


def test_the_validator_changes_when_a_crawl_writes_the_archive(archive, tmp_path):
    db = tmp_path / f"{DB}.db"
    shutil.copy(archive, db)
    page = f"/{DB}/items/article-915"
    with datasette(db) as base:
        before = get_from("127.0.0.1", base + page)
        with Archive(db) as opened:  # as a crawl writes, under WAL
            opened.conn.execute(
                "UPDATE items SET title = 'A title the crawl changed' "
                "WHERE id = 'article-915'"
            )
        etag = before.headers["etag"]
        after = get_from("127.0.0.1", base + page, {"If-None-Match": etag})
    assert after.status == 200 and after.headers["etag"] != etag
    assert b"A title the crawl changed" in after.body
    assert b"A title the crawl changed" not in before.body
