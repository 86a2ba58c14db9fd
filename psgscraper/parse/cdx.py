"""`parse_cdx`: one answer of a CDX server in, captures out, in either dialect.

The Internet Archive's CDX server (`output=json`) answers a JSON array of
rows: the first names the fields (`fl=`), each next one is a capture; a paged
answer (`showResumeKey=true`) ends with an empty row and a one-field row
holding the key that asks for the next page. pywb (the Webrecorder engine
that the UK Web Archive and others run) answers one JSON object per line
(`output=json`) or CDXJ lines (`URLKEY TIMESTAMP {...}`, its default), names
the fields `url`, `status` and `mime`, leaves `status` out of a revisit, has
no resume key, and pages only a ZipNum index, whose `showNumPages=true`
answer is an object `{"pages": N, ...}`. Both are read here, and the answer
says which it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# The fields the crawl asks the Internet Archive for, in this order (`fl=`).
CDX_FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest")
IA, PYWB = "ia", "pywb"  # the two dialects
DIALECTS = (IA, PYWB)
# pywb's names of the same fields.
_PYWB_FIELDS = {"original": "url", "statuscode": "status", "mimetype": "mime"}


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
    """The captures of one answer, how to ask for more, or why none.

    `resume_key` asks the Internet Archive for the next page; `pages` is how
    many pages a pywb ZipNum index has (an answer to `showNumPages=true`).
    """

    captures: tuple[CdxCapture, ...] = ()
    resume_key: str | None = None
    reason: str | None = None  # why the answer could not be read
    dialect: str | None = None  # IA or PYWB, None for an empty answer
    pages: int | None = None


def parse_cdx(body: bytes | str) -> CdxPage:
    """Read a CDX server's answer, of either dialect; never raises on bad input.

    Rows without a 14-digit timestamp or an original URL are left out, and so
    are pywb's fuzzy matches (captures of another URL, offered when the asked
    one has none); an empty answer (`[]`, or an empty body) is no captures.
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.strip()
    if not text:
        return CdxPage()
    if text.startswith("["):
        return _internet_archive(text)
    return _pywb(text)


def _internet_archive(text: str) -> CdxPage:
    try:
        rows = json.loads(text)
    except ValueError:
        return CdxPage(reason="the CDX answer is not JSON")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return CdxPage(reason="the CDX answer is not a list of rows")
    if not rows:
        return CdxPage(dialect=IA)
    header, rows = rows[0], rows[1:]
    resume_key = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        resume_key = str(rows[-1][0])
        rows = rows[:-2]
    missing = [name for name in CDX_FIELDS if name not in header]
    if missing:
        return CdxPage(reason=f"the CDX answer lacks the fields {', '.join(missing)}")
    at = {name: header.index(name) for name in CDX_FIELDS}
    captures = [
        CdxCapture(*(str(row[at[name]]) for name in CDX_FIELDS))
        for row in rows
        if len(row) == len(header)
    ]
    return CdxPage(tuple(filter(_whole, captures)), resume_key, dialect=IA)


def _pywb(text: str) -> CdxPage:
    """pywb's lines: JSON objects (`output=json`) or CDXJ (`KEY STAMP {...}`)."""
    entries = []
    for line in filter(None, map(str.strip, text.splitlines())):
        entry = _pywb_entry(line)
        if entry is None:
            return CdxPage(reason="the CDX answer is not JSON")
        entries.append(entry)
    if len(entries) == 1 and "pages" in entries[0] and "url" not in entries[0]:
        pages = entries[0]["pages"]
        return CdxPage(dialect=PYWB, pages=pages if isinstance(pages, int) else None)
    message = entries[0].get("message")  # pywb's error object
    if len(entries) == 1 and isinstance(message, str):
        return CdxPage(reason=f"the CDX server says: {message}", dialect=PYWB)
    if any("url" not in entry for entry in entries):
        # Objects without pywb's names: asked for other fields (`fl=`), or
        # not a CDX answer at all.
        return CdxPage(reason="the CDX answer is not a list of rows", dialect=PYWB)
    captures = [
        CdxCapture(
            str(entry.get("timestamp", "")),
            str(entry.get(_PYWB_FIELDS["original"], "")),
            str(entry.get(_PYWB_FIELDS["statuscode"]) or "-"),
            str(entry.get(_PYWB_FIELDS["mimetype"], "")),
            str(entry.get("digest", "")),
        )
        for entry in entries
        if entry.get("is_fuzzy") in (None, "0", 0, False)
    ]
    return CdxPage(tuple(filter(_whole, captures)), dialect=PYWB)


def _pywb_entry(line: str) -> dict | None:
    """One line: a JSON object, or CDXJ's `URLKEY TIMESTAMP {...}`."""
    if line.startswith("{"):
        return _json_object(line)
    parts = line.split(" ", 2)
    entry = _json_object(parts[2]) if len(parts) == 3 else None
    if entry is not None:
        entry.setdefault("timestamp", parts[1])
    return entry


def _json_object(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _whole(capture: CdxCapture) -> bool:
    stamp = capture.timestamp
    return len(stamp) == 14 and stamp.isdigit() and bool(capture.original)
