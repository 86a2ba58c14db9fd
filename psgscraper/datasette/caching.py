"""Cache headers for an archive no crawl is writing.

Such an archive is served immutable: every page of it stays right until the
file is replaced by the next crawl's, or the software by a new release. Its
answers carry one validator for them all, a weak ETag made of the release
and the archive's hash, and `Cache-Control: public, max-age=MAX_AGE`: a
proxy (nginx, see the README) or a browser keeps a page, and after MAX_AGE
asks again with If-None-Match, which is answered 304 without running a
query. An archive being crawled is served as it changes, with Datasette's
own short max-age and no validator.
"""

from __future__ import annotations

import hashlib

from .. import __version__

MAX_AGE = 600  # seconds a kept page is used before it is checked again
CACHEABLE_METHODS = ("GET", "HEAD")


def archive_etag(datasette) -> str | None:
    """The validator of everything served, or None while an archive is live."""
    served = [db for db in datasette.databases.values() if not db.is_memory]
    if not served or any(db.is_mutable or not db.hash for db in served):
        return None
    digest = hashlib.sha256(" ".join(db.hash for db in served).encode())
    return f'W/"psgscraper-{__version__}-{digest.hexdigest()[:20]}"'


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
