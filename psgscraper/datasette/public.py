"""Serving the archive on the open internet: `psg serve --public`.

The public server keeps what readers and analysts use (table pages, search,
canned queries, the reading room, CSV of a whole table) and drops what a
careless script can turn against everyone: arbitrary SQL, `_where`
fragments, pages of more than PAGE_SIZE rows. The rest is fair sharing of
Datasette's SQL threads among clients, by `PublicGate`:

- cheap pages (an item, an issue, static files) pass straight through;
- costly ones (table pages, searches, canned queries, indexes) get one of
  COSTLY_SLOTS at a time; a client runs one at once, with one more waiting,
  and the next slot goes to the waiting client served least recently, so a
  researcher's search is next in line however many requests a bot has
  queued; a request over its client's share gets 429 with Retry-After;
- a whole-table CSV stream or a download is one at a time per client, in
  STREAM_SLOTS of its own, so streams never take a search's turn.

A thread is always left for cheap pages: Datasette runs a page's queries one
after another, so the gated requests never hold more than COSTLY_SLOTS +
STREAM_SLOTS of its SQL_THREADS.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..archive.schema import ITEMS

PAGE_SIZE = 100  # the most rows a public page or JSON answer holds
COSTLY_SLOTS = 2
STREAM_SLOTS = 1
SQL_THREADS = COSTLY_SLOTS + STREAM_SLOTS + 1
MAX_WAIT = 10.0  # seconds a request waits for its turn before a 429

CHEAP, COSTLY, STREAM = "cheap", "costly", "stream"


class Busy(Exception):
    """The client has its share already, or waited too long: answer 429."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Waiting:
    client: str
    turn: asyncio.Future


class FairShare:
    """A number of slots for one kind of work, shared fairly among clients.

    A client holds at most `per_client` slots and waits for at most `queue`
    more; beyond that, or after `max_wait` seconds, it gets Busy. A freed slot
    goes to the waiting client that holds fewest and was served least
    recently, not to whoever asked first.
    """

    def __init__(
        self,
        slots: int,
        *,
        per_client: int = 1,
        queue: int = 1,
        max_wait: float = MAX_WAIT,
        retry_after: int = 1,
    ) -> None:
        self.free = slots
        self.per_client = per_client
        self.queue = queue
        self.max_wait = max_wait
        self.retry_after = retry_after
        self.held: Counter[str] = Counter()
        self.waiting: deque[_Waiting] = deque()
        self.last_served: dict[str, float] = {}

    def waiting_of(self, client: str) -> int:
        return sum(1 for waiting in self.waiting if waiting.client == client)

    async def acquire(self, client: str) -> None:
        """Wait for a slot; raises Busy when the client is over its share."""
        if self.held[client] + self.waiting_of(client) >= self.per_client + self.queue:
            raise Busy(
                f"{client} has {self.held[client]} requests of this kind running "
                "already: wait for them to finish",
                self.retry_after,
            )
        waiting = _Waiting(client, asyncio.get_running_loop().create_future())
        self.waiting.append(waiting)
        self._grant()
        try:
            await asyncio.wait_for(asyncio.shield(waiting.turn), self.max_wait)
        except (TimeoutError, asyncio.CancelledError):
            if waiting.turn.done():  # granted as the wait ended: give it back
                self.release(client)
            else:
                self.waiting.remove(waiting)
                waiting.turn.cancel()
            raise

    def release(self, client: str) -> None:
        self.held[client] -= 1
        if self.held[client] <= 0:
            del self.held[client]
        self.free += 1
        self._grant()

    def _grant(self) -> None:
        while self.free > 0:
            ready = [w for w in self.waiting if self.held[w.client] < self.per_client]
            if not ready:
                return
            chosen = min(
                ready,
                key=lambda w: (self.held[w.client], self.last_served.get(w.client, 0)),
            )
            self.waiting.remove(chosen)
            self.free -= 1
            self.held[chosen.client] += 1
            self.last_served[chosen.client] = time.monotonic()
            chosen.turn.set_result(None)
        self._forget_idle()

    def _forget_idle(self, keep: int = 4096, seconds: float = 300) -> None:
        """Bound the memory of who was served: drop clients idle for long."""
        if len(self.last_served) <= keep:
            return
        old = time.monotonic() - seconds
        for client, served in list(self.last_served.items()):
            if served < old and client not in self.held:
                del self.last_served[client]


def lane_of(path: str, query: str) -> str:
    """Whether a request is cheap, costly, or a stream (see the module)."""
    args = dict(parse_qsl(query, keep_blank_values=True))
    if path.endswith(".db") or (path.endswith(".csv") and args.get("_stream")):
        return STREAM
    parts = path.strip("/").split("/")
    if path.startswith("/-/static") or path in ("/robots.txt", "/favicon.ico"):
        return CHEAP
    if len(parts) == 3 and parts[1] == ITEMS:  # an item's page, in any format
        return CHEAP
    if len(parts) == 3 and parts[1] == "newsletter":  # one printed issue
        return CHEAP
    return COSTLY


def page_size_error(query: str) -> str | None:
    """Why the query asks for more rows than a public page holds, or None."""
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "_size" and (
            value == "max" or (value.isdigit() and int(value) > PAGE_SIZE)
        ):
            return (
                f"_size must be at most {PAGE_SIZE} on this server: follow the page's "
                "next link, or ask for .csv?_stream=on for every row"
            )
    return None


class PublicGate:
    """ASGI middleware for the public server: the page-size cap and fair
    sharing by client address (uvicorn puts a trusted proxy's
    X-Forwarded-For there)."""

    def __init__(self, app) -> None:
        self.app = app
        self.shares = {
            COSTLY: FairShare(COSTLY_SLOTS, per_client=1, queue=1, retry_after=1),
            STREAM: FairShare(STREAM_SLOTS, per_client=1, queue=0, retry_after=10),
        }

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        error = page_size_error(query)
        if error is not None:
            await _answer(send, 400, error)
            return
        lane = lane_of(scope["path"], query)
        if lane == CHEAP:
            await self.app(scope, receive, send)
            return
        share = self.shares[lane]
        client = (scope.get("client") or ("unknown",))[0]
        try:
            await share.acquire(client)
        except Busy as busy:
            await _answer(send, 429, str(busy), retry_after=busy.retry_after)
            return
        except TimeoutError:
            message = "the server is busy: try again shortly"
            await _answer(send, 429, message, retry_after=share.retry_after)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            share.release(client)


async def _answer(send, status: int, message: str, retry_after: int | None = None):
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": message.encode() + b"\n"})
