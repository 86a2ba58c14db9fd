"""The spiders' callbacks, Scrapy's way: a crawler from `get_crawler`, a
response built in the test, and what the callback yields."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import scrapy
from helpers import FIXTURES
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from psgscraper.crawl.extensions import CrawlLife
from psgscraper.crawl.spiders.home import HomeSpider
from psgscraper.crawl.spiders.listing import ListingSpider
from psgscraper.crawl.spiders.wayback import WaybackSpider
from psgscraper.crawl.spiders.wordpress import WordPressSpider
from psgscraper.read import CaptureSeen, Page, PostsPage

SITE = "http://www.perusupportgroup.org.uk/"


def make_spider(spider_class, tmp_path: Path, concurrency: int = 1, **arguments):
    settings = {"PSG_DB": str(tmp_path / "psg.db"),
                "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency}  # fmt: skip
    crawler = get_crawler(spider_class, {**_project_settings(), **settings})
    return spider_class.from_crawler(crawler, **arguments)


def _project_settings() -> dict:
    import psgscraper.crawl.settings as module

    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


def outputs(callback) -> list:
    """Everything an async callback yields."""

    async def collect():
        return [output async for output in callback]

    return asyncio.run(collect())


def html_response(url: str, body: bytes, status: int = 200, **meta) -> HtmlResponse:
    request = Request(url, meta={"captured_at": "2026-12-02T10:00:00.000000Z", **meta})
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return HtmlResponse(url, status=status, body=body, request=request, headers=headers)


def seed_page() -> bytes:
    return (FIXTURES / "seed-news-0.html").read_bytes()


def test_a_listing_page_yields_its_page_then_the_older_page(tmp_path):
    spider = make_spider(ListingSpider, tmp_path, base_url=SITE)
    response = html_response(f"{SITE}news.php", seed_page())
    page, older = outputs(spider.parse(response, section="news", page=1))
    assert isinstance(page, Page)
    assert len(page.listing.items) == 10
    assert page.seen_at == "2026-12-02T10:00:00+00:00"
    assert isinstance(older, scrapy.Request)
    assert older.url == f"{SITE}news.php?position=10"
    assert older.cb_kwargs == {"section": "news", "page": 2}


def test_a_full_crawl_asks_for_the_pages_the_older_link_predicts(tmp_path):
    spider = make_spider(ListingSpider, tmp_path, concurrency=4, base_url=SITE)
    response = html_response(f"{SITE}news.php", seed_page())
    _, *requests = outputs(spider.parse(response, section="news", page=1))
    # Four at a time, but no further than the pagination shows (position=20).
    assert [r.url for r in requests] == [
        f"{SITE}news.php?position={n}" for n in (10, 20)
    ]
    assert [r.cb_kwargs["page"] for r in requests] == [2, 3]
    last_shown = b'position=20">3</a> <a href="news.php?position=90">10</a>'
    body = seed_page().replace(b'position=20">3</a> ...', last_shown)
    page_3 = html_response(requests[1].url, body)
    _, *further = outputs(spider.parse(page_3, section="news", page=3))
    # From page 3 (the Older link says position=10, before it): one page on.
    assert [r.url for r in further] == [f"{SITE}news.php?position=10"]


def test_max_pages_stops_a_listing(tmp_path):
    spider = make_spider(ListingSpider, tmp_path, base_url=SITE, max_pages=1)
    response = html_response(f"{SITE}news.php", seed_page())
    assert [type(o) for o in outputs(spider.parse(response, "news", 1))] == [Page]


def test_full_text_asks_for_each_new_items_page_once(tmp_path):
    spider = make_spider(ListingSpider, tmp_path, base_url=SITE, full_text="1")
    response = html_response(f"{SITE}news.php", seed_page())
    first = outputs(spider.parse(response, section="news", page=1))
    again = outputs(spider.parse(response, section="news", page=1))
    item_pages = [o for o in first if _asks_item_page(spider, o)]
    assert len(item_pages) == 10
    assert item_pages[0].url == f"{SITE}article-1236.html"
    assert item_pages[0].cb_kwargs == {"item_id": "article-1236"}
    assert not [o for o in again if _asks_item_page(spider, o)]


def _asks_item_page(spider, output) -> bool:
    return (
        isinstance(output, scrapy.Request) and output.callback == spider.read_item_page
    )


@pytest.mark.parametrize("spider_class", [ListingSpider, HomeSpider])
def test_a_first_page_without_items_stops_the_crawl_saying_why(tmp_path, spider_class):
    spider = make_spider(spider_class, tmp_path, base_url=SITE)
    url = f"{SITE}news.php" if spider_class is ListingSpider else SITE
    response = html_response(url, b"<html><body><p>Moved.</p></body></html>")
    arguments = {"section": "news", "page": 1} if spider_class is ListingSpider else {}
    with pytest.raises(CloseSpider):
        outputs(spider.parse(response, **arguments))
    life = spider.crawler.get_extension(CrawlLife)
    assert len(life.failures) == 1
    assert life.failures[0].startswith(f"{url}: ")
    assert life.failures[0].endswith("the site's layout may have changed")


def test_a_page_past_the_end_yields_a_page_without_items_and_stops(tmp_path):
    spider = make_spider(ListingSpider, tmp_path, base_url=SITE)
    body = (FIXTURES / "news-past-end.html").read_bytes()
    response = html_response(f"{SITE}news.php?position=1600", body)
    (page,) = outputs(spider.parse(response, section="news", page=161))
    assert page.listing.items == ()
    assert spider.crawler.get_extension(CrawlLife).failures == []


def posts_response(url: str, body: bytes, status=200, **headers) -> TextResponse:
    request = Request(url, meta={"captured_at": "2026-12-02T10:00:00.000000Z"})
    headers = {"Content-Type": "application/json", **headers}
    return TextResponse(url, status=status, body=body, request=request, headers=headers)


def home_response(url: str, status=200, **headers) -> TextResponse:
    request = Request(url, meta={"captured_at": "2026-12-02T10:00:00.000000Z"})
    headers = {"Content-Type": "text/html", **headers}
    body = b"<html><head><title>PSG</title></head><body></body></html>"
    return TextResponse(url, status=status, body=body, request=request, headers=headers)


@pytest.mark.parametrize(
    ("api_root", "first_page"),
    [
        (f"{SITE}wp-json/", f"{SITE}wp-json/wp/v2/posts?per_page=100&page=1"),
        (
            f"{SITE}index.php?rest_route=/",
            f"{SITE}index.php?rest_route=/wp/v2/posts&per_page=100&page=1",
        ),
    ],
)
def test_wordpress_is_asked_where_its_api_is_then_by_that_route(
    tmp_path, api_root, first_page
):
    spider = make_spider(WordPressSpider, tmp_path, base_url=SITE)
    (home,) = outputs(spider.start())
    assert home.url == SITE
    link = f'<{api_root}>; rel="https://api.w.org/"'
    (first,) = outputs(spider.find_api(home_response(SITE, Link=link)))
    assert first.url.startswith(first_page)
    assert "orderby=id&order=asc" in first.url


def test_a_site_naming_no_api_fails_saying_so(tmp_path):
    spider = make_spider(WordPressSpider, tmp_path, base_url=SITE)
    assert outputs(spider.find_api(home_response(SITE, 404))) == []
    (failure,) = spider.crawler.get_extension(CrawlLife).failures
    assert failure.startswith(f"{SITE}: HTTP 404, no WordPress API named there")


def wordpress_spider_at_its_api(tmp_path) -> WordPressSpider:
    spider = make_spider(WordPressSpider, tmp_path, base_url=SITE)
    spider.api_root = f"{SITE}wp-json/"
    return spider


def test_a_wordpress_page_yields_its_posts_and_asks_for_every_other_page(tmp_path):
    spider = wordpress_spider_at_its_api(tmp_path)
    body = (FIXTURES / "wordpress" / "posts-page.json").read_bytes()
    url = f"{SITE}wp-json/wp/v2/posts?per_page=100&page=1"
    response = posts_response(url, body, **{"X-WP-TotalPages": "3"})
    posts, *pages = outputs(spider.parse(response, page=1))
    assert isinstance(posts, PostsPage)
    assert len(posts.posts) == len(json.loads(body))
    assert [r.cb_kwargs["page"] for r in pages] == [2, 3]


@pytest.mark.parametrize(("counted", "failures"), [("3", 0), ("2", 0), ("4", 1)])
def test_the_posts_read_are_checked_against_the_count_the_api_gives(
    tmp_path, counted, failures
):
    spider = wordpress_spider_at_its_api(tmp_path)
    body = (FIXTURES / "wordpress" / "posts-page.json").read_bytes()
    assert len(json.loads(body)) == 3
    url = f"{SITE}wp-json/wp/v2/posts?per_page=100&page=1"
    headers = {"X-WP-TotalPages": "1", "X-WP-Total": counted}
    outputs(spider.parse(posts_response(url, body, **headers), page=1))
    life = spider.crawler.get_extension(CrawlLife)
    assert len(life.failures) == failures
    if failures:
        assert "read 3 of the 4 posts the site counts (X-WP-Total)" in life.failures[0]


def test_wordpress_past_the_last_page_ends_quietly_an_error_fails(tmp_path):
    spider = wordpress_spider_at_its_api(tmp_path)
    end = (FIXTURES / "wordpress" / "past-the-last-page.json").read_bytes()
    url = f"{SITE}wp-json/wp/v2/posts?page=4"
    assert outputs(spider.parse(posts_response(url, end, 400), 4)) == []
    life = spider.crawler.get_extension(CrawlLife)
    assert life.failures == []
    assert outputs(spider.parse(posts_response(url, b"oops", 500), 4)) == []
    assert life.failures == [f"{url}: HTTP 500 (not JSON)"]


CDX = "http://archive.test/cdx/search/cdx"
REPLAY = "http://archive.test/"


def cdx_response(request: scrapy.Request, rows: list) -> TextResponse:
    return TextResponse(request.url, body=json.dumps(rows).encode(), request=request)


def test_the_wayback_spider_pages_the_cdx_answer_then_fetches_oldest_first(tmp_path):
    spider = make_spider(WaybackSpider, tmp_path, cdx_url=CDX, replay_url=REPLAY,
                         sections="news")  # fmt: skip
    (query,) = outputs(spider.start())
    assert "url=www.perusupportgroup.org.uk%2Fnews.php" in query.url
    assert "matchType=prefix" in query.url
    header = ["timestamp", "original", "statuscode", "mimetype", "digest"]
    news = "http://www.perusupportgroup.org.uk/news.php"
    later = ["20190401000000", news, "200", "text/html", "B"]
    earlier = ["20190101000000", news, "200", "text/html", "A"]
    image = ["20190201000000", news + "?x.gif", "200", "image/gif", "C"]
    (next_page,) = spider.parse_cdx(
        cdx_response(query, [header, later, [], ["KEY"]]), **query.cb_kwargs
    )
    assert "resumeKey=KEY" in next_page.url
    # The bare host is asked too: the answer held only www. captures.
    (bare,) = spider.parse_cdx(
        cdx_response(next_page, [header, earlier, image]), **next_page.cb_kwargs
    )
    assert "url=perusupportgroup.org.uk%2Fnews.php" in bare.url
    first, skipped, second = spider.parse_cdx(
        cdx_response(bare, [header]), **bare.cb_kwargs
    )
    assert isinstance(skipped, CaptureSeen) and skipped.note == "not HTML (image/gif)"
    assert [first.url, second.url] == [
        f"{REPLAY}web/20190101000000id_/{news}",
        f"{REPLAY}web/20190401000000id_/{news}",
    ]
    assert first.priority > second.priority  # oldest first


def pywb_response(request: scrapy.Request, lines: list[dict]) -> TextResponse:
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return TextResponse(request.url, body=body, request=request)


def test_a_pywb_answer_turns_the_queries_to_its_dialect_and_its_pages(tmp_path):
    spider = make_spider(WaybackSpider, tmp_path, cdx_url=CDX, replay_url=REPLAY,
                         sections="news")  # fmt: skip
    (query,) = outputs(spider.start())
    assert "fl=" in query.url and "showResumeKey=true" in query.url
    news = "http://www.perusupportgroup.org.uk/news.php"
    row = {"timestamp": "20190101000000", "url": news, "status": "200",
           "mime": "text/html", "digest": "A"}  # fmt: skip
    (again,) = spider.parse_cdx(pywb_response(query, [row]), **query.cb_kwargs)
    # Asked again as pywb pages: no Internet Archive fields, no fuzzy matches.
    assert "fl=" not in again.url and "showResumeKey" not in again.url
    assert "allowFuzzy=false" in again.url and "showNumPages=true" in again.url
    pages = pywb_response(again, [{"pages": 2, "pageSize": 10, "blocks": 12}])
    (first,) = spider.parse_cdx(pages, **again.cb_kwargs)
    assert "page=0" in first.url
    (second,) = spider.parse_cdx(pywb_response(first, [row]), **first.cb_kwargs)
    assert "page=1" in second.url
    (bare_host,) = spider.parse_cdx(pywb_response(second, []), **second.cb_kwargs)
    assert "url=perusupportgroup.org.uk%2Fnews.php" in bare_host.url
    assert "showNumPages=true" in bare_host.url  # the dialect is known now
