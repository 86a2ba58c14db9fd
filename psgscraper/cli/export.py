"""`psg export`: the archive's items as CSV, JSON or NDJSON, for analysts; its
crawls' WARC files as a WACZ package, for researchers who replay the pages."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import click

from ..archive import ArchiveError
from ..export import FORMATS, atomic_text_file, export_items, open_archive, stdout_text
from ..site import SECTIONS
from ..wacz import WACZ, WaczError, export_wacz
from .options import db_option


def _parse_sections(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    chosen = []
    for value in values:
        for section in (part.strip() for part in value.split(",")):
            if section and section not in chosen:
                chosen.append(section)
    unknown = [section for section in chosen if section not in SECTIONS]
    if unknown or (values and not chosen):
        raise click.BadParameter(
            f"{', '.join(unknown) or 'none given'}; choose among {', '.join(SECTIONS)}"
        )
    return tuple(chosen)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.date().isoformat()


def _check_usage(
    since: datetime | None, until: datetime | None, db: Path, output: Path | None
) -> None:
    if since and until and since > until:
        raise click.BadParameter(
            f"{until.date()} is before --since {since.date()}", param_hint="--until"
        )
    if output is not None and _same_file(db, output):
        raise click.BadParameter(
            f"{output} is the archive itself", param_hint="-o/--output"
        )


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _check_wacz_usage(
    since: datetime | None,
    until: datetime | None,
    sections: tuple[str, ...],
    output: Path | None,
) -> None:
    """A WACZ package holds whole crawls, and is binary: to a file only."""
    filters = {"--since": since, "--until": until, "--section": sections}
    given = [name for name, value in filters.items() if value]
    if given:
        verb = "filter" if len(given) > 1 else "filters"
        raise click.UsageError(
            f"{', '.join(given)} {verb} items; --format {WACZ} packages whole crawls"
        )
    if output is None:
        raise click.UsageError(
            f"--format {WACZ} writes a binary file: give it with -o/--output"
        )


def _wacz_summary(packaged, output: Path) -> str:
    warcs = len(packaged.warcs)
    noun = "WARC file" if warcs == 1 else "WARC files"
    return (
        f"exported {warcs:,} {noun} ({packaged.pages:,} listing pages) "
        f"to {output} as {WACZ}"
    )


def _summary(count: int, output: Path | None, fmt: str) -> str:
    noun = "item" if count == 1 else "items"
    return f"exported {count:,} {noun} to {output or 'stdout'} as {fmt}"


@click.command("export")
@db_option("The archive to read (opened read-only; a crawl may be writing to it).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*FORMATS, WACZ)),
    required=True,
    help="csv: RFC 4180 with a header row; json: one array of objects; "
    "ndjson: one object per line; wacz: the crawls' WARC files as a WACZ "
    "package (with -o), to replay in ReplayWeb.page or pywb.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Items dated on or after this day.",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Items dated on or before this day.",
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    callback=_parse_sections,
    metavar="SECTION",
    help="news, articles or home; repeat it or separate with commas. "
    "Default: every section.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (replaced only once the export is complete) "
    "instead of standard output.",
)
def export(db, fmt, since, until, sections, output) -> None:
    """Export the archive's items as CSV, JSON or NDJSON, in UTF-8.

    Every column of the items table but the crawler's internal ones, one row
    per item, ordered by date (undated items last), then id.

    --since and --until keep the items whose date falls in the range, both
    days included. An item dated only to the month (2009-04) or the year
    (2004) is kept when that month or year overlaps the range. Items without
    a date are left out as soon as either bound is given.

    --format wacz packages every crawl's WARC file, with an index and the
    listing pages as its page list, into the file -o names; the filters do
    not apply to it.

    Prints a one-line summary on standard error. Exits 1 when the archive
    cannot be read or the file cannot be written (no partial file is left),
    2 on wrong usage.
    """
    _check_usage(since, until, db, output)
    if fmt == WACZ:
        _check_wacz_usage(since, until, sections, output)
        _export_wacz(db, output)
        return
    options = {"since": _iso(since), "until": _iso(until), "sections": sections}
    try:
        with open_archive(db) as archive:
            count = _export_to(archive.conn, output, fmt, options)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    except sqlite3.Error as error:
        raise click.ClickException(f"{db}: {error}") from None
    click.echo(_summary(count, output, fmt), err=True)


def _export_wacz(db: Path, output: Path) -> None:
    try:
        with open_archive(db) as archive:
            packaged = export_wacz(archive, output)
    except (ArchiveError, WaczError) as error:
        raise click.ClickException(str(error)) from None
    except sqlite3.Error as error:
        raise click.ClickException(f"{db}: {error}") from None
    click.echo(_wacz_summary(packaged, output), err=True)


def _export_to(conn, output: Path | None, fmt: str, options: dict) -> int:
    if output is None:
        # A reader that stops early (`| head`) raises EPIPE, which click's
        # standalone mode turns into a quiet exit 1.
        with stdout_text() as out:
            return export_items(conn, out, fmt, **options)
    try:
        with atomic_text_file(output) as out:
            return export_items(conn, out, fmt, **options)
    except OSError as error:
        reason = error.strerror or error
        raise click.ClickException(f"cannot write {output}: {reason}") from None
