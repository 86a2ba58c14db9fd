"""`psg diff OLD.db NEW.db`: what a re-parse would change in the archive.

A parser fix reaches the whole archive by re-parsing the raw captures into a
new file (`psg reparse`), comparing the two, then swapping them. This is the
comparison: the items only in NEW (added), only in OLD (removed), and, for the
items in both, every column whose value differs.

Both files are opened read-only, NEW attached to OLD's connection, so that the
comparison is one SQL query, read in one snapshot of each file and streamed
row by row: memory stays constant whatever the archives' size. The columns
compared are the ones both `items` tables have, read from the schema; a
column only one side has is reported once, not for every item.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .archive import ArchiveError, id_order
from .archive.schema import (
    ITEM_CRAWL_COLUMNS,
    ITEMS,
    check_archive,
    connect_read_only,
    item_columns,
    quote_identifier,
    read_only_uri,
)

# The columns that name crawls: two archives built by different crawls (an
# archive and its re-parse) number their crawls differently.
DEFAULT_IGNORED = ITEM_CRAWL_COLUMNS

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
OLD, NEW = "old", "new"

NEW_SCHEMA = "new_archive"  # what NEW is attached as; OLD is `main`
VALUE_WIDTH = 60  # characters of a value a text line shows, unless --full
CONTEXT = 15  # characters kept before and after the part of a value that changed


@dataclass(frozen=True)
class ColumnOnlyIn:
    """A column of `items` that one archive has and the other lacks."""

    column: str
    side: str  # OLD or NEW


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: object
    new: object


@dataclass(frozen=True)
class ItemDifference:
    """An item added, removed or changed; `title` is its newest title."""

    id: str
    change: str  # ADDED, REMOVED or CHANGED
    title: str | None
    fields: tuple[FieldChange, ...] = ()


Difference = ColumnOnlyIn | ItemDifference


class UnknownColumn(ValueError):
    """A column to ignore that neither archive has (a typo, most likely)."""


# -- comparing ------------------------------------------------------------------


def diff_archives(
    old: str | Path, new: str | Path, ignore: Iterable[str] = DEFAULT_IGNORED
) -> Iterator[Difference]:
    """The differences between two archives' items, streamed.

    First the columns only one side has, then the items in id order
    (`article-99` before `article-100`). Raises ArchiveError when a file is
    missing or not an archive, UnknownColumn when a column in `ignore` (other
    than the default ones) is in neither archive.
    """
    ignore = set(ignore)
    with closing(_connect(Path(old), Path(new))) as conn:
        conn.execute("BEGIN")  # one snapshot of both files for every query
        old_columns = _item_columns(conn, "main", old)
        new_columns = _item_columns(conn, NEW_SCHEMA, new)
        _check_ignored(ignore, old_columns, new_columns)
        yield from _columns_only_in(old_columns, new_columns, ignore)
        compared = [
            column
            for column in old_columns
            if column in new_columns and column != "id" and column not in ignore
        ]
        query = _difference_query(
            compared, "title" in old_columns, "title" in new_columns
        )
        for row in conn.execute(query):
            yield _difference(row, compared)


def _connect(old: Path, new: Path) -> sqlite3.Connection:
    """OLD opened read-only, NEW attached read-only as NEW_SCHEMA."""
    for path in (old, new):
        if not path.exists():
            raise ArchiveError(f"{path}: no such file")
        if not path.is_file():
            raise ArchiveError(f"{path}: not a file")
    try:
        conn = connect_read_only(old)  # waits for a crawl that is committing
    except sqlite3.Error as error:
        raise ArchiveError(f"{old}: {error}") from None
    try:
        _read_schema(conn, "main", old)
        conn.execute(f"ATTACH DATABASE ? AS {NEW_SCHEMA}", (read_only_uri(new),))
        _read_schema(conn, NEW_SCHEMA, new)
    except sqlite3.Error as error:
        conn.close()
        raise ArchiveError(f"{new}: {error}") from None
    except ArchiveError:
        conn.close()
        raise
    conn.create_collation("id_order", _compare_ids)
    return conn


def _read_schema(conn: sqlite3.Connection, schema: str, path: Path) -> None:
    """Read a file's schema on its own, so that a file that is no database is
    named as the culprit (ATTACH reads the main file's schema too)."""
    try:
        conn.execute(f"SELECT count(*) FROM {schema}.sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise ArchiveError(f"{path}: {error}") from None


def _compare_ids(a: str, b: str) -> int:
    first, second = id_order(a), id_order(b)
    return (first > second) - (first < second)


def _item_columns(conn: sqlite3.Connection, schema: str, path) -> list[str]:
    """The columns of one archive's `items`, in table order."""
    try:
        check_archive(conn, path, schema)
        return list(item_columns(conn, schema))
    except sqlite3.Error as error:
        raise ArchiveError(f"{path}: {error}") from None


def _check_ignored(ignore: set[str], old_columns, new_columns) -> None:
    unknown = ignore - set(DEFAULT_IGNORED) - set(old_columns) - set(new_columns)
    if unknown:
        raise UnknownColumn(
            f"no column {', '.join(sorted(unknown))} in either archive's items"
        )


def _columns_only_in(old_columns, new_columns, ignore) -> Iterator[ColumnOnlyIn]:
    for column in old_columns:
        if column not in new_columns and column not in ignore:
            yield ColumnOnlyIn(column, OLD)
    for column in new_columns:
        if column not in old_columns and column not in ignore:
            yield ColumnOnlyIn(column, NEW)


def _difference_query(compared: Sequence[str], old_title: bool, new_title: bool):
    """One query for the three kinds of difference, in id order.

    Each row: id, kind, title, then for each compared column whether it
    differs (`IS NOT`: NULL against a value counts) and its old and new value.
    The items only on one side carry NULLs there.
    """
    triples = ", ".join(
        f"o.{q} IS NOT n.{q}, o.{q}, n.{q}" for q in map(quote_identifier, compared)
    )
    nulls = ", ".join("NULL, NULL, NULL" for _ in compared)
    any_differs = " OR ".join(
        f"o.{q} IS NOT n.{q}" for q in map(quote_identifier, compared)
    )
    old_title_sql = "o.title" if old_title else "NULL"
    new_title_sql = "n.title" if new_title else "NULL"
    tail = ", " if compared else ""
    return f"""
        SELECT o.id, '{CHANGED}', {new_title_sql}{tail}{triples}
        FROM main.{ITEMS} o JOIN {NEW_SCHEMA}.{ITEMS} n ON n.id = o.id
        WHERE {any_differs or "0"}
        UNION ALL
        SELECT o.id, '{REMOVED}', {old_title_sql}{tail}{nulls}
        FROM main.{ITEMS} o
        WHERE NOT EXISTS (SELECT 1 FROM {NEW_SCHEMA}.{ITEMS} n WHERE n.id = o.id)
        UNION ALL
        SELECT n.id, '{ADDED}', {new_title_sql}{tail}{nulls}
        FROM {NEW_SCHEMA}.{ITEMS} n
        WHERE NOT EXISTS (SELECT 1 FROM main.{ITEMS} o WHERE o.id = n.id)
        ORDER BY 1 COLLATE id_order
    """


def _difference(row: tuple, compared: Sequence[str]) -> ItemDifference:
    item_id, change, title, *triples = row
    fields = tuple(
        FieldChange(column, triples[3 * n + 1], triples[3 * n + 2])
        for n, column in enumerate(compared)
        if triples[3 * n]
    )
    return ItemDifference(item_id, change, title, fields)


# -- showing --------------------------------------------------------------------


def text_lines(difference: Difference, old: Path, new: Path, full: bool):
    """The lines a person reads for one difference."""
    if isinstance(difference, ColumnOnlyIn):
        path = old if difference.side == OLD else new
        yield f"! column {difference.column} only in {path}"
        return
    marker = {ADDED: "+", REMOVED: "-", CHANGED: "~"}[difference.change]
    yield f"{marker} {difference.id}  {_one_line(difference.title)}"
    for field in difference.fields:
        if full:
            shown = _literal(field.old), _literal(field.new)
        else:
            shown = shorten_pair(field.old, field.new)
        yield f"    {field.column}: {shown[0]} → {shown[1]}"


def json_object(difference: Difference, old: Path, new: Path) -> dict:
    """One difference for a script, with the values whole."""
    if isinstance(difference, ColumnOnlyIn):
        path = old if difference.side == OLD else new
        return {
            "change": "column",
            "column": difference.column,
            "only_in": difference.side,
            "path": str(path),
        }
    found: dict = {
        "change": difference.change,
        "id": difference.id,
        "title": difference.title,
    }
    if difference.change == CHANGED:
        found["fields"] = {
            field.column: {"old": field.old, "new": field.new}
            for field in difference.fields
        }
    return found


def _one_line(text: str | None) -> str:
    return " ".join(str(text).split()) if text is not None else "(no title)"


def _literal(value: object) -> str:
    """A value as Python writes it (quotes, escapes), NULL for SQL's NULL."""
    return "NULL" if value is None else repr(value)


def shorten_pair(old: object, new: object, width: int = VALUE_WIDTH):
    """Two values shortened for one line, keeping the part that changed in view.

    Text both values share at the start or the end is left out beyond a little
    context; what remains is cut in the middle if still too long. Quoted
    pieces are literal text and `…` outside the quotes stands for what was
    left out, so an ellipsis the site printed is not mistaken for a cut.
    """
    if not (isinstance(old, str) and isinstance(new, str)):
        return _shorten(old, width), _shorten(new, width)
    if len(old) <= width and len(new) <= width:
        return repr(old), repr(new)
    start, old_end, new_end = _changed_span(old, new)
    return (
        _excerpt(old, start, old_end, width),
        _excerpt(new, start, new_end, width),
    )


def _changed_span(old: str, new: str) -> tuple[int, int, int]:
    """Where the two texts start differing, and where each stops, with context."""
    prefix = _common_length(old, new, lambda text, n: text[:n])
    limit = min(len(old), len(new)) - prefix
    suffix = _common_length(old, new, lambda text, n: text[len(text) - n :], limit)
    start = max(0, prefix - CONTEXT)
    kept_suffix = max(0, suffix - CONTEXT)
    return start, len(old) - kept_suffix, len(new) - kept_suffix


def _common_length(a: str, b: str, part, limit: int | None = None) -> int:
    """The longest n for which part(a, n) == part(b, n), found by bisection:
    a few comparisons of slices rather than a Python loop over every character
    of a long body."""
    low, high = 0, min(len(a), len(b)) if limit is None else limit
    while low < high:
        middle = (low + high + 1) // 2
        if part(a, middle) == part(b, middle):
            low = middle
        else:
            high = middle - 1
    return low


def _excerpt(text: str, start: int, end: int, width: int) -> str:
    piece = _shorten(text[start:end], width)
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


def _shorten(value: object, width: int) -> str:
    """A value, cut in the middle when it is longer than `width`."""
    if not isinstance(value, str):
        return _literal(value)
    if len(value) <= width:
        return repr(value)
    head = (width + 1) // 2
    tail = width - head
    return f"{value[:head]!r}…{value[-tail:]!r}"


class Totals:
    """What the summary line counts, as the differences go by."""

    def __init__(self) -> None:
        self.changes: Counter[str] = Counter()
        self.fields: Counter[str] = Counter()
        self.columns: list[ColumnOnlyIn] = []

    def add(self, difference: Difference) -> None:
        if isinstance(difference, ColumnOnlyIn):
            self.columns.append(difference)
            return
        self.changes[difference.change] += 1
        self.fields.update(field.column for field in difference.fields)

    @property
    def differ(self) -> bool:
        return bool(self.columns or self.changes)

    def summary(self) -> str:
        line = ", ".join(
            f"{self.changes[change]:,} {change}" for change in (ADDED, REMOVED, CHANGED)
        )
        if self.fields:
            counts = ", ".join(
                f"{column} {count:,}" for column, count in self.fields.most_common()
            )
            line += f" (fields: {counts})"
        if self.columns:
            only = ", ".join(f"{c.column} ({c.side})" for c in self.columns)
            line += f"; columns only on one side: {only}"
        return line


# -- writing --------------------------------------------------------------------


def write_differences(
    differences: Iterable[Difference],
    out: TextIO,
    old: Path,
    new: Path,
    *,
    as_json: bool = False,
    full: bool = False,
) -> Totals:
    totals = Totals()
    for difference in differences:
        totals.add(difference)
        if as_json:
            line = json.dumps(json_object(difference, old, new), ensure_ascii=False)
            out.write(line + "\n")
        else:
            for line in text_lines(difference, old, new, full):
                out.write(line + "\n")
    return totals
