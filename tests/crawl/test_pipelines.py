"""The pipeline: each thing a spider read, written into the crawl's archive."""

from __future__ import annotations

import logging
import sqlite3

from helpers import FIXTURES
from scrapy.utils.test import get_crawler

import psgscraper.crawl.settings as project
from psgscraper.archive import Archive
from psgscraper.crawl.extensions import CrawlLife
from psgscraper.crawl.pipelines import ArchivePipeline
from psgscraper.parse import parse_listing
from psgscraper.read import Page, text_not_had

SEED = FIXTURES / "seed-news-0.html"
URL = "http://host.test/news.php"


def test_the_pipeline_writes_each_page_into_the_crawl_it_is_given(tmp_path, caplog):
    db = tmp_path / "psg.db"
    with Archive(db) as archive:
        crawl_id = archive.start_crawl("http://host.test/", ["news"])
    base = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    crawler = get_crawler(settings_dict={**base, "PSG_DB": str(db),
                                         "PSG_CRAWL_ID": crawl_id})  # fmt: skip
    assert crawler.get_extension(CrawlLife).crawl_id == crawl_id
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    page = Page(
        parse_listing(SEED.read_bytes(), URL), seen_at="2019-03-25T06:00:00+00:00"
    )
    with caplog.at_level(logging.INFO, logger="psgscraper.crawl"):
        assert pipeline.process_item(page) is page
        pipeline.process_item(text_not_had("article-1236", "timed out"))
    pipeline.close_spider()
    assert caplog.messages == [
        f"{URL}: 10 items (10 new, 0 changed), 4 set aside",  # the seed's blocks
        "article-1236: no full text (timed out)",
    ]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*), MIN(first_seen) FROM items").fetchone() == (
        10,
        "2019-03-25T06:00:00+00:00",
    )
    assert conn.execute(
        "SELECT pages, item_pages, item_page_errors FROM crawls WHERE id = ?",
        (crawl_id,),
    ).fetchone() == (1, 1, 1)
    assert conn.execute(
        "SELECT body_error FROM items WHERE id = 'article-1236'"
    ).fetchone() == ("timed out",)
