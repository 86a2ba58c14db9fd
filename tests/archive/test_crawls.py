"""The archive's crawl rows: opened, named and closed."""

import pytest
from helpers import SITE

from psgscraper.archive import FAILED, INTERRUPTED, OK, RUNNING, Archive
from psgscraper.archive import SITE as SITE_SOURCE


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "psg.db") as opened:
        yield opened


def test_stale_running_crawls_are_marked_interrupted(archive):
    crawl = archive.start_crawl(SITE, ["news"])
    assert archive.crawl(crawl)["status"] == RUNNING
    assert archive.mark_stale_crawls_interrupted() == 1
    assert archive.crawl(crawl)["status"] == INTERRUPTED
    done = archive.start_crawl(SITE, ["news"])
    archive.finish_crawl(done, FAILED, errors=1, message="x: HTTP 500")
    assert archive.mark_stale_crawls_interrupted() == 0


def test_a_crawl_names_its_warc_from_the_archive_directory(archive, tmp_path):
    inside = archive.start_crawl(SITE, ["news"], warc=tmp_path / "warc" / "1.warc.gz")
    assert archive.crawl(inside)["warc"] == "warc/1.warc.gz"
    outside = archive.start_crawl(SITE, ["news"])
    assert archive.crawl(outside)["warc"] is None
    elsewhere = tmp_path.parent / "elsewhere.warc.gz"
    archive.name_warc(outside, elsewhere)
    assert archive.crawl(outside)["warc"] == str(elsewhere.resolve())


def test_a_finished_crawl_has_its_status_and_figures(archive):
    crawl = archive.start_crawl(SITE, ["news", "articles"], incremental=True)
    figures = archive.finish_crawl(crawl, OK, requests=2, ended="E")
    assert (figures["status"], figures["ended"], figures["requests"]) == (OK, "E", 2)
    assert (figures["sections"], figures["incremental"]) == ("news,articles", 1)
    assert (figures["source"], figures["pages"], figures["items_seen"]) == (
        SITE_SOURCE,
        0,
        0,
    )
