"""`psg export`: the archive's items as CSV, JSON or NDJSON, for analysts.

The export reads the archive read-only, in one SELECT: under WAL that is one
consistent snapshot, taken without blocking (or being blocked by) a crawl that
is writing. Rows are written one by one as the cursor yields them, so memory
stays constant whatever the archive's size.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from .archive import Archive, schema
from .archive.schema import INTERNAL_COLUMNS, ITEMS, check_archive, quote_identifier

FORMATS = ("csv", "json", "ndjson")

Row = tuple


# -- reading ------------------------------------------------------------------


def item_columns(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The exported columns of `items`, in table order: all but the crawler's
    internal ones (INTERNAL_COLUMNS)."""
    check_archive(conn)
    return tuple(
        column for column in schema.item_columns(conn) if column not in INTERNAL_COLUMNS
    )


def date_filter(since: str | None, until: str | None) -> tuple[list[str], dict]:
    """SQL conditions keeping the items whose date's period overlaps the range.

    Dates are ISO strings of day, month or year precision (`2009-04-15`,
    `2009-04`, `2004`), so string comparison does it without date arithmetic:
    the period starts on or before `until` exactly when `date <= until` (a
    month or year sorts before every day it contains), and it ends on or after
    `since` exactly when `since` cut to the date's length is `<= date`. A NULL
    date compares as unknown, so undated items drop out when a bound is given.
    """
    conditions, params = [], {}
    if since is not None:
        conditions.append("substr(:since, 1, length(date)) <= date")
        params["since"] = since
    if until is not None:
        conditions.append("date <= :until")
        params["until"] = until
    return conditions, params


def items_query(
    columns: Sequence[str],
    *,
    since: str | None = None,
    until: str | None = None,
    sections: Sequence[str] = (),
) -> tuple[str, dict]:
    """The SELECT of the export and its parameters."""
    conditions, params = date_filter(since, until)
    if sections:
        marks = ", ".join(f":section{n}" for n in range(len(sections)))
        conditions.append(f"section IN ({marks})")
        params.update({f"section{n}": s for n, s in enumerate(sections)})
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    selected = ", ".join(quote_identifier(column) for column in columns)
    sql = f"SELECT {selected} FROM {ITEMS}{where} ORDER BY date IS NULL, date, id"
    return sql, params


def iter_items(
    conn: sqlite3.Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    sections: Sequence[str] = (),
) -> tuple[tuple[str, ...], Iterator[Row]]:
    """The exported columns, and the rows as the cursor yields them."""
    columns = item_columns(conn)
    sql, params = items_query(columns, since=since, until=until, sections=sections)
    return columns, iter(conn.execute(sql, params))


# -- writing ------------------------------------------------------------------


def write_csv(columns: Sequence[str], rows: Iterable[Row], out: TextIO) -> int:
    """RFC 4180: a header row, CRLF, quoted when needed, NULL as empty.

    Newlines inside a summary stay as they are, within the quoted field; `out`
    must be opened with `newline=""` so that nothing translates them.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_json(columns: Sequence[str], rows: Iterable[Row], out: TextIO) -> int:
    """One JSON array of objects, written an object at a time."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(_json_object(columns, row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_ndjson(columns: Sequence[str], rows: Iterable[Row], out: TextIO) -> int:
    """One JSON object per line."""
    count = 0
    for row in rows:
        out.write(_json_object(columns, row) + "\n")
        count += 1
    return count


def _json_object(columns: Sequence[str], row: Row) -> str:
    return json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False)


WRITERS: dict[str, Callable[[Sequence[str], Iterable[Row], TextIO], int]] = {
    "csv": write_csv,
    "json": write_json,
    "ndjson": write_ndjson,
}


def export_items(
    conn: sqlite3.Connection,
    out: TextIO,
    fmt: str,
    *,
    since: str | None = None,
    until: str | None = None,
    sections: Sequence[str] = (),
) -> int:
    """Write the selected items to `out` in `fmt`; returns how many."""
    columns, rows = iter_items(conn, since=since, until=until, sections=sections)
    return WRITERS[fmt](columns, rows, out)


# -- where the export goes ----------------------------------------------------


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` only once complete.

    It is written beside `path` under a temporary name and renamed over `path`
    at the end; on any error, or an interruption, the temporary file is
    removed and `path` is left as it was.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # os.open rather than tempfile: the file gets the usual umask permissions.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise


@contextmanager
def stdout_text() -> Iterator[TextIO]:
    """Standard output as UTF-8 text without newline translation."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield out
        out.flush()
    finally:
        out.detach()  # leave sys.stdout open


# -- the archive --------------------------------------------------------------


def open_archive(db: Path) -> Archive:
    """The archive, read-only; ArchiveError for a file that is not one."""
    archive = Archive(db, readonly=True)
    try:
        check_archive(archive.conn, db)
    except Exception:
        archive.close()
        raise
    return archive
