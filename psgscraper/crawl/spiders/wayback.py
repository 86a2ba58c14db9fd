"""The old site from a web archive: every capture of its listings, each read once.

The crawl first lists the captures through the archive's CDX server (the
news and articles listings with every `?position=`, the home page as `/` and
`index.php`), page by page, then fetches the captures it has not recorded
before, oldest first, one at a time. Which captures are fetched, and what
became of each, is `psgscraper.read.CaptureReading`'s to say.
"""

from __future__ import annotations

from urllib.parse import urlencode

import scrapy

from ...parse.cdx import CDX_FIELDS, DIALECTS, IA, PYWB, CdxCapture, parse_cdx
from ...parse.links import section_from_url
from ...read import CaptureReading, parse_fetched_listing
from ...read.captures import REDIRECTS, host_of, is_html, is_redirect
from ...site import (
    ARTICLES,
    HOME,
    NEWS,
    SECTIONS,
    SITE_HOSTS,
    WAYBACK_CDX,
    WAYBACK_REPLAY,
)
from .base import ArchiveSpider, describe_failure, fetched_from

# What is listed of each host: the listings with all their pages, the home page.
TARGETS = (
    (NEWS, "news.php", "prefix"),
    (ARTICLES, "articles.php", "prefix"),
    (HOME, "", "exact"),
    (HOME, "index.php", "exact"),
)
CDX_PAGE_SIZE = 1000
# The download slot of the CDX requests: their own pace (DOWNLOAD_SLOTS),
# apart from the replay's, which AutoThrottle does not change.
CDX_SLOT = "cdx"


class WaybackSpider(ArchiveSpider):
    """Lists a web archive's captures of the site and reads the new ones.

    Arguments: `cdx_url` and `replay_url` (the Wayback Machine's by default;
    a pywb collection's `.../COLL/cdx` and `.../COLL/`, or the mirror's
    emulation), `cdx_dialect` (`ia` or `pywb`; by default the first answer
    says), `sections` (news, articles, home: the listings and home page to
    list), `since` and `until` (CDX `from` and `to`: YYYY, YYYYMM, ... up to
    14 digits), `page_size` (rows per Internet Archive CDX answer) and
    `max_pages` (captures fetched at most, oldest first; a rerun goes on from
    there).
    """

    name = "wayback"

    def __init__(
        self,
        cdx_url: str | None = None,
        replay_url: str | None = None,
        since: str | None = None,
        until: str | None = None,
        page_size: str | int | None = None,
        sections: str = ",".join(SECTIONS),
        cdx_dialect: str | None = None,
        **kwargs,
    ) -> None:
        replay_url = replay_url or kwargs.get("base_url") or WAYBACK_REPLAY
        kwargs["base_url"] = replay_url
        super().__init__(**kwargs)
        self.cdx_url = cdx_url or WAYBACK_CDX
        self.since, self.until = since or None, until or None
        self.page_size = int(page_size or CDX_PAGE_SIZE)
        if cdx_dialect and cdx_dialect not in DIALECTS:
            raise ValueError(f"cdx_dialect must be one of {', '.join(DIALECTS)}")
        self.dialect = cdx_dialect or None  # None: as the first answer says
        self.sections = tuple(s for s in sections.split(",") if s)
        self.queries = [
            (path, match, host)
            for section, path, match in TARGETS
            if section in self.sections
            for host in SITE_HOSTS
        ]
        self.captures = CaptureReading(replay_url, max_fetches=self.max_pages)
        self._hosts_listed: dict[tuple[str, str], set[str]] = {}

    # -- listing the captures ---------------------------------------------------

    async def start(self):
        yield self._next_query()

    def cdx_request(self, query: tuple[str, str, str], **paging):
        """A CDX query in the server's dialect (the Internet Archive's until an
        answer says otherwise); `paging` is a `resume_key`, or a pywb `page`."""
        path, match, host = query
        params = [("url", f"{host}/{path}"), ("matchType", match), ("output", "json")]
        params += [("from", self.since)] if self.since else []
        params += [("to", self.until)] if self.until else []
        if self.dialect == PYWB:
            params += _pywb_paging(**paging)
        else:
            params += _internet_archive_paging(self.page_size, **paging)
        return scrapy.Request(
            f"{self.cdx_url}?{urlencode(params)}",
            callback=self.parse_cdx,
            errback=self.cdx_failed,
            cb_kwargs={"query": query, "asked_as": self.dialect or IA, **paging},
            meta={"download_slot": CDX_SLOT, "autothrottle_dont_adjust_delay": True},
            dont_filter=True,  # a query asked again after a failure is no dupe
        )

    def parse_cdx(
        self, response, query, asked_as, resume_key=None, page=None, pages=None
    ):
        answer = parse_cdx(response.body)
        if self.dialect is None and answer.dialect is not None:
            self.dialect = answer.dialect
        if self.dialect is not None and asked_as != self.dialect:
            # pywb, asked in the Internet Archive's dialect (whose field names
            # it drops): asked again in its own.
            yield self.cdx_request(query)
            return
        if answer.reason:
            self.life.fail(f"{response.url}: {answer.reason}")
        self.captures.listed(answer.captures)
        hosts = self._hosts_listed.setdefault(query[:2], set())
        hosts.update(host_of(capture.original) for capture in answer.captures)
        following = _next_cdx_page(answer, page, pages)
        if following is not None:
            yield self.cdx_request(query, **following)
            return
        self._answered(query)
        yield from self._after_query()

    def cdx_failed(self, failure):
        retried = list(self.failed(failure))
        yield from retried
        if not retried and self.life.stopped_by is None:
            yield from self._after_query()

    def _answered(self, query) -> None:
        """The host's other spelling need not be asked for when the answer for
        one holds captures of the other: the server keys both as one (the
        Wayback Machine drops `www.`), and has answered for both."""
        if self._hosts_listed[query[:2]] - {query[2]}:
            self.queries = [q for q in self.queries if q[:2] != query[:2]]

    def _next_query(self):
        return self.cdx_request(self.queries.pop(0))

    def _after_query(self):
        if self.queries:
            yield self._next_query()
        else:
            yield from self.read_captures()

    # -- reading them -----------------------------------------------------------

    def read_captures(self):
        """The captures not recorded before, oldest first: each digest once."""
        plan = self.captures.plan(self.held.listed_captures(), self.held.parsed_digests)
        for order, planned in enumerate(plan):
            if isinstance(planned, CdxCapture):
                yield self._capture_request(planned, priority=-order)
            else:
                yield planned

    def _capture_request(self, capture: CdxCapture, priority: int):
        meta = {}
        if is_redirect(capture):  # where it leads is read, not followed
            meta = {"dont_redirect": True, "handle_httpstatus_list": list(REDIRECTS)}
        return scrapy.Request(
            self.captures.replay_url(capture),
            callback=self.parse_capture,
            errback=self.capture_failed,
            cb_kwargs={"capture": capture},
            meta=meta,
            priority=priority,  # oldest first
            dont_filter=True,
        )

    async def parse_capture(self, response, capture: CdxCapture):
        fetched = fetched_from(response)
        if response.status in REDIRECTS:
            redirect = self.captures.redirected(capture, fetched)
            yield redirect.seen
            if redirect.target is not None:
                yield scrapy.Request(
                    redirect.target,
                    callback=self.parse_redirect_target,
                    errback=self.failed,
                    dont_filter=True,
                )
            return
        page = None
        if is_html(fetched):
            section = section_from_url(capture.original)
            listing = await self.parse_elsewhere(
                parse_fetched_listing, fetched, section
            )
            page = self.reader.page(listing, fetched.seen_at)
        seen, *same_content = self.captures.read(capture, fetched, page)
        if seen.page is not None:
            for request in self.full_text_requests(response, seen.page.listing):
                yield request
        yield seen
        for same in same_content:
            yield same

    async def parse_redirect_target(self, response):
        """A page a redirect capture led to, outside the captures listed."""
        capture = self.captures.redirect_target(fetched_from(response))
        if capture is None:
            return  # not a capture, or one read on its own
        async for output in self.parse_capture(response, capture):
            yield output

    def capture_failed(self, failure):
        """A capture that could not be had fails the crawl; a rerun tries again.

        An answer the archive gives for good (a 4xx other than 429) is
        recorded as skipped instead: the capture cannot be replayed.
        """
        capture = failure.request.cb_kwargs["capture"]
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        if status is not None and 400 <= status < 500 and status != 429:
            why = describe_failure(failure)
            yield self.captures.refused(capture, fetched_from(response), why)
            return
        retries = list(self.failed(failure))
        if not retries:
            self.captures.not_had(capture)
        yield from retries


def _internet_archive_paging(page_size: int, resume_key: str | None = None):
    """The Internet Archive's fields, collapsed by digest, paged by resume key."""
    return [
        ("fl", ",".join(CDX_FIELDS)),
        ("collapse", "digest"),
        ("limit", str(page_size)),
        ("showResumeKey", "true"),
        *([("resumeKey", resume_key)] if resume_key else []),
    ]


def _pywb_paging(page: int | None = None, pages: int | None = None):
    """pywb: no fuzzy matches of other URLs; a ZipNum index's page count, then
    each page (an index of another kind ignores both and answers in full)."""
    if page is None:
        return [("allowFuzzy", "false"), ("showNumPages", "true")]
    return [("allowFuzzy", "false"), ("page", str(page))]


def _next_cdx_page(answer, page: int | None, pages: int | None) -> dict | None:
    """How to ask for the rest of a query's answer, or None when it is whole."""
    if answer.resume_key:
        return {"resume_key": answer.resume_key}
    if answer.pages:  # a ZipNum index's count of pages: the first of them
        return {"page": 0, "pages": answer.pages}
    if page is not None and page + 1 < pages:
        return {"page": page + 1, "pages": pages}
    return None
