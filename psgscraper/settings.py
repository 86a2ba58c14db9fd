"""Scrapy settings: polite by default, for a real charity's web host."""

from . import __version__

BOT_NAME = "psgscraper"
SPIDER_MODULES = ["psgscraper.spiders"]
NEWSPIDER_MODULE = "psgscraper.spiders"

USER_AGENT = f"psgscraper/{__version__} (Peru Support Group newsletter archive)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {"psgscraper.pipelines.ArchivePipeline": 300}
PSG_DB = "data/psg.db"

RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "psgscraper.middlewares.SharedRobotsTxtMiddleware": 100,
    # Next to the downloader: every response as received, each attempt.
    "psgscraper.middlewares.CaptureMiddleware": 950,
}
# The WARC file that keeps this crawl's requests and responses (none if empty),
# and the fields of its warcinfo record. `psg crawl` sets both.
PSG_WARC = ""
PSG_WARC_INFO: dict[str, str] = {}
