"""Scrapy's room: the spiders, their settings, middlewares, pipeline and
extensions, and `run_crawl`, which runs the spiders of one crawl.

Nothing outside this package imports Scrapy; `psg crawl` loads it only when
it crawls.
"""

from .run import CrawlOptions, CrawlResult, run_crawl

__all__ = ["CrawlOptions", "CrawlResult", "run_crawl"]
