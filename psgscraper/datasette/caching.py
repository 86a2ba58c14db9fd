"""Cache headers: a page stays right until a crawl next writes the archive.

Every answer of 200 carries one validator for the whole archive, a weak ETag
made of the release and the state of the archive's files (the database and
its write-ahead log: a commit changes one of them), and `Cache-Control:
public, max-age=MAX_AGE`. A proxy (nginx, see the README) or a browser keeps
a page and after MAX_AGE asks again with If-None-Match, which is answered
304 without running a query until the next crawl writes, or a new release is
installed.
"""

from __future__ import annotations

import hashlib
import os

from .. import __version__

MAX_AGE = 600  # seconds a kept page is used before it is checked again
CACHEABLE_METHODS = ("GET", "HEAD")


def _file_state(path: str) -> str:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "-"
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def archive_etag(datasette) -> str | None:
    """The validator of everything served now, or None when nothing is served
    from a file."""
    paths = [db.path for db in datasette.databases.values() if db.path]
    if not paths:
        return None
    states = " ".join(_file_state(p) + _file_state(p + "-wal") for p in paths)
    digest = hashlib.sha256(states.encode()).hexdigest()[:20]
    return f'W/"psgscraper-{__version__}-{digest}"'


def _matches(header: str, etag: str) -> bool:
    """Whether If-None-Match names the validator (weakly, as RFC 9110 says)."""
    weak = etag.removeprefix("W/")
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or weak in tags


class Revalidated:
    """ASGI middleware: the validator and cache headers on each 200, and 304
    for a request that names the current validator."""

    def __init__(self, app, datasette) -> None:
        self.app = app
        self.datasette = datasette

    async def __call__(self, scope, receive, send) -> None:
        cacheable = scope["type"] == "http" and scope["method"] in CACHEABLE_METHODS
        etag = archive_etag(self.datasette) if cacheable else None
        if etag is None:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"etag", etag.encode()),
            (b"cache-control", f"public, max-age={MAX_AGE}".encode()),
        ]
        asked = dict(scope.get("headers", [])).get(b"if-none-match", b"").decode()
        if asked and _matches(asked, etag):
            await send(
                {"type": "http.response.start", "status": 304, "headers": headers}
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_validated(message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                kept = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in (b"etag", b"cache-control")
                ]
                message = {**message, "headers": kept + headers}
            await send(message)

        await self.app(scope, receive, send_validated)
