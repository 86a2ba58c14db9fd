"""`backup`: a consistent copy of an archive, made while a crawl writes it."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from .schema import ArchiveError, connect_read_only


def backup(source: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """A consistent copy of the archive at `dest`, made while it is in use.

    SQLite's online backup copies one snapshot of the file, in one step: a
    crawl writing meanwhile (WAL) carries on, and what it commits later is not
    in the copy; Datasette reading it is not disturbed. The copy is a single
    file (no write-ahead log), written beside `dest` and moved there only once
    whole and checked, so `dest` is never half a copy. A directory `dest`
    gets `NAME-YYYYMMDDTHHMMSSZ.db`. Returns the path written.
    """
    source = Path(source)
    dest = Path(dest)
    if dest.is_dir():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        dest = dest / f"{source.stem}-{stamp}.db"
    if dest.exists() and dest.resolve() == source.resolve():
        raise ArchiveError(f"{dest} is the archive itself")
    partial = dest.with_name(dest.name + ".partial")
    try:
        reader = connect_read_only(source)  # ArchiveError if there is none
        with closing(reader), closing(sqlite3.connect(partial)) as copy:
            reader.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise ArchiveError(f"the copy of {source} failed its check: {check}")
        partial.replace(dest)
    except sqlite3.Error as error:
        raise ArchiveError(f"cannot back up {source} to {dest}: {error}") from None
    except OSError as error:
        raise ArchiveError(
            f"cannot back up {source} to {dest}: {error.strerror}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return dest
