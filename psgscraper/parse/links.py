"""URLs: item identity, web-archive prefixes and the section a page belongs to."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from ..site import (
    HOME,
    LISTING_SECTIONS,
    LIVE_SITE,
    SITE_HOSTS,
    WAYBACK_CALENDAR,
    WAYBACK_REPLAY,
    replay_path,
)
from .text import fold_key

_FILE_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*$")

_DETAIL_PATH = re.compile(r"(?:^|/)article-(?P<number>\d+)\.html?(?:[?#]|$)", re.I)
# A web archive's capture URL, in the Wayback Machine's form
# (https://web.archive.org/web/20170101000000id_/http://host/path, or the same
# path relative to the archive; the archived URL can lose a slash: http:/host)
# or pywb's, under a collection (http://host/COLL/20170101000000id_/http://...,
# the archived URL with its scheme).
_WAYBACK_FORM = re.compile(
    r"^(?:https?://[^/]+)?/web/(?P<stamp>\d{1,14})(?:[a-z]{2}_)?/+(?P<original>.+)$",
    re.I,
)
_COLLECTION_FORM = re.compile(
    r"^(?:https?://[^/]+)?/(?:[^/?#]+/)+?(?P<stamp>\d{4,14})(?:[a-z]{2}_)?/+"
    r"(?P<original>https?:/.+)$",
    re.I,
)


def _archive_url(url: str) -> re.Match | None:
    return _WAYBACK_FORM.match(url) or _COLLECTION_FORM.match(url)


def strip_archive_prefix(url: str) -> str:
    """The URL a web archive captured, or `url` itself if it is not an archive URL."""
    match = _archive_url(url)
    if match is None:
        return url
    original = match["original"]
    original = re.sub(r"^(https?):/+", r"\1://", original, flags=re.I)
    if not re.match(r"^https?://", original, re.I):
        original = "http://" + original
    return original


def archived_at(url: str) -> str | None:
    """When a web archive captured the page at `url`, if the URL says it to the second.

    `/web/20050314060000id_/...` was captured at 2005-03-14T06:00:00 UTC; a
    shorter timestamp is a request for the nearest capture, not a capture time.
    """
    stamp = capture_timestamp(url)
    return stamp_time(stamp) if stamp else None


def archive_view_url(url: str) -> str | None:
    """A web archive's capture URL as a reader opens it (with the archive's
    banner, not the raw `id_` bytes); None if `url` is no capture URL."""
    match = _archive_url(url)
    if match is None or len(match["stamp"]) != 14:
        return None
    return f"{url[: match.start('stamp')]}{match['stamp']}/{match['original']}"


def capture_timestamp(url: str) -> str | None:
    """The 14-digit timestamp of a web archive's capture URL, if it has one."""
    match = _archive_url(url)
    return match["stamp"] if match and len(match["stamp"]) == 14 else None


def stamp_time(stamp: str) -> str | None:
    """A CDX timestamp (`20050314060000`) as the archive writes times."""
    try:
        moment = datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds")


def replay_url(replay_root: str, timestamp: str, original: str) -> str:
    """A capture's bytes replayed from `replay_root`, as archived.

    A root without a path is a Wayback Machine's, which replays under `/web/`
    (https://web.archive.org/); a root with one is a pywb collection's, which
    replays under itself (http://host/COLL/).
    """
    root = replay_root.rstrip("/")
    if not urlsplit(replay_root).path.strip("/"):
        return root + replay_path(timestamp, original)
    return f"{root}/{timestamp}id_/{original}"


def archived_like(url: str, page_url: str) -> str:
    """`url` reached through the same web archive as `page_url`, if it was one."""
    match = _archive_url(page_url)
    if match is None or not page_url.startswith(("http://", "https://")):
        return url
    return page_url[: match.start("original")] + url


def item_page_url(url: str, page_url: str, base_url: str) -> str:
    """Where to ask for the item page at `url`, linked from the page at `page_url`.

    The copy being crawled is asked, whatever host the link names: a page
    replayed from a web archive gives its prefix (`archived_like`); else a
    link to the live host, either spelling, http or https, is the page of
    that name below `base_url` (the mirror, a copy of the site), since pages
    mix relative and absolute links and the live host is gone. Any other link
    is asked where it points.
    """
    if _is_archived(page_url):
        return archived_like(url, page_url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or (
        parts.hostname not in SITE_HOSTS
    ):
        return url
    path = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    return base_url.rstrip("/") + "/" + path


def _is_archived(page_url: str) -> bool:
    return page_url.startswith(("http://", "https://")) and bool(_archive_url(page_url))


def absolute_url(href: str, page_url: str) -> str:
    """The detail link as the original site's absolute URL."""
    href = href.strip()
    if _FILE_NAME.match(href):
        # The common case, `article-1236.html` beside the page, without urljoin.
        directory = page_url.split("?", 1)[0].split("#", 1)[0]
        if directory.count("/") >= 3:
            return strip_archive_prefix(directory[: directory.rfind("/") + 1] + href)
    return strip_archive_prefix(urljoin(page_url, href))


def item_id_from_url(url: str) -> str | None:
    """`article-1220` for any URL of that item's page, whatever stands before it."""
    match = _DETAIL_PATH.search(urlsplit(url).path if "://" in url else url)
    if match is None:
        return None
    return f"article-{int(match['number'])}"


def linkless_item_id(section: str | None, title: str, date_text: str) -> str:
    """A stable id for an item whose heading has no link."""
    key = "\n".join((section or "", fold_key(title), fold_key(date_text)))
    return f"{section or 'item'}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def section_from_url(url: str) -> str | None:
    """`news`, `articles` or `home` from a listing URL, or None if it does not say."""
    path = urlsplit(strip_archive_prefix(url)).path
    name = path.rsplit("/", 1)[-1].lower()
    if name in ("", "index.php", "index.html", "index.htm"):
        return HOME
    stem = re.split(r"[._?-]", name, maxsplit=1)[0]
    if stem in LISTING_SECTIONS:
        return stem
    if stem in ("index", "home"):
        return HOME
    return None


def is_first_page(url: str) -> bool:
    """The home page, or a listing's first page (`news.php`, `?position=0`)."""
    parts = urlsplit(strip_archive_prefix(url))
    positions = re.findall(r"(?:^|&)position=([^&]*)", parts.query)
    return not positions or positions[0] in ("", "0")


def original_url(item_id: str) -> str | None:
    """The item's page on the site as it was published, whoever crawled it."""
    if not re.fullmatch(r"article-\d+", item_id):
        return None
    return f"{LIVE_SITE}{item_id}.html"


def wayback_url(url: str) -> str:
    """The Wayback Machine's list of captures of a URL."""
    return WAYBACK_CALENDAR + url


def wayback_capture_url(url: str, moment: str) -> str | None:
    """The Wayback Machine's capture of a URL at an ISO time (as the archive
    writes times), as a reader sees it; the nearest capture if none was made
    then. None for a time that is not one."""
    try:
        when = datetime.fromisoformat(moment)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return f"{WAYBACK_REPLAY}web/{when:%Y%m%d%H%M%S}/{url}"


def urlkey(url: str) -> str:
    """The SURT form the CDX server sorts and matches on: `uk,org,host)/path`.

    Scheme and a leading `www.` are dropped, so both host spellings are one key.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").removeprefix("www.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return ",".join(reversed(host.split("."))) + ")" + path.lower()
