"""The archive's crawl rows: opened, named and closed."""

import pytest
from archive_pages import SITE

from psgscraper.archive import FAILED, INTERRUPTED, RUNNING, Archive


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
