"""The mirror as a web archive holds it: weekly captures behind a CDX API and replay.

`build_wayback(directory, weeks)` renders the site at weeks 0 to weeks-1 and
keeps what a web archive would have captured of it:

- week 0: every listing page, the home page (`/` and `index.php`);
- every later week: the first two pages of each listing and the home page,
  where the week's new and corrected items are;

each on one of the two host spellings (`www.` or not), at a time of its week.
Beside them, the odd captures a real archive holds: a second capture of an
unchanged page (the same digest, which `collapse=digest` drops), the home
page as `index.php` too (the same digest under another URL), the own pages
of one item in ten (`article-ID.html`, in week 0), a 301 capture
(the bare host's `index.php` moved to `www.`), a 302 capture (`index.php`
to `index.html`, captured at the same moment), a 404 capture, an image, an
RSS feed under `news.php`, and, after the last week, `articles.php` showing
the new site's "page not found" (another layout).

    DIR/captures/DIGEST     the payloads, one file per distinct content
    DIR/index.json          the captures, in CDX order (urlkey, timestamp)
    DIR/expected.json       per item id, the week and capture time it first showed

`WaybackServer(directory)` answers as the Wayback Machine's CDX server and
replay do (`/cdx/search/cdx?url=...&output=json`, `/web/TIMESTAMPid_/URL`),
and answers its first `throttle` requests with 429 and `Retry-After: 1`.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from psgscraper.site import SITE_HOSTS

from ..loopback import AnswerHandler, LoopbackServer
from ..site import render
from ..site.build import HOME_ITEMS, item_pages, listing_pages
from ..site.plan import LAST_SUNDAY, LISTING_SECTIONS, plan_site

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest",
          "length")  # fmt: skip
CAPTURED_PAGES = 2  # listing pages captured each week after week 0
ITEM_PAGES_EVERY = 10  # week 0 holds the own page of one item in ten
HTML = "text/html"
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>\n'
NEW_SITE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Page not found - Peru Support Group"
    b'</title></head><body class="error404"><h1>Oops! That page can&rsquo;t be '
    b"found.</h1><p>It looks like nothing was found at this location.</p>"
    b"</body></html>\n"
)


def build_wayback(
    directory: str | Path, weeks: int = 30, items: int = 1600, seed: int = 0
) -> dict:
    """Write `weeks` weeks of captures to `directory`; returns a summary."""
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "captures").mkdir(parents=True)
    captures: list[dict] = []
    first_seen: dict[str, dict] = {}  # per item: the week and capture first showing it

    def shown(items, week: int, n: int) -> None:
        when = _archived_at(week, n)
        for item in items:
            first_seen.setdefault(item.id, {"week": week, "captured": when})

    def keep(week: int, n: int, path: str, body: bytes, mimetype: str, status=200,
             location: str | None = None) -> dict:  # fmt: skip
        digest = base64.b32encode(hashlib.sha1(body).digest()).decode()
        (directory / "captures" / digest).write_bytes(body)
        host = SITE_HOSTS[(week + n) % 2]
        capture = {
            "timestamp": _timestamp(week, n),
            "original": f"http://{host}{path}",
            "mimetype": mimetype,
            "statuscode": str(status),
            "digest": digest,
            "length": str(len(body)),
        }
        if location:
            capture["location"] = location
        captures.append(capture)
        return capture

    for week in range(weeks):
        site = plan_site(items, seed, week)
        latest = site.latest(HOME_ITEMS)
        home = render.home_page(latest)
        keep(week, 0, "/", home, HTML)
        shown(latest, week, 0)
        n = 1
        bodies: dict[str, bytes] = {}
        for section in LISTING_SECTIONS:
            for page in listing_pages(site, seed, section):
                if week and page.position >= CAPTURED_PAGES * 10:
                    break
                query = f"?position={page.position}" if page.position else ""
                path = f"/{section}.php{query}"
                keep(week, n, path, page.body, HTML)
                shown(page.items, week, n)
                bodies[path] = page.body
                n += 1
        if week == 0:  # the home page under its other name: the same content
            keep(week, n, "/index.php", home, HTML)
            for item, body, _ in item_pages(site, seed, every=ITEM_PAGES_EVERY):
                n += 1
                keep(week, n, f"/{item.path}", body, HTML)
        if week == 1:  # the same page again, unchanged, later that day
            keep(week, n, "/news.php", bodies["/news.php"], HTML)
        if week == 2:
            moved = f"http://{SITE_HOSTS[0]}/"
            keep(week, 1, "/index.php", b"", HTML, 301, moved)
        if week == 3:
            keep(week, n, "/news.php?position=99990", b"Not Found", HTML, 404)
            keep(week, n + 1, "/images/logo.gif", b"GIF89a\x01\x00", "image/gif")
            keep(week, n + 2, "/news.php?format=rss", RSS, "application/rss+xml")
        if week == 4:  # a redirect to a page the listings do not name
            moved = f"http://{SITE_HOSTS[(week + n) % 2]}/index.html"  # its host
            found = f'<p>Found: <a href="{moved}">{moved}</a></p>\n'.encode()
            keep(week, n, "/index.php", found, HTML, 302, moved)
            served_as = home + b"<!-- index.html -->\n"
            keep(week, n, "/index.html", served_as, HTML)
            shown(latest, week, n)
    # After the last week the site is another one: its old address shows
    # the new site's page, with no listing on it.
    keep(weeks, 0, "/articles.php?position=0", NEW_SITE_PAGE, HTML)
    for capture in captures:
        capture["urlkey"] = urlkey(capture["original"])
    captures.sort(key=lambda c: (c["urlkey"], c["timestamp"]))
    (directory / "index.json").write_text(json.dumps(captures, indent=0) + "\n")
    (directory / "expected.json").write_text(json.dumps(first_seen, indent=0) + "\n")
    return {"weeks": weeks, "captures": len(captures), "items": len(first_seen),
            "digests": len({c["digest"] for c in captures})}  # fmt: skip


def _moment(week: int, n: int) -> datetime.datetime:
    """A capture time in the week, UTC: the Monday after its edition, from
    06:00, 20 seconds a page (the week's captures are one crawl of the site)."""
    day = LAST_SUNDAY + datetime.timedelta(days=7 * week + 1)
    start = datetime.datetime.combine(day, datetime.time(6), datetime.timezone.utc)
    return start + datetime.timedelta(seconds=20 * n)


def _timestamp(week: int, n: int) -> str:
    """The capture time as the CDX server writes it: `20190325060020`."""
    return _moment(week, n).strftime("%Y%m%d%H%M%S")


def _archived_at(week: int, n: int) -> str:
    """The capture time as the archive writes times: `2019-03-25T06:00:20+00:00`."""
    return _moment(week, n).isoformat(timespec="seconds")


def urlkey(url: str) -> str:
    """The key the CDX server sorts and matches captures on (a SURT): the host
    backwards, without `www.`, then `)` and the path and query in lower case,
    `uk,org,perusupportgroup)/news.php?position=10`. The scheme and port do not
    count, so both host spellings, over http or https, are one key.
    """
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return ",".join(reversed(host.split("."))) + ")" + target.lower()


class WaybackServer(LoopbackServer):
    """A built Wayback directory answered over HTTP on 127.0.0.1."""

    def __init__(self, directory: str | Path, port: int = 0, throttle: int = 0):
        self.directory = Path(directory)
        self.captures: list[dict] = json.loads(
            (self.directory / "index.json").read_text()
        )
        self.throttle = throttle
        self.requests: list[str] = []  # the targets asked for, in order
        # When each request came (time.monotonic()), and from whom.
        self.arrivals: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _WaybackHandler)

    def throttled(self, target: str, user_agent: str) -> bool:
        """Note the request; True while the first `throttle` ones are refused."""
        with self._lock:
            self.requests.append(target)
            self.arrivals.append((time.monotonic(), user_agent))
            return len(self.requests) <= self.throttle

    def cdx(self, query: str) -> tuple[int, bytes]:
        """The CDX server's answer to a query string (output=json)."""
        params = parse_qs(query)
        wanted = params.get("url", [""])[0]
        if not wanted:
            return 400, b"missing url"
        key = urlkey(wanted)
        match = params.get("matchType", ["exact"])[0]
        prefix = match == "prefix"
        rows = [
            c for c in self.captures
            if (c["urlkey"].startswith(key) if prefix else c["urlkey"] == key)
        ]  # fmt: skip
        low, high = params.get("from", [""])[0], params.get("to", [""])[0]
        rows = [
            c for c in rows
            if (not low or c["timestamp"] >= low.ljust(14, "0"))
            and (not high or c["timestamp"] <= high.ljust(14, "9"))
        ]  # fmt: skip
        for rule in params.get("filter", []):
            negate, field, pattern = _filter(rule)
            rows = [c for c in rows if bool(re.fullmatch(pattern, c[field])) != negate]
        if "collapse" in params:
            field = params["collapse"][0].split(":")[0]
            rows = [c for i, c in enumerate(rows)
                    if i == 0 or rows[i - 1][field] != c[field]]  # fmt: skip
        if "resumeKey" in params:
            after = unquote(params["resumeKey"][0])
            rows = [c for c in rows if f"{c['urlkey']} {c['timestamp']}" > after]
        fields = params.get("fl", [",".join(FIELDS)])[0].split(",")
        limit = int(params.get("limit", ["0"])[0] or 0)
        more = limit and len(rows) > limit
        rows = rows[:limit] if limit else rows
        table: list[list[str]] = [fields, *([c[f] for f in fields] for c in rows)]
        if more and params.get("showResumeKey", [""])[0] == "true":
            last = rows[-1]
            table += [[], [quote(f"{last['urlkey']} {last['timestamp']}")]]
        return 200, json.dumps(table).encode()

    def replay(self, timestamp: str, original: str) -> tuple[int, dict, bytes]:
        """`/web/TIMESTAMPid_/URL`: the capture as archived, or a redirect to one."""
        key = urlkey(original)
        same = [c for c in self.captures if c["urlkey"] == key]
        if not same:
            return 404, {"Content-Type": HTML}, b"Not in the archive"
        exact = [c for c in same if c["timestamp"] == timestamp]
        if not exact:  # the nearest capture, as the Wayback Machine redirects
            near = min(same, key=lambda c: abs(int(c["timestamp"]) - int(timestamp)))
            return (
                302,
                {"Location": f"/web/{near['timestamp']}id_/{near['original']}"},
                b"",
            )
        capture = exact[0]
        headers = {"Content-Type": capture["mimetype"]}
        if "location" in capture:
            headers["Location"] = f"/web/{timestamp}id_/{capture['location']}"
        body = (self.directory / "captures" / capture["digest"]).read_bytes()
        return int(capture["statuscode"]), headers, body


def _filter(rule: str) -> tuple[bool, str, str]:
    negate = rule.startswith("!")
    field, _, pattern = rule.lstrip("!").partition(":")
    return negate, field, pattern


class _WaybackHandler(AnswerHandler):
    server: WaybackServer

    def do_GET(self) -> None:
        if self.server.throttled(self.path, self.headers.get("User-Agent", "")):
            return self.send_answer(
                429, {"Retry-After": "1", "Content-Type": HTML}, b"Slow down"
            )
        parts = urlsplit(self.path)
        if parts.path == "/cdx/search/cdx":
            status, body = self.server.cdx(parts.query)
            return self.send_answer(status, {"Content-Type": "application/json"}, body)
        replay = re.match(r"^/web/(\d{14})id_/(.+)$", self.path)
        if replay:
            return self.send_answer(*self.server.replay(replay[1], replay[2]))
        self.send_answer(404, {"Content-Type": HTML}, b"Not Found")
