"""`MirrorServer`: a built mirror answered over HTTP on 127.0.0.1, as the PHP site did.

Routing (from the build's pages.json):

- `/` and `/index.php`: the home page;
- `/news.php` and `/articles.php`: the page of `position=N` (missing means 0,
  other parameters are ignored); any N past the last page gets the page
  template with an empty list and HTTP 200, as the site did; a position the
  site never linked (not a multiple of 10, negative, not a number) is a 404;
- `/article-ID.html`, `/robots.txt`: the file (a query string is ignored);
- anything else: 404 with a small HTML page.

GET and HEAD. Files are served as stored, with the Content-Type of pages.json.
For tests and demos of a crawler's failure handling the server can wait before
every answer (`latency`), answer 500 for some paths (`fail`), hold some
requests for `hang_seconds` (`hang`, longer than the crawler's timeout), or
answer some paths with one of the FAULTS (`faults`, kind to path pattern; the
first `fault_times` requests of a path only, if given):

- `429`: Too Many Requests, with `Retry-After: retry_after` (seconds);
- `truncated`: the page, its Content-Length claiming 4 KB more, then the
  connection closed;
- `redirect-loop`: 302 to the path itself, for ever;
- `huge`: the page padded to 20 MB;
- `bad-gzip`: `Content-Encoding: gzip` over bytes that are not gzip.

A rebuilt mirror is picked up without a restart: pages.json is read again when
it changes.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import parse_qs, urlsplit

from ..loopback import LoopbackServer

PAGES_JSON = "pages.json"
HTML = "text/html; charset=utf-8"

NOT_FOUND_PAGE = b"""<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head><title>404 Not Found</title></head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
"""
SERVER_ERROR_PAGE = b"""<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head><title>500 Internal Server Error</title></head><body>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your
request.</p>
</body></html>
"""

_POSITION = re.compile(r"^\d+$")

FAULTS = ("429", "truncated", "redirect-loop", "huge", "bad-gzip")
HUGE_BYTES = 20 * 1024 * 1024
_MISSING_BYTES = 4096  # what a truncated answer's Content-Length claims beyond it
TOO_MANY_REQUESTS_PAGE = b"""<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head><title>429 Too Many Requests</title></head><body>
<h1>Too Many Requests</h1></body></html>
"""


class MirrorError(Exception):
    """The directory holds no built mirror."""


class Answer(NamedTuple):
    status: int
    body: bytes
    content_type: str


class RoutingTable:
    """pages.json, read again whenever the file changes (a rebuilt mirror)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / PAGES_JSON
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._routes: dict[str, dict] = {}
        self._listings: dict[str, dict] = {}
        self._reload()

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise MirrorError(
                f"{self.directory} holds no mirror (no {PAGES_JSON}); "
                "build one with `psg mirror build`"
            ) from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            table = json.loads(self.path.read_text("utf-8"))
            routes, listings = table["routes"], table["listings"]
        except (ValueError, KeyError, TypeError) as error:
            raise MirrorError(f"{self.path} is not a mirror's table: {error}") from None
        self._routes, self._listings, self._stamp = routes, listings, stamp

    def answer(self, target: str) -> Answer:
        """What the site answered for `target` (path and query)."""
        with self._lock:
            # Mid-rebuild, keep answering from the table we have.
            with contextlib.suppress(MirrorError):
                self._reload()
            entry = self._find(target)
        if entry is None:
            return Answer(404, NOT_FOUND_PAGE, HTML)
        try:
            body = (self.directory / entry["file"]).read_bytes()
        except OSError:
            return Answer(404, NOT_FOUND_PAGE, HTML)
        return Answer(200, body, entry["content_type"])

    def _find(self, target: str) -> dict | None:
        parts = urlsplit(target)
        path = parts.path or "/"
        listing = self._listings.get(path)
        if listing is None:
            return self._routes.get(path)
        values = parse_qs(parts.query, keep_blank_values=True).get("position", ["0"])
        position = values[0]
        per_page = listing.get("per_page", 10)
        if not _POSITION.match(position) or int(position) % per_page:
            return None
        entry = self._routes.get(f"{path}?position={int(position)}")
        return entry if entry is not None else listing["past_end"]


class MirrorServer(LoopbackServer):
    """The mirror over HTTP on 127.0.0.1; `port=0` takes a free port.

    `start()` serves from a daemon thread and `stop()` ends it (also as a
    context manager). `requests` lists (method, path with query, status) of
    every request so far, in the order they arrived, a held one (`hang`) as
    soon as it arrives. Each answer is logged on one line,
    `127.0.0.1 "GET /news.php?position=10" 200 7012` (status, body bytes), to
    standard error or to `log` (a path or an open text file).
    """

    def __init__(
        self,
        directory: str | Path,
        port: int = 0,
        latency: float = 0.0,
        fail: str | None = None,
        hang: str | None = None,
        hang_seconds: float = 30.0,
        faults: dict[str, str] | None = None,
        fault_times: int | None = None,
        retry_after: int = 1,
        log: str | Path | IO[str] | None = None,
    ) -> None:
        self.table = RoutingTable(Path(directory))
        self.latency = latency
        self.fail = re.compile(fail) if fail else None
        self.hang = re.compile(hang) if hang else None
        self.hang_seconds = hang_seconds
        unknown = set(faults or ()) - set(FAULTS)
        if unknown:
            raise MirrorError(f"unknown faults {sorted(unknown)}; known: {FAULTS}")
        self.faults = {
            kind: re.compile(regex) for kind, regex in (faults or {}).items()
        }
        self.fault_times = fault_times
        self.retry_after = retry_after
        self._faulted: dict[str, int] = {}
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str, int]] = []
        self._own_log = isinstance(log, (str, Path))
        self._log: IO[str] | None = (
            open(log, "a", encoding="utf-8") if self._own_log else log  # noqa: SIM115
        )
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError:
            self._close_log()
            raise

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """A copy of the requests received so far."""
        with self._lock:
            return list(self._requests)

    def stop(self) -> None:
        """Stop serving; requests still held by `hang` or `latency` end at once."""
        self._stopping.set()
        super().stop()
        self._close_log()

    def pause(self, seconds: float) -> None:
        """Wait, unless the server is stopping."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def answer(self, target: str) -> Answer:
        """What to answer for `target`: the site's answer, or 500 for `fail`."""
        if self.fail is not None and self.fail.search(target):
            return Answer(500, SERVER_ERROR_PAGE, HTML)
        return self.table.answer(target)

    def hold(self, target: str) -> None:
        """Wait before answering: `latency`, and `hang_seconds` for `hang`."""
        self.pause(self.latency)
        if self.hang is not None and self.hang.search(target):
            self.pause(self.hang_seconds)

    def fault(self, target: str) -> str | None:
        """The fault to answer `target` with, if any (counting `fault_times`)."""
        for kind, pattern in self.faults.items():
            if pattern.search(target):
                with self._lock:
                    done = self._faulted.get(target, 0)
                    if self.fault_times is not None and done >= self.fault_times:
                        return None
                    self._faulted[target] = done + 1
                return kind
        return None

    def note(self, method: str, target: str, status: int) -> None:
        """Add a request to `requests` as it arrives (a held one too)."""
        with self._lock:
            self._requests.append((method, target, status))

    def log(self, client: str, method: str, target: str, status: int, size) -> None:
        """Log one answered request, with the bytes of its body."""
        line = f'{client} "{method} {target}" {status} {size}\n'
        with self._lock:
            stream = self._log if self._log is not None else sys.stderr
            try:
                stream.write(line)
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed log must not break the answer

    def _close_log(self) -> None:
        if self._own_log and self._log is not None:
            with self._lock:
                self._log.close()
                self._log = None


class _Handler(BaseHTTPRequestHandler):
    server: MirrorServer
    server_version = "Apache/2.2.22 (Unix) PHP/5.2.17"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and the
    # client's delayed ACK add 40 ms to every answer, as no real host does.
    disable_nagle_algorithm = True
    timeout = 60  # an idle keep-alive connection is closed after a minute

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        answer = self.server.answer(self.path)
        headers = {"Content-Type": answer.content_type}
        length = None
        fault = self.server.fault(self.path)
        if fault == "429":
            answer = Answer(429, TOO_MANY_REQUESTS_PAGE, HTML)
            headers = {
                "Content-Type": HTML,
                "Retry-After": str(self.server.retry_after),
            }
        elif fault == "redirect-loop":
            answer = Answer(302, b"", HTML)
            headers = {"Content-Type": HTML, "Location": self.path}
        elif fault == "huge":
            padding = b" " * max(0, HUGE_BYTES - len(answer.body))
            answer = answer._replace(body=answer.body + b"<!--" + padding + b"-->")
        elif fault == "bad-gzip":
            answer = answer._replace(body=b"\x1f\x8b\x08\x00" + answer.body[:512])
            headers["Content-Encoding"] = "gzip"
        elif fault == "truncated":
            length = len(answer.body) + _MISSING_BYTES
            self.close_connection = True
        self.server.note(self.command, self.path, answer.status)
        self.server.hold(self.path)
        sent = 0
        try:
            self.send_response(answer.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length or len(answer.body)))
            self.end_headers()
            if not head:
                self.wfile.write(answer.body)
                sent = len(answer.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout)
        self.server.log(
            self.client_address[0], self.command, self.path, answer.status, sent
        )

    def send_error(self, code, message=None, explain=None) -> None:
        """Malformed requests and other methods: answered by the base class, noted."""
        method = getattr(self, "command", None) or "-"
        target = getattr(self, "path", None) or "-"
        self.server.note(method, target, code)
        super().send_error(code, message, explain)
        self.server.log(self.client_address[0], method, target, code, "-")

    def log_request(self, code="-", size="-") -> None:
        pass  # `log` writes each answer once, with its size

    def log_message(self, format, *args) -> None:
        pass  # the base class's own messages: `log` has the request
