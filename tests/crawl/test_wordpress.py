"""`psg crawl --source wordpress`: the current site's posts through its REST API.

The site is the mirror's WordPress emulation on 127.0.0.1; the crawl is the
real `psg crawl` in a child process, writing a real SQLite archive.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from helpers import OneModifiedTime, free_port, psg, query, serving

from psgmirror.wordpress.serve import WordPressServer

POSTS = 250
FIELDS = ("id", "url", "section", "title", "date", "date_precision", "date_text",
          "update_number", "byline", "summary", "image_caption")  # fmt: skip


def wordpress_crawl(server: WordPressServer, db: Path, *extra: str):
    return psg(
        "crawl", "--source", "wordpress", "--base-url", server.url,
        "--db", str(db), "--delay", "0", *extra, cwd=db.parent,
    )  # fmt: skip


def stored_records(db: Path) -> dict[str, dict]:
    rows = query(db, f"SELECT {', '.join(FIELDS)} FROM items")
    return {row[0]: dict(zip(FIELDS, row, strict=True)) for row in rows}


def answer_key(server: WordPressServer) -> dict[str, dict]:
    return {
        path: {field: record[field] for field in FIELDS}
        for path, record in server.expected_records().items()
    }


def api_pages(requests: list[str]) -> list[str]:
    return [target for target in requests if "wp/v2/posts" in target]


SETUPS = [
    pytest.param({}, id="pretty-permalinks"),
    pytest.param({"pretty_permalinks": False}, id="plain-permalinks"),
    pytest.param(
        {"pretty_permalinks": False, "front_controller": True},
        id="plain-permalinks-front-controller",
    ),
]


@pytest.mark.parametrize("setup", SETUPS)
def test_every_post_once_as_the_site_published_it(tmp_path, setup):
    db = tmp_path / "psg.db"
    with WordPressServer(posts=POSTS, **setup) as server:
        result = wordpress_crawl(server, db)
        requests = list(server.requests)
        expected = answer_key(server)
        dates = {
            item_id: (record["wp_id"], record["modified_gmt"])
            for item_id, record in server.expected_records().items()
        }
    assert result.returncode == 0, result.stderr
    assert stored_records(db) == expected
    assert len(expected) == POSTS
    posts = query(db, "SELECT item_id, wp_id, modified_gmt FROM wordpress_posts")
    assert {item: (wp_id, modified) for item, wp_id, modified in posts} == dates
    assert query(db, "SELECT source, status, pages, items_new FROM crawls") == [
        ("wordpress", "ok", math.ceil(POSTS / 100), POSTS)
    ]
    # Beside robots.txt (and the slash WordPress adds to it without pretty
    # permalinks): the home page naming the API, then each page of 100 once,
    # by the route the home page named.
    pages = api_pages(requests)
    asked = [target for target in requests if not target.startswith("/robots.txt")]
    assert asked == ["/", *pages]
    assert len(pages) == len(set(pages)) == math.ceil(POSTS / 100)
    assert all("per_page=100" in page and "orderby=id" in page for page in pages)
    pretty = setup.get("pretty_permalinks", True)
    assert all(page.startswith("/wp-json/" if pretty else "/index.php?rest_route=")
               for page in pages)  # fmt: skip


def test_posts_whose_modified_times_tie_are_each_read_once(tmp_path):
    db = tmp_path / "psg.db"
    with OneModifiedTime(posts=POSTS) as server:
        result = wordpress_crawl(server, db)
        expected = answer_key(server)
    assert result.returncode == 0, result.stderr
    assert stored_records(db) == expected


class LosingAPost(WordPressServer):
    """A site whose oldest post is deleted once the first page was read."""

    def list_posts(self, params):
        answer = super().list_posts(params)
        if params.get("page") == "1" and len(self.posts) == POSTS:
            self.posts = self.posts[1:]
        return answer


def test_posts_missed_between_pages_fail_the_crawl_with_a_message(tmp_path):
    db = tmp_path / "psg.db"
    with LosingAPost(posts=POSTS) as server:
        result = wordpress_crawl(server, db)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"read {POSTS - 1} of the {POSTS} posts the site counts" in result.stderr
    assert query(db, "SELECT status FROM crawls") == [("failed",)]


def test_an_incremental_run_reads_the_newly_modified_posts_and_keeps_versions(
    tmp_path,
):
    db = tmp_path / "psg.db"
    port = free_port()  # one site, six weeks apart
    with WordPressServer(port, posts=POSTS, week=0) as before:
        assert wordpress_crawl(before, db).returncode == 0
        old = answer_key(before)
    with WordPressServer(port, posts=POSTS, week=6) as after:
        result = wordpress_crawl(after, db, "--incremental")
        requests = list(after.requests)
        new = answer_key(after)
        modified = {p: r["modified_gmt"] for p, r in after.expected_records().items()}
    assert result.returncode == 0, result.stderr
    added = set(new) - set(old)
    edited = {p for p in set(new) & set(old) if new[p] != old[p]}
    assert added and edited
    stored = stored_records(db)
    # Every post of the site now, as it is now; the older ones kept too.
    assert {p: stored[p] for p in new} == new
    assert set(stored) == set(new) | set(old)
    # The edited ones keep their earlier text as a version, and only they.
    versions = query(db, "SELECT item_id, title, summary FROM item_versions")
    assert {row[0] for row in versions} == edited
    assert all((old[p]["title"], old[p]["summary"]) == (t, s) for p, t, s in versions)
    # Newest modified first: it stopped at the first page it held unchanged.
    assert len(api_pages(requests)) < math.ceil(len(new) / 100)
    stored_modified = dict(
        query(db, "SELECT item_id, modified_gmt FROM wordpress_posts")
    )
    assert {p: stored_modified[p] for p in modified} == modified


class WithoutPageCount(WordPressServer):
    """A WordPress behind a proxy that drops the X-WP-* headers."""

    def answer(self, target):
        status, headers, body = super().answer(target)
        headers = {k: v for k, v in headers.items() if not k.startswith("X-WP-")}
        return status, headers, body


def test_without_a_page_count_pages_are_read_until_the_api_says_past_the_end(
    tmp_path,
):
    db = tmp_path / "psg.db"
    with WithoutPageCount(posts=200) as server:
        result = wordpress_crawl(server, db)
        pages = api_pages(server.requests)
        expected = answer_key(server)
    assert result.returncode == 0, result.stderr
    assert stored_records(db) == expected
    assert ["page=1" in pages[0], "page=2" in pages[1], "page=3" in pages[2]] == [
        True
    ] * 3
    assert len(pages) == 3  # the third answered 400 rest_post_invalid_page_number


def test_a_site_without_the_api_fails_with_a_message(tmp_path, mirror_week0):
    db = tmp_path / "psg.db"
    with serving(mirror_week0) as old_site:
        result = psg(
            "crawl", "--source", "wordpress", "--base-url", old_site.url,
            "--db", str(db), "--delay", "0", cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "no WordPress API named there" in result.stderr
    assert query(db, "SELECT source, status FROM crawls") == [("wordpress", "failed")]
