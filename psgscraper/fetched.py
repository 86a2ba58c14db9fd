"""A response as it was received, and the times a crawl gives it.

The spiders make one of each download, `psg reparse` reads one from each
response record of a WARC file; what it means is for `psgscraper.read`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime

from .parse.links import archived_at


@dataclass(frozen=True)
class Fetched:
    """One response: where from, its status, type, redirect target and body.

    `captured_at` is when it arrived (WARC-Date form), None if not dated.
    """

    url: str
    status: int
    content_type: str | None
    body: bytes
    captured_at: str | None = None
    location: str | None = None  # a redirect's Location header
    memento_datetime: str | None = None  # a web archive's Memento-Datetime header
    link: str | None = None  # the Link header (WordPress names its API there)

    @property
    def seen_at(self) -> str | None:
        """When the page showed what it shows, as the archive writes times: the
        web archive's capture time if it came from one, else when it arrived.

        A web archive names the capture it replays in its Memento-Datetime
        header (RFC 7089). pywb answers a time it has no capture at with the
        nearest capture itself, not with a redirect to it as the Wayback
        Machine does, so the URL's time is only the time that was asked."""
        if self.captured_at is None:
            return None
        return memento_time(self.memento_datetime) or sighting_time(
            self.url, self.captured_at
        )


def capture_time(moment: datetime | None = None) -> str:
    """A capture's time as WARC-Date writes it (UTC, microseconds)."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


def archive_time(warc_date: str) -> str:
    """A WARC-Date as the archive writes times (UTC, whole seconds)."""
    moment = iso_date_to_datetime(warc_date).replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")


def memento_time(header: str | None) -> str | None:
    """A Memento-Datetime header (an HTTP date) as the archive writes times;
    None if there is none or it is not a date."""
    if not header:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000": RFC 5322's "UTC, source unknown"
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def sighting_time(url: str, warc_date: str) -> str:
    """When a page showed what it shows: the web archive's capture time if it
    came from one (`/web/20050314060000id_/...`), else when it arrived."""
    return archived_at(url) or archive_time(warc_date)
