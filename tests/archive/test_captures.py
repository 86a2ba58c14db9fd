"""The archive's web-archive captures and WordPress posts."""

from dataclasses import replace

import pytest
from archive_pages import SITE, listing_of, rows

from psgscraper.archive import PARSED, SAME_CONTENT, Archive
from psgscraper.parse.cdx import CdxCapture


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
        same_as=first_url,
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
