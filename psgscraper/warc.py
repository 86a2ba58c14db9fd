"""Raw captures: every request and response of a crawl, kept as WARC (ISO 28500).

A crawl writes one gzipped WARC 1.1 file, `psg-TIMESTAMP-crawlN.warc.gz`:

- a `warcinfo` record naming the software and the crawl (base URL, sections,
  options, start time);
- for every response received, robots.txt and error pages included, a
  `request` and a `response` record sharing one WARC-Date, the time the
  response arrived, with the HTTP headers as received and the payload's digest;
- for a request that got no answer it could use (a time-out, a refused
  connection, an error status after the retries), a `metadata` record for
  its URL with the reason (`psg-unanswered: REASON`);
- at the end, a `metadata` record with how the crawl ended (status, message).

Each record is its own gzip member, written whole and flushed at once, so a
crawl killed outright leaves a file that any WARC reader reads up to its last
whole record. `CrawlWarc` reads a file back for `psg reparse`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from . import __version__
from .fetched import Fetched

WARC_VERSION = "WARC/1.1"
CONFORMS_TO = (
    "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
)
# The field of a `metadata` record that says why a request got no answer.
UNANSWERED = "psg-unanswered"
# Hop-by-hop framing the HTTP client has already undone: the payload is kept
# de-chunked, so the header would describe bytes that are not there.
_UNDONE_HEADERS = {"transfer-encoding"}


class WarcError(Exception):
    """A WARC file cannot be written or read; the message says why."""


def warc_file_name(crawl_id: int, started: datetime | None = None) -> str:
    stamp = (started or datetime.now(timezone.utc)).strftime("%Y%m%d%H%M%S")
    return f"psg-{stamp}-crawl{crawl_id}.warc.gz"


class WarcFile:
    """One crawl's WARC file, open for writing.

    The spiders of one crawl share its file: `shared()` opens it for the first
    user and hands the same file to the others; the last to `release()` it
    writes how the crawl ended and closes it.
    """

    _open: ClassVar[dict[Path, WarcFile]] = {}

    @classmethod
    def shared(cls, path: str | Path, info: dict[str, str]) -> WarcFile:
        key = Path(path).resolve()
        warc = cls._open.get(key)
        if warc is None:
            warc = cls._open[key] = cls(path, info)
        warc.users += 1
        return warc

    def release(self, outcome: dict[str, str] | None = None) -> None:
        self.users -= 1
        if self.users <= 0:
            self._open.pop(self.path.resolve(), None)
            self.close(outcome)

    def __init__(self, path: str | Path, info: dict[str, str]) -> None:
        self.users = 0
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "xb")  # noqa: SIM115 (closed by close())
        except OSError as error:
            raise WarcError(f"cannot write {self.path}: {error.strerror}") from None
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self.broken = False  # a write failed: the file ends at its last whole record
        fields = {
            "software": f"psgscraper/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            **info,
        }
        self._info = self._writer.create_warcinfo_record(self.path.name, fields)
        self._write(self._info)
        self.records = 1

    def write_exchange(
        self,
        url: str,
        *,
        method: str,
        request_headers: list[tuple[str, str]],
        status: int,
        response_headers: list[tuple[str, str]],
        body: bytes,
        captured_at: str,
        protocol: str = "HTTP/1.1",
        ip_address: str | None = None,
    ) -> None:
        """Write a request and its response, both dated when the response came."""
        if self._file.closed:
            return  # a response that arrives after the crawl ended its file
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers = [("Host", parts.netloc), *request_headers]
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{method} {target} {protocol}",
                request_headers,
                is_http_request=True,
            ),
        )
        extra = {"WARC-Date": captured_at}
        if ip_address:
            extra["WARC-IP-Address"] = ip_address
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            warc_headers_dict=extra,
            http_headers=StatusAndHeaders(
                f"{status} {_reason(status)}".strip(),
                [
                    (name, value)
                    for name, value in response_headers
                    if name.lower() not in _UNDONE_HEADERS
                ],
                protocol=protocol,
            ),
        )
        request.rec_headers.replace_header("WARC-Date", captured_at)
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request.rec_headers.add_header("WARC-Concurrent-To", response_id)
        self._write(response)
        self._write(request)
        self.records += 2

    def write_unanswered(self, url: str, reason: str, at: str) -> None:
        """Write that the request for `url` got no answer, and why, dated `at`."""
        if self._file.closed:
            return
        fields = {UNANSWERED: _one_line(reason)}
        self._write(self._fields_record(url, fields, {"WARC-Date": at}))
        self.records += 1

    def close(self, outcome: dict[str, str] | None = None) -> None:
        """Write how the crawl ended (if said) and close the file; idempotent.

        Raises WarcError if the file cannot be written (the disk is full):
        what was written before stays readable up to its last whole record.
        """
        if self._file.closed:
            return
        try:
            if outcome and not self.broken:
                self._write(self._outcome_record(outcome))
                self.records += 1
        finally:
            try:
                self._file.close()
            except OSError as error:
                raise WarcError(f"cannot write {self.path}: {error.strerror}") from None

    def _outcome_record(self, outcome: dict[str, str]):
        refers_to = self._info.rec_headers.get_header("WARC-Record-ID")
        return self._fields_record("", outcome, {"WARC-Refers-To": refers_to})

    def _fields_record(self, url: str, fields: dict[str, str], headers: dict):
        """A `metadata` record of `name: value` lines (application/warc-fields)."""
        payload = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
        data = payload.encode("utf-8")
        return self._writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type="application/warc-fields",
            warc_headers_dict=headers,
        )

    def _write(self, record) -> None:
        """Write a whole record, or raise WarcError and write no more."""
        if self.broken:
            raise WarcError(f"cannot write {self.path}: an earlier write failed")
        try:
            self._writer.write_record(record)
            self._file.flush()
        except OSError as error:
            self.broken = True
            raise WarcError(f"cannot write {self.path}: {error.strerror}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# -- reading ------------------------------------------------------------------


@dataclass(frozen=True)
class Unanswered:
    """A request of the crawl that got no answer: its URL, why, and when."""

    url: str
    reason: str
    at: str | None


@dataclass
class CrawlWarc:
    """A crawl's WARC file read back: its warcinfo, responses, and ending.

    `responses()` yields the responses in the order they were written; after
    it, `outcome` holds the fields of the closing record, or None when the
    crawl never wrote one (it was killed), and `last_response` the offset of
    each URL's last response, which `response_at()` reads again.
    """

    path: Path
    info: dict[str, str] = field(default_factory=dict)
    started: str | None = None
    outcome: dict[str, str] | None = None
    last_capture: str | None = None
    last_response: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path) -> CrawlWarc:
        warc = cls(Path(path))
        for _, record, content in warc._records():
            if record.rec_type == "warcinfo":
                warc.info = _fields(content)
            warc.started = record.rec_headers.get_header("WARC-Date")
            break
        if warc.started is None:
            raise WarcError(f"{warc.path} holds no whole WARC record")
        return warc

    def responses(self) -> Iterator[Fetched]:
        for answer in self.answers():
            if isinstance(answer, Fetched):
                yield answer

    def answers(self) -> Iterator[Fetched | Unanswered]:
        """The responses, and the requests that got none, in the crawl's order."""
        for offset, record, content in self._records():
            headers = record.rec_headers
            if record.rec_type == "metadata" and headers.get_header("WARC-Refers-To"):
                self.outcome = _fields(content)
            elif record.rec_type == "metadata":
                reason = _fields(content).get(UNANSWERED)
                if reason is not None:
                    url = headers.get_header("WARC-Target-URI")
                    yield Unanswered(url, reason, headers.get_header("WARC-Date"))
            if record.rec_type != "response" or record.http_headers is None:
                continue
            response = _fetched(record, content)
            self.last_capture = response.captured_at
            self.last_response[response.url] = offset
            yield response

    def response_at(self, offset: int) -> Fetched:
        """The response whose record starts at `offset` (from `last_response`)."""
        for _, record, content in self._records(offset):
            return _fetched(record, content)
        raise WarcError(f"{self.path}: no whole record at offset {offset}")

    def _records(self, offset: int = 0) -> Iterator[tuple]:
        """Each whole record from `offset` on, with its offset and its content
        (an HTTP record's payload, decoded).

        Reading stops quietly at a record cut short (a crawl killed while it
        wrote): warcio reads a cut gzip member as far as it goes, so a record
        is whole only when its block has all the bytes its Content-Length says
        and its digest holds.
        """
        try:
            stream = open(self.path, "rb")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise WarcError(f"cannot read {self.path}: {error.strerror}") from None
        with stream:
            stream.seek(offset)
            records = ArchiveIterator(stream, check_digests=True)
            while True:
                try:
                    record = next(records)
                    content = record.content_stream().read()
                except StopIteration:
                    return
                except ArchiveLoadFailed as error:
                    if self.started is None:
                        raise WarcError(f"{self.path} is not a WARC file") from error
                    return
                except Exception:  # warcio fails in several ways on a cut tail
                    return
                if not _whole(record):
                    return
                try:
                    at = records.get_record_offset()  # from the file's start
                except Exception:  # a cut tail, as above
                    return
                yield at, record, content


def _fetched(record, content: bytes) -> Fetched:
    """A response record as it was received."""
    http = record.http_headers
    return Fetched(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode() or 0),
        content_type=http.get_header("Content-Type"),
        body=content,
        captured_at=record.rec_headers.get_header("WARC-Date"),
        location=http.get_header("Location"),
        memento_datetime=http.get_header("Memento-Datetime"),
        link=", ".join(value for name, value in http.headers if name.lower() == "link")
        or None,
    )


def _whole(record) -> bool:
    return (
        record.length is not None
        and getattr(record.raw_stream, "limit", 0) == 0
        and record.digest_checker.passed is not False
    )


def _fields(data: bytes) -> dict[str, str]:
    """application/warc-fields: `name: value` lines."""
    fields = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def warc_files(path: str | Path) -> list[Path]:
    """A WARC file, or the WARC files below a directory (`.warc` or `.warc.gz`)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise WarcError(f"{path}: no such file or directory")
    warcs = [
        candidate
        for candidate in sorted(path.rglob("*"))
        if candidate.is_file() and candidate.name.endswith((".warc", ".warc.gz"))
    ]
    if not warcs:
        raise WarcError(f"{path} holds no .warc or .warc.gz file")
    return warcs
