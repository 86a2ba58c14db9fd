"""The archive's web-archive captures and WordPress posts."""

from dataclasses import replace

import pytest
from helpers import SITE, listing_of, rows

from psgscraper.archive import FAILED, OK, PARSED, SAME_CONTENT, SKIPPED, Archive
from psgscraper.parse.cdx import CdxCapture
from psgscraper.parse.wordpress import Post


@pytest.fixture
def news():
    return listing_of("seed-news-0.html", f"{SITE}/news.php")


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "psg.db") as opened:
        yield opened


def test_a_capture_of_content_read_before_is_seen_again_at_its_time(archive, news):
    crawl = archive.start_crawl("http://127.0.0.1/", ["news"], source="wayback")
    first_url = "http://127.0.0.1/web/20190325060000id_/" + f"{SITE}/news.php"
    again_url = "http://127.0.0.1/web/20190401060000id_/" + f"{SITE}/news.php"
    first = CdxCapture("20190325060000", f"{SITE}/news.php", "200", "text/html", "D")
    again = CdxCapture("20190401060000", f"{SITE}/index.php", "200", "text/html", "D")
    with archive.transaction():
        archive.record_page(crawl, replace(news, page_url=first_url),
                            seen_at="2019-03-25T06:00:00+00:00")  # fmt: skip
        archive.record_capture(crawl, first, url=first_url, outcome=PARSED,
                               captured="2019-03-25T06:00:00+00:00")  # fmt: skip
    assert archive.parsed_digests(["D", "E"]) == {"D": first_url}
    archive.record_capture(
        crawl,
        again,
        url=again_url,
        outcome=SAME_CONTENT,
        captured="2019-04-01T06:00:00+00:00",
        same_content_as=first_url,
    )
    seen = rows(archive, "SELECT item_id, seen_at FROM sightings WHERE page_url = ?",
                again_url)  # fmt: skip
    assert sorted(seen) == sorted(
        (item.id, "2019-04-01T06:00:00+00:00") for item in news.items
    )
    assert {row[0] for row in rows(archive, "SELECT last_seen FROM items")} == {
        "2019-04-01T06:00:00+00:00"
    }
    assert rows(archive, "SELECT same_as FROM captures WHERE url = ?", again_url) == [
        (1,)
    ]
    assert archive.listed_captures() == {
        (f"{SITE}/news.php", "20190325060000"),
        (f"{SITE}/index.php", "20190401060000"),
    }


def test_capture_outcomes_are_counted_by_crawl(archive):
    crawl = archive.start_crawl("http://127.0.0.1/", ["news"], source="wayback")
    for n, outcome in enumerate([PARSED, SKIPPED, SKIPPED]):
        capture = CdxCapture(f"2019032506000{n}", f"{SITE}/news.php", "200",
                             "text/html", f"D{n}")  # fmt: skip
        archive.record_capture(crawl, capture, url=f"http://127.0.0.1/{n}",
                               outcome=outcome, captured=f"T{n}")  # fmt: skip
    assert archive.capture_outcomes(crawl) == {PARSED: 1, SKIPPED: 2}
    assert archive.capture_outcomes(crawl + 1) == {}


def post(record, modified):
    return Post(7, f"{SITE}/{record.id}/", record.id, "2019-05-02T09:30:00+00:00",
                modified, record)  # fmt: skip


def test_posts_are_held_as_modified_until_the_latest_an_ok_crawl_read(archive, news):
    crawl = archive.start_crawl(SITE, ["news"], source="wordpress")
    archive.record_page(crawl, news)
    first = [
        post(record, f"2019-05-0{n}T10:00:00+00:00")
        for n, record in enumerate(news.items[:3], start=1)
    ]
    archive.record_posts(crawl, first)
    assert archive.posts_modified_through(SITE) is None  # still running
    archive.finish_crawl(crawl, OK)
    assert archive.posts_modified_through(SITE) == "2019-05-03T10:00:00+00:00"
    assert archive.posts_modified_through("http://elsewhere.test/") is None
    # A crawl that failed may have missed posts modified before what it read.
    later = archive.start_crawl(SITE, ["news"], source="wordpress")
    edited = replace(first[0], modified_gmt="2019-06-01T00:00:00+00:00")
    archive.record_posts(later, [edited])
    archive.finish_crawl(later, FAILED)
    assert archive.posts_modified_through(SITE) == "2019-05-03T10:00:00+00:00"
    stored = archive.db["wordpress_posts"].get(edited.record.id)
    assert (stored["first_crawl"], stored["last_crawl"]) == (crawl, later)
