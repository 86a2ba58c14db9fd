"""The HTTP plumbing the mirror's three servers share: a server on 127.0.0.1
that serves from a thread of its own (`LoopbackServer`), and a handler that
sends whole answers (`AnswerHandler`, for the Wayback and WordPress servers).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 for tests, benchmarks and demos.

    `start()` serves from a daemon thread and `stop()` ends it (also as a
    context manager); `url` is where it answers.
    """

    daemon_threads = True
    block_on_close = False
    # The listen backlog of a real web server (Apache's is 511), not
    # socketserver's 5: a crawler opening 16 connections at once would see
    # some connection attempts dropped and retried a second later, long enough
    # to time out a request that never reached the server.
    request_queue_size = 511
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{type(self).__name__}-{self.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class AnswerHandler(BaseHTTPRequestHandler):
    """A request handler that sends whole answers (status, headers, body),
    keeps connections alive and logs nothing (its server notes requests)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def send_answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass
