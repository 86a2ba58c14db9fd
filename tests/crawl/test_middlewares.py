"""The project's downloader middlewares and duplicate filter, on requests and
responses built in the test."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

import psgscraper.crawl.settings as project
from psgscraper.crawl.extensions import CrawlLife
from psgscraper.crawl.middlewares import (
    CaptureMiddleware,
    RedirectsThroughDupeFilter,
    RetryAfterMiddleware,
    retry_after,
)
from psgscraper.warc import CrawlWarc


def crawler_with(**settings):
    base = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return get_crawler(settings_dict={**base, **settings})


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(b"7", 7.0), (b" 0 ", 0.0), (b"", None), (None, None), (b"soon", None),
     (b"-3", None)],
)  # fmt: skip
def test_retry_after_reads_seconds(header, seconds):
    assert retry_after(header) == seconds


def test_retry_after_reads_an_http_date():
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    wait = retry_after(format_datetime(when, usegmt=True).encode())
    assert 28 <= wait <= 30
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    assert retry_after(format_datetime(past, usegmt=True).encode()) == 0.0


class Waits(RetryAfterMiddleware):
    """The middleware, noting its waits instead of sleeping."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.waited: list[float] = []

    async def _wait(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.mark.parametrize(
    ("status", "headers", "retries", "waited"),
    [
        (429, {"Retry-After": "5"}, 0, [5.0]),
        (503, {"Retry-After": "5"}, 1, [5.0]),
        (429, {}, 0, [2.0]),  # 2, 4, 8 ... seconds by the retries so far
        (429, {}, 2, [8.0]),
        (429, {"Retry-After": "121"}, 0, []),  # longer than the most it waits
        (500, {"Retry-After": "5"}, 0, []),
        (200, {}, 0, []),
    ],
)
def test_a_429_or_503_is_given_the_time_it_asks(status, headers, retries, waited):
    middleware = Waits(crawler_with(PSG_MAX_RETRY_AFTER=120))
    request = Request("http://host.test/news.php", meta={"retry_times": retries})
    response = Response(request.url, status=status, headers=headers, request=request)
    assert asyncio.run(middleware.process_response(request, response)) is response
    assert middleware.waited == waited


def test_a_redirect_is_never_filtered_as_a_duplicate():
    dupes = RedirectsThroughDupeFilter()
    page = Request("http://host.test/news.php")
    assert not dupes.request_seen(page)
    assert dupes.request_seen(Request("http://host.test/news.php"))
    redirected = Request(
        "http://host.test/news.php",
        meta={"redirect_urls": ["http://host.test/a"]},
    )
    assert not dupes.request_seen(redirected)


def test_every_response_is_dated_and_kept_in_the_warc(tmp_path: Path):
    warc = tmp_path / "crawl.warc.gz"
    crawler = crawler_with(PSG_WARC=str(warc), PSG_WARC_INFO={"psg-crawl": "1"})
    middleware = CaptureMiddleware(crawler)
    request = Request("http://host.test/news.php?position=10")
    response = Response(
        request.url,
        status=503,
        headers={"Content-Type": "text/html"},
        body=b"busy",
        request=request,
    )
    assert middleware.process_response(request, response) is response
    captured_at = request.meta["captured_at"]
    assert captured_at.endswith("Z") and len(captured_at) == 27
    crawler.get_extension(CrawlLife).warc.release({"status": "ok"})
    read = CrawlWarc.open(warc)
    (kept,) = list(read.responses())
    assert (kept.url, kept.status, kept.body, kept.captured_at) == (
        request.url,
        503,
        b"busy",
        captured_at,
    )
    assert read.info["psg-crawl"] == "1"
    assert read.outcome == {"status": "ok"}
