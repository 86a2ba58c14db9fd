"""A web archive's captures of the site, as one crawl reads them.

The crawl lists the captures (CDX), then reads those it has not recorded
before, oldest first, so that an item's text is replaced in the order the
site changed it. A capture is fetched only if it can show the newsletter and
its content (digest) was not read before: the others are known from their
CDX row alone (skipped: an error, not HTML, not a listing page; or the same
content as a capture read already, seen again at its own time). What became
of each is a CaptureSeen, which the archive keeps in `captures`.

`CaptureReading` holds these decisions; the Wayback spider asks it what to
fetch and tells it what came back, and `psg reparse` does the same with the
responses a WARC file kept, so both record the same captures.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urljoin, urlsplit

from ..archive import PARSED, REDIRECT, SAME_CONTENT, SKIPPED
from ..fetched import Fetched, archive_time
from ..parse.cdx import CdxCapture
from ..parse.links import (
    capture_timestamp,
    replay_url,
    section_from_url,
    stamp_time,
    strip_archive_prefix,
    urlkey,
)
from .pages import Page

HTML_TYPES = ("text/html", "application/xhtml+xml")
# CDX types worth a fetch: HTML, the archive's "unknown" (a page sent with no
# type), and a revisit record (the same payload as an earlier capture).
FETCHED_TYPES = (*HTML_TYPES, "unk", "warc/revisit")
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class CaptureSeen:
    """A web-archive capture the crawl listed, and what became of it.

    `url` is where its bytes are (or would be) replayed; `outcome` is one of
    the archive's PARSED, SAME_CONTENT, REDIRECT, SKIPPED, with `page` the
    page read from it and `same_content_as` the replay URL of a capture read
    before with the same content.
    """

    capture: CdxCapture
    url: str
    outcome: str
    captured: str  # the capture time, as the archive writes times
    section: str | None = None
    page: Page | None = None
    fetched_at: str | None = None
    note: str | None = None
    same_content_as: str | None = None


@dataclass(frozen=True)
class Redirect:
    """What a 3xx capture was, and the capture it leads to if that is read."""

    seen: CaptureSeen
    target: str | None = None  # replay URL to fetch, or None
    target_section: str | None = None


class CaptureReading:
    """One crawl's captures: the listed ones, which to fetch, and what each gave.

    `listed()` the CDX rows; `plan()` then says, oldest first, what each new
    capture is without a fetch, or that it must be fetched. A fetched capture
    is told back with `read()` (or `redirected()`, `refused()`, `not_had()`);
    the captures of the same content that waited for it follow it.
    """

    def __init__(self, replay_root: str, max_fetches: int | None = None) -> None:
        self.replay_root = replay_root
        self.max_fetches = max_fetches
        self.captures: dict[tuple[str, str], CdxCapture] = {}
        self._listed_urls: set[str] = set()  # as CDX keys
        # What the first capture of each digest fetched gave (None until
        # read), and the captures of the same content waiting for it.
        self._first_read: dict[str, CaptureSeen | None] = {}
        self._waiting: dict[str, list[CaptureSeen]] = {}

    def listed(self, captures: Iterable[CdxCapture]) -> None:
        for capture in captures:
            self.captures.setdefault((capture.original, capture.timestamp), capture)

    def replay_url(self, capture: CdxCapture) -> str:
        return replay_url(self.replay_root, capture.timestamp, capture.original)

    # -- what to fetch -------------------------------------------------------------

    def plan(
        self,
        recorded: set[tuple[str, str]],
        parsed_digests: Callable[[Iterable[str]], dict[str, str]],
    ) -> Iterator[CaptureSeen | CdxCapture]:
        """The captures not `recorded` before, oldest first: each one's outcome
        when known without a fetch, or the capture itself when it is to be
        fetched. `parsed_digests` names, of the digests given, those a
        capture was read for before, with that capture's replay URL.
        """
        self._listed_urls = {urlkey(c.original) for c in self.captures.values()}
        new = sorted(
            (c for key, c in self.captures.items() if key not in recorded),
            key=lambda c: (c.timestamp, c.original),
        )
        read_before = parsed_digests(c.digest for c in new)
        fetches = 0
        for capture in new:
            known = self._known_unfetched(capture, read_before)
            if known is not None:
                yield known
                continue
            if capture.digest in self._first_read:  # fetched in this crawl
                same = self._seen(capture, SAME_CONTENT)
                first = self._first_read[capture.digest]
                if first is None:  # not read yet
                    self._waiting.setdefault(capture.digest, []).append(same)
                else:
                    yield like_first(same, first)
                continue
            if self.max_fetches is not None and fetches >= self.max_fetches:
                continue  # left for the next run
            fetches += 1
            if not is_redirect(capture):  # a redirect's body says nothing
                self._first_read[capture.digest] = None
            yield capture

    def _known_unfetched(
        self, capture: CdxCapture, read_before: dict[str, str]
    ) -> CaptureSeen | None:
        """What a capture is from its CDX row alone, or None if it must be fetched."""
        if section_from_url(capture.original) is None:
            return self._seen(
                capture, SKIPPED, note="not a page of the newsletter's listings"
            )
        if _status_class(capture) in (4, 5):
            return self._seen(
                capture, SKIPPED, note=f"HTTP {capture.status} when captured"
            )
        if is_redirect(capture):
            return None
        if capture.mimetype not in FETCHED_TYPES:
            return self._seen(capture, SKIPPED, note=f"not HTML ({capture.mimetype})")
        if capture.digest in read_before:
            return self._seen(
                capture, SAME_CONTENT, same_content_as=read_before[capture.digest]
            )
        return None

    # -- what came back ------------------------------------------------------------

    def read(
        self, capture: CdxCapture, fetched: Fetched, page: Page | None
    ) -> list[CaptureSeen]:
        """A fetched capture (`page` read from it, if it is HTML), then the
        captures of the same content that waited for it."""
        seen = self.outcome(capture, fetched, page)
        self._first_read[capture.digest] = seen
        waiting = self._waiting.pop(capture.digest, [])
        return [seen, *(like_first(same, seen) for same in waiting)]

    def outcome(
        self, capture: CdxCapture, fetched: Fetched, page: Page | None
    ) -> CaptureSeen:
        """What a fetched capture gave: its page, or why it gave none."""
        if page is None:
            note = f"not HTML ({fetched.content_type})"
            return self._fetched(capture, fetched, SKIPPED, note=note)
        if not page.listing.items:
            note = f"{page.listing.reason}: an error page or another layout"
            return self._fetched(capture, fetched, SKIPPED, note=note)
        return self._fetched(capture, fetched, PARSED, page=page)

    def redirected(self, capture: CdxCapture, fetched: Fetched) -> Redirect:
        """A 3xx capture: where it leads, and whether the capture there is read
        from here (when no listed capture is there)."""
        location = fetched.location
        if not location:
            note = "a redirect without a Location"
            return Redirect(self._fetched(capture, fetched, SKIPPED, note=note))
        target = urljoin(fetched.url, location)
        original = strip_archive_prefix(target)
        if original == target:  # pywb keeps the Location as the site sent it
            target = self.replay_url(replace(capture, original=original))
        if urlkey(original) in self._listed_urls:
            note = f"to {original}, whose captures are read on their own"
            return Redirect(self._fetched(capture, fetched, REDIRECT, note=note))
        moved_to = section_from_url(original)
        if moved_to is None:
            note = f"to {original}, not a page of the newsletter's listings"
            return Redirect(self._fetched(capture, fetched, REDIRECT, note=note))
        note = f"to {original}, read from the capture there"
        seen = self._fetched(capture, fetched, REDIRECT, note=note)
        return Redirect(seen, target, moved_to)

    def redirect_target(self, fetched: Fetched) -> CdxCapture | None:
        """The capture a redirect led to, unless it is not one or was listed."""
        timestamp = capture_timestamp(fetched.url)
        capture = CdxCapture(
            timestamp or "",
            strip_archive_prefix(fetched.url),
            str(fetched.status),
            fetched.content_type or "",
            payload_digest(fetched.body),
        )
        if timestamp is None or (capture.original, timestamp) in self.captures:
            return None
        self.captures[(capture.original, timestamp)] = capture
        return capture

    def refused(self, capture: CdxCapture, fetched: Fetched, why: str) -> CaptureSeen:
        """A capture the archive answers for good that it cannot replay."""
        self.not_had(capture)
        note = f"the archive cannot replay it ({why})"
        return self._fetched(capture, fetched, SKIPPED, note=note)

    def not_had(self, capture: CdxCapture) -> None:
        """A capture not had: its content is fetched from the next capture of it
        this crawl lists; those that waited for it are left for the next run."""
        self._first_read.pop(capture.digest, None)
        self._waiting.pop(capture.digest, None)

    # -- outcomes ------------------------------------------------------------------

    def _seen(self, capture: CdxCapture, outcome: str, **fields) -> CaptureSeen:
        return CaptureSeen(
            capture,
            self.replay_url(capture),
            outcome,
            stamp_time(capture.timestamp),
            section=section_from_url(capture.original),
            **fields,
        )

    def _fetched(
        self, capture: CdxCapture, fetched: Fetched, outcome: str, **fields
    ) -> CaptureSeen:
        arrived = fetched.captured_at
        return replace(
            self._seen(capture, outcome, **fields),
            url=fetched.url,
            fetched_at=archive_time(arrived) if arrived else None,
        )


def like_first(same: CaptureSeen, first: CaptureSeen) -> CaptureSeen:
    """A capture of the same content as `first`: seen again, or skipped as it was."""
    if first.outcome == PARSED:
        return replace(same, same_content_as=first.url)
    return replace(same, outcome=SKIPPED, note=f"as {first.url}: {first.note}")


def is_redirect(capture: CdxCapture) -> bool:
    return _status_class(capture) == 3


def is_html(fetched: Fetched) -> bool:
    """A capture's answer worth parsing: HTML, or sent with no type."""
    content_type = (fetched.content_type or "").lower()
    return not content_type or content_type.startswith(HTML_TYPES)


def payload_digest(body: bytes) -> str:
    """A payload's digest as the CDX server gives it (base32 SHA-1)."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode()


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _status_class(capture: CdxCapture) -> int | None:
    return capture.status // 100 if capture.status is not None else None


def web_archive_name(cdx_url: str) -> str:
    """A web archive's name when none is given: its CDX server's host and
    path, less the endpoint (`web.archive.org`, `127.0.0.1:8080/psg`)."""
    parts = urlsplit(cdx_url)
    path = re.sub(r"/cdx(?:/search/cdx)?/*$", "", parts.path).strip("/")
    return parts.netloc + (f"/{path}" if path else "")


def is_cdx_answer(url: str) -> bool:
    """A CDX server's answer, as a crawl asks for one, in either dialect
    (`url=`, `matchType=`, `output=json`)."""
    params = parse_qs(urlsplit(url).query)
    return (
        "url" in params and "matchType" in params and params.get("output") == ["json"]
    )
