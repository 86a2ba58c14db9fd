"""Datasette on the archive, configured for researchers: `psg serve`."""

from __future__ import annotations

import importlib
from pathlib import Path

from datasette.app import Datasette

from ..archive import Archive, ArchiveError, crawl_in_progress
from .metadata import build_metadata
from .plugin import facets_named_only
from .public import SQL_THREADS

TEMPLATES = Path(__file__).parent / "templates"

SETTINGS = {
    # A runaway query stops rather than holding the server.
    "sql_time_limit_ms": 2000,
    # On 100,000 rows, facet suggestions alone cost about a second a page.
    "suggest_facets": False,
    "default_page_size": 50,
    "max_returned_rows": 1000,
    "allow_csv_stream": True,
    "default_cache_ttl": 60,
}


def prepare_archive(db: Path) -> None:
    """Ready the archive to be served: an archive no crawl is writing is
    brought to the current schema and its write-ahead log folded in; one
    being crawled is only checked. Raises ArchiveError for a missing or
    foreign file.

    Either way it is served as it changes (read-only, under WAL), never as
    immutable: the next scheduled crawl writes into it in place, and a reader
    that took the file for immutable could then read half-written pages.
    """
    if not db.is_file():
        raise ArchiveError(f"no archive at {db}: run `psg crawl` first")
    if crawl_in_progress(db):
        Archive(db, readonly=True).close()
        return
    with Archive(db) as archive:
        archive.checkpoint()


# Datasette prints, through rich, a traceback with its locals for every request
# it refuses: two hundred lines on standard error for each 404 a bot asks for.
# Without rich it prints a plain traceback for a server error alone.
importlib.import_module("datasette.handle_exception").rich = None


class ArchiveDatasette(Datasette):
    """Datasette, whose tables' default facets are for HTML pages: a JSON
    answer computes those its request names (see plugin.asgi_wrapper)."""

    def table_metadata(self, database, table):
        metadata = super().table_metadata(database, table)
        if facets_named_only.get() and "facets" in metadata:
            return {key: value for key, value in metadata.items() if key != "facets"}
        return metadata


def make_datasette(db: Path, *, public: bool = False) -> Datasette:
    """A Datasette serving the archive with the project's metadata and templates;
    `public`, for the open internet: no SQL of the reader's own, and its SQL
    threads shared out by public.PublicGate (which the server wraps it in)."""
    metadata = build_metadata(db.stem)
    settings = dict(SETTINGS)
    if public:
        metadata["allow_sql"] = False  # and so no _where= either
        settings["num_sql_threads"] = SQL_THREADS
    return ArchiveDatasette(
        files=[str(db)],
        metadata=metadata,
        template_dir=str(TEMPLATES),
        settings=settings,
    )
