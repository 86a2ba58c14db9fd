"""`parse_cdx`: one page of a CDX server's answer (`output=json`) in, captures out.

The Wayback Machine's CDX server (and pywb's) answers a JSON array of rows:
the first names the fields (`fl=`), each next one is a capture. A paged
answer (`showResumeKey=true`) ends with an empty row and a one-field row
holding the key that asks for the next page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# The fields the crawl asks for, in this order (`fl=`).
CDX_FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest")


@dataclass(frozen=True, slots=True)
class CdxCapture:
    """One capture the CDX server lists: when, of what, and what it held."""

    timestamp: str  # 14 digits, UTC
    original: str
    statuscode: str  # "200", "301", ... or "-" (a revisit record)
    mimetype: str
    digest: str  # base32 SHA-1 of the payload

    @property
    def status(self) -> int | None:
        return int(self.statuscode) if self.statuscode.isdigit() else None


@dataclass(frozen=True, slots=True)
class CdxPage:
    """The captures of one answer, the key to the next page, or why none."""

    captures: tuple[CdxCapture, ...] = ()
    resume_key: str | None = None
    reason: str | None = None  # why the answer could not be read


def parse_cdx(body: bytes | str) -> CdxPage:
    """Read a CDX server's JSON answer; never raises on bad input.

    Rows without a 14-digit timestamp or an original URL are left out; an
    empty answer (`[]`, or an empty body: no captures) is no captures.
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if not text.strip():
        return CdxPage()
    try:
        rows = json.loads(text)
    except ValueError:
        return CdxPage(reason="the CDX answer is not JSON")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return CdxPage(reason="the CDX answer is not a list of rows")
    if not rows:
        return CdxPage()
    header, rows = rows[0], rows[1:]
    resume_key = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        resume_key = str(rows[-1][0])
        rows = rows[:-2]
    missing = [name for name in CDX_FIELDS if name not in header]
    if missing:
        return CdxPage(reason=f"the CDX answer lacks the fields {', '.join(missing)}")
    at = {name: header.index(name) for name in CDX_FIELDS}
    captures = []
    for row in rows:
        if len(row) != len(header):
            continue
        capture = CdxCapture(*(str(row[at[name]]) for name in CDX_FIELDS))
        stamp = capture.timestamp
        if len(stamp) == 14 and stamp.isdigit() and capture.original:
            captures.append(capture)
    return CdxPage(tuple(captures), resume_key)
