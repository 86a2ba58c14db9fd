"""Scrapy settings: polite by default, for a real charity's web host."""

from scrapy.settings import default_settings as scrapy_defaults

from .. import USER_AGENT  # noqa: F401 (a setting: the crawl names the project)

BOT_NAME = "psgscraper"
SPIDER_MODULES = ["psgscraper.crawl.spiders"]
NEWSPIDER_MODULE = "psgscraper.crawl.spiders"

ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {"psgscraper.crawl.pipelines.ArchivePipeline": 300}
# The crawl's own components (extensions.py): its life, from its crawls row
# to its WARC file's ending; the process that parses its pages; its
# read-only view of what the archive holds; the item pages it asked for.
EXTENSIONS = {
    "psgscraper.crawl.extensions.CrawlLife": 0,
    "psgscraper.crawl.extensions.ParserPool": 0,
    "psgscraper.crawl.extensions.ArchiveView": 0,
    "psgscraper.crawl.extensions.TextsAsked": 0,
}
PSG_DB = "data/psg.db"

RETRY_ENABLED = True
RETRY_TIMES = 2
PSG_MAX_RETRY_AFTER = 120  # seconds; a host asking for longer is not waited for
DOWNLOAD_TIMEOUT = 30
DUPEFILTER_CLASS = "psgscraper.crawl.middlewares.RedirectsThroughDupeFilter"
REDIRECT_MAX_TIMES = 5  # a loop ends here, and is reported
# A listing page is about 8 KB: anything past 10 MB is a broken answer.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024


def _without(base: dict, *left_out: str) -> dict:
    return {path: order for path, order in base.items() if path not in left_out}


# What the crawl does not use is left out of Scrapy's base lists, rather than
# switched off in ours: Scrapy imports every component a list names, even one
# set to None (the remote-control extension imports aiohttp, the cookies
# middleware tldextract: a tenth of a second at every start), and each
# middleware left in costs every response a pass. Left out: logins, cookies,
# proxies, the telnet and remote consoles, Referer headers, URL length and
# depth limits, and the meta-copy check (a development aid).
EXTENSIONS_BASE = _without(
    scrapy_defaults.EXTENSIONS_BASE,
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
)
SPIDER_MIDDLEWARES_BASE = _without(
    scrapy_defaults.SPIDER_MIDDLEWARES_BASE,
    "scrapy.spidermiddlewares.referer.RefererMiddleware",
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
)
DOWNLOADER_MIDDLEWARES_BASE = _without(
    scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware",
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
)
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's, with one robots.txt request per host (it takes the place of
    # the one left out above).
    "psgscraper.crawl.middlewares.SharedRobotsTxtMiddleware": 100,
    # Before Scrapy's retries (550): a 429 or 503 waits for its Retry-After.
    "psgscraper.crawl.middlewares.RetryAfterMiddleware": 560,
    # Next to the downloader: every response as received, each attempt.
    "psgscraper.crawl.middlewares.CaptureMiddleware": 950,
}
# The WARC file that keeps this crawl's requests and responses (none if empty),
# and the fields of its warcinfo record. `psg crawl` sets the file and opens
# it with its own fields; a plain `scrapy crawl` may give both (CrawlLife).
PSG_WARC = ""
PSG_WARC_INFO: dict[str, str] = {}

# Scrapy hands a response's outputs to the pipeline through this many tasks;
# its default (100) starts a hundred tasks for every response, and the
# pipeline, which writes to SQLite, runs one at a time in any case.
CONCURRENT_ITEMS = 4
