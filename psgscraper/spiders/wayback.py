"""The old site from a web archive: every capture of its listings, each read once.

The crawl first lists the captures through the archive's CDX server (the
news and articles listings with every `?position=`, the home page as `/` and
`index.php`), page by page, then fetches the captures it has not recorded
before, oldest first, one at a time, so that an item's text is replaced in the
order the site changed it. A capture whose content (digest) was read already
is not fetched again: what that content showed is seen again at its time.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy

from ..archive import PARSED, REDIRECT, SAME_CONTENT, SKIPPED
from ..items import CaptureSeen
from ..middlewares import CAPTURED_AT
from ..parse.cdx import CDX_FIELDS, CdxCapture, parse_cdx
from ..parse.links import (
    capture_timestamp,
    replay_url,
    section_from_url,
    stamp_time,
    strip_archive_prefix,
    urlkey,
)
from ..site import SITE_HOSTS, WAYBACK_CDX, WAYBACK_REPLAY
from ..warc import archive_time
from .base import ArchiveSpider, describe_failure

# What is listed of each host: the listings with all their pages, the home page.
TARGETS = (
    ("news", "news.php", "prefix"),
    ("articles", "articles.php", "prefix"),
    ("home", "", "exact"),
    ("home", "index.php", "exact"),
)
CDX_PAGE_SIZE = 1000
HTML_TYPES = ("text/html", "application/xhtml+xml")
# CDX types worth a fetch: HTML, the archive's "unknown" (a page sent with no
# type), and a revisit record (the same payload as an earlier capture).
FETCHED_TYPES = (*HTML_TYPES, "unk", "warc/revisit")
REDIRECTS = (301, 302, 303, 307, 308)


class WaybackSpider(ArchiveSpider):
    """Lists a web archive's captures of the site and reads the new ones.

    Arguments: `cdx_url` and `replay_url` (the Wayback Machine's by default;
    a private pywb, or the mirror's emulation), `sections` (news, articles,
    home: the listings and home page to list), `since` and `until` (CDX
    `from` and `to`: YYYY, YYYYMM, ... up to 14 digits), `page_size` (rows per
    CDX answer) and `max_pages` (captures fetched at most, oldest first; a
    rerun goes on from there).
    """

    name = "wayback"

    def __init__(
        self,
        cdx_url: str | None = None,
        replay_url: str | None = None,
        since: str | None = None,
        until: str | None = None,
        page_size: str | int | None = None,
        sections: str = "news,articles,home",
        **kwargs,
    ) -> None:
        replay_url = replay_url or kwargs.get("base_url") or WAYBACK_REPLAY
        kwargs["base_url"] = replay_url
        super().__init__(**kwargs)
        self.cdx_url = cdx_url or WAYBACK_CDX
        self.replay_root = replay_url
        self.since, self.until = since or None, until or None
        self.page_size = int(page_size or CDX_PAGE_SIZE)
        self.sections = tuple(s for s in sections.split(",") if s)
        self.queries = [
            (path, match, host)
            for section, path, match in TARGETS
            if section in self.sections
            for host in SITE_HOSTS
        ]
        self.listed: dict[tuple[str, str], CdxCapture] = {}
        self._hosts_listed: dict[tuple[str, str], set[str]] = {}
        self._listed_keys: set[str] = set()  # the URLs listed, as CDX keys
        # What the first capture of each digest fetched gave (None until read),
        # and the captures of the same content waiting for it.
        self._first_read: dict[str, CaptureSeen | None] = {}
        self._waiting: dict[str, list[CaptureSeen]] = {}

    # -- listing the captures ---------------------------------------------------

    async def start(self):
        yield self._next_query()

    def cdx_request(self, query: tuple[str, str, str], resume_key: str | None = None):
        path, match, host = query
        params = [
            ("url", f"{host}/{path}"),
            ("matchType", match),
            ("output", "json"),
            ("fl", ",".join(CDX_FIELDS)),
            ("collapse", "digest"),
            ("limit", str(self.page_size)),
            ("showResumeKey", "true"),
        ]
        params += [("from", self.since)] if self.since else []
        params += [("to", self.until)] if self.until else []
        params += [("resumeKey", resume_key)] if resume_key else []
        return scrapy.Request(
            f"{self.cdx_url}?{urlencode(params)}",
            callback=self.parse_cdx,
            errback=self.cdx_failed,
            cb_kwargs={"query": query},
            dont_filter=True,  # a query asked again after a failure is no dupe
        )

    def parse_cdx(self, response, query):
        page = parse_cdx(response.body)
        if page.reason:
            self.failures.append(f"{response.url}: {page.reason}")
        hosts = self._hosts_listed.setdefault(query[:2], set())
        for capture in page.captures:
            self.listed.setdefault((capture.original, capture.timestamp), capture)
            hosts.add(_host(capture.original))
        if page.resume_key:
            yield self.cdx_request(query, page.resume_key)
            return
        self._answered(query)
        yield from self._after_query()

    def cdx_failed(self, failure):
        retried = list(self.failed(failure))
        yield from retried
        if not retried and self.stopped_by is None:
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
        self._listed_keys = {urlkey(c.original) for c in self.listed.values()}
        archive = self.archive()
        recorded = archive.listed_captures() if archive is not None else set()
        new = sorted(
            (c for key, c in self.listed.items() if key not in recorded),
            key=lambda c: (c.timestamp, c.original),
        )
        read_before = archive.parsed_digests(c.digest for c in new) if archive else {}
        fetched = 0
        for order, capture in enumerate(new):
            seen = self._judge(capture, read_before)
            if seen is not None:
                yield seen
                continue
            if capture.digest in self._first_read:  # fetched in this crawl
                same = self._same_as_first(capture)
                first = self._first_read[capture.digest]
                if first is None:  # not read yet
                    self._waiting.setdefault(capture.digest, []).append(same)
                else:
                    yield _like(same, first)
                continue
            if self.max_pages is not None and fetched >= self.max_pages:
                continue  # left for the next run
            fetched += 1
            if _status_class(capture) != 3:  # a redirect's body says nothing
                self._first_read[capture.digest] = None
            yield self._capture_request(capture, priority=-order)

    def _judge(self, capture: CdxCapture, read_before: dict[str, str]):
        """What a capture is without fetching it, or None if it must be fetched."""
        url = replay_url(self.replay_root, capture.timestamp, capture.original)
        section = section_from_url(capture.original)

        def skipped(note: str) -> CaptureSeen:
            return self._seen(capture, url, SKIPPED, section=section, note=note)

        if section is None:
            return skipped("not a page of the newsletter's listings")
        if _status_class(capture) in (4, 5):
            return skipped(f"HTTP {capture.status} when captured")
        if _status_class(capture) == 3:
            return None
        if capture.mimetype not in FETCHED_TYPES:
            return skipped(f"not HTML ({capture.mimetype})")
        if capture.digest in read_before:
            return self._seen(
                capture,
                url,
                SAME_CONTENT,
                section=section,
                same_as=read_before[capture.digest],
            )
        return None

    def _capture_request(self, capture: CdxCapture, priority: int):
        meta = {}
        if _status_class(capture) == 3:  # where it leads is read, not followed
            meta = {"dont_redirect": True, "handle_httpstatus_list": list(REDIRECTS)}
        return scrapy.Request(
            replay_url(self.replay_root, capture.timestamp, capture.original),
            callback=self.parse_capture,
            errback=self.capture_failed,
            cb_kwargs={
                "capture": capture,
                "section": section_from_url(capture.original),
            },
            meta=meta,
            priority=priority,  # oldest first
            dont_filter=True,
        )

    async def parse_capture(self, response, capture: CdxCapture, section: str):
        if response.status in REDIRECTS:
            for output in self._redirect(response, capture, section):
                yield output
            return
        seen, requests = await self._read_capture(response, capture, section)
        for output in (*requests, seen):
            yield output
        self._first_read[capture.digest] = seen
        for same in self._waiting.pop(capture.digest, []):
            yield _like(same, seen)

    async def _read_capture(self, response, capture: CdxCapture, section: str):
        """What a fetched capture gave, and the item pages it asks for."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if content_type and not content_type.lower().startswith(HTML_TYPES):
            note = f"not HTML ({content_type})"
            return self._fetched(response, capture, SKIPPED, section, note=note), []
        listing, page = await self.read_page(response, section)
        if not listing.items:
            note = f"{listing.reason}: an error page or another layout"
            return self._fetched(response, capture, SKIPPED, section, note=note), []
        requests = self.full_text_requests(response, listing)
        return self._fetched(response, capture, PARSED, section, page=page), requests

    def _redirect(self, response, capture: CdxCapture, section: str):
        """A 3xx capture: where it leads, fetched if no listed capture is there."""
        location = response.headers.get("Location", b"").decode("latin-1")
        if not location:
            yield self._fetched(
                response,
                capture,
                SKIPPED,
                section,
                note="a redirect without a Location",
            )
            return
        target = urljoin(response.url, location)
        original = strip_archive_prefix(target)
        if urlkey(original) in self._listed_keys:
            yield self._fetched(
                response,
                capture,
                REDIRECT,
                section,
                note=f"to {original}, whose captures are read on their own",
            )
            return
        moved_to = section_from_url(original)
        if moved_to is None:
            note = f"to {original}, not a page of the newsletter's listings"
        else:
            note = f"to {original}, read from the capture there"
        yield self._fetched(response, capture, REDIRECT, section, note=note)
        if moved_to is not None:
            yield scrapy.Request(
                target,
                callback=self.parse_target,
                errback=self.failed,
                cb_kwargs={"section": moved_to},
                dont_filter=True,
            )

    async def parse_target(self, response, section: str):
        """A page a redirect capture led to, outside the captures listed."""
        timestamp = capture_timestamp(response.url)
        capture = CdxCapture(
            timestamp or "",
            strip_archive_prefix(response.url),
            str(response.status),
            response.headers.get("Content-Type", b"").decode("latin-1"),
            _digest(response.body),
        )
        if timestamp is None or (capture.original, timestamp) in self.listed:
            return  # not a capture, or one read on its own
        self.listed[(capture.original, timestamp)] = capture
        async for output in self.parse_capture(response, capture, section):
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
            self._forget(capture.digest)
            yield self._fetched(
                response,
                capture,
                SKIPPED,
                failure.request.cb_kwargs["section"],
                note=f"the archive cannot replay it ({describe_failure(failure)})",
            )
            return
        retries = list(self.failed(failure))
        if not retries:
            self._forget(capture.digest)
        yield from retries

    def _forget(self, digest: str) -> None:
        """A capture not had: its content is fetched from the next capture of it
        this crawl lists; those that waited for it are left for the next run."""
        self._first_read.pop(digest, None)
        self._waiting.pop(digest, None)

    # -- what became of a capture ------------------------------------------------

    def _seen(self, capture: CdxCapture, url: str, outcome: str, **fields):
        captured = stamp_time(capture.timestamp)
        return CaptureSeen(capture, url, outcome, captured, **fields)

    def _fetched(self, response, capture, outcome, section, **fields):
        arrived = response.meta.get(CAPTURED_AT)
        return self._seen(
            capture,
            response.url,
            outcome,
            section=section,
            fetched_at=archive_time(arrived) if arrived else None,
            **fields,
        )

    def _same_as_first(self, capture: CdxCapture) -> CaptureSeen:
        url = replay_url(self.replay_root, capture.timestamp, capture.original)
        section = section_from_url(capture.original)
        return self._seen(capture, url, SAME_CONTENT, section=section)


def _like(same: CaptureSeen, first: CaptureSeen) -> CaptureSeen:
    """A capture of the same content as `first`: seen again, or skipped as it was."""
    if first.outcome == PARSED:
        return replace(same, same_as=first.url)
    return replace(same, outcome=SKIPPED, note=f"as {first.url}: {first.note}")


def _status_class(capture: CdxCapture) -> int | None:
    return capture.status // 100 if capture.status is not None else None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _digest(body: bytes) -> str:
    """A payload's digest as the CDX server gives it (base32 SHA-1)."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode()
