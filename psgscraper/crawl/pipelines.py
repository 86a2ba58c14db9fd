"""Hands each thing a spider read to the archive, one transaction each."""

from __future__ import annotations

import logging
import sqlite3

from ..archive import Archive
from ..write import write
from .extensions import CrawlLife

logger = logging.getLogger("psgscraper.crawl")


class ArchivePipeline:
    """Writes what the spiders read into the archive named by PSG_DB, in the
    crawl CrawlLife keeps; a line per write goes to the progress log."""

    def __init__(self, crawler) -> None:
        self.life = crawler.get_extension(CrawlLife)
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = Archive(self.life.db_path)

    def process_item(self, item):
        """Write the item; an archive that cannot be written stops the crawl."""
        try:
            logger.info(write(self.archive, self.life.crawl_id, item))
        except sqlite3.Error as error:
            self.life.stop(f"cannot write {self.life.db_path}: {error}")
        return item

    def close_spider(self) -> None:
        self.archive.close()
