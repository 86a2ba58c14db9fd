"""An archive file opened: its connection, its schema made current, transactions.

Writes use plain SQL on a connection in autocommit mode with explicit
BEGIN/COMMIT; sqlite-utils builds the schema (`schema.py`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from .schema import ArchiveError, check_version, connect_read_only, ensure_schema

_Self = TypeVar("_Self", bound="ArchiveFile")


class ArchiveFile:
    """An archive file, opened for a crawl (read-write) or for a look (read-only)."""

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.upgraded_from: int | None = None  # the schema version it had
        try:
            self.conn = self._connect()
            self.db = sqlite_utils.Database(self.conn)
            if not readonly:
                self.upgraded_from = ensure_schema(self.db, self.path)
            else:
                check_version(self.conn, self.path)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: {error}") from None

    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            conn = connect_read_only(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        # With WAL, NORMAL keeps every committed page through a crash of the
        # process; only a power cut may lose the last few, never corrupt.
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file, for readers that ignore it."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: what is written inside is committed together.

        The archive's own writes each run in one; inside another, a write is
        part of it, so that a reader never sees one without the other.
        """
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already
                self.conn.execute("ROLLBACK")
            raise

    def count(self, table: str) -> int:
        return self.db[table].count
