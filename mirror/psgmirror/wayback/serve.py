"""`WaybackServer`: built captures answered as the Wayback Machine answers.

Over HTTP on 127.0.0.1, from a directory `wayback.build` wrote: the CDX
server (`/cdx/search/cdx?url=...&output=json`, with `matchType`, `from`/`to`,
`filter`, `collapse`, `limit`, `showResumeKey`/`resumeKey`) and raw replay
(`/web/TIMESTAMPid_/URL`: the capture as archived, dated by its
Memento-Datetime header, or a redirect to the nearest one). Its first
`throttle` requests are answered 429 with `Retry-After: 1`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..loopback import AnswerHandler, LoopbackServer
from .plan import HTML, urlkey

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest",
          "length")  # fmt: skip


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
        headers = {
            "Content-Type": capture["mimetype"],
            "Memento-Datetime": memento_datetime(timestamp),
        }
        if "location" in capture:
            headers["Location"] = f"/web/{timestamp}id_/{capture['location']}"
        body = (self.directory / "captures" / capture["digest"]).read_bytes()
        return int(capture["statuscode"]), headers, body


def memento_datetime(timestamp: str) -> str:
    """A capture's time as the Wayback Machine's Memento-Datetime header gives it."""
    moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    return format_datetime(moment, usegmt=True)


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
