"""`psg backup`: a consistent copy of the archive, made while it is in use."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..archive import ArchiveError
from .options import db_option
from .report import file_size


@click.command("backup")
@db_option("The archive to copy (it may be in use by a crawl and by Datasette).")
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(db: Path, dest: Path) -> None:
    """Copy the archive to DEST (a file, or a directory to put a dated copy in).

    The copy is one consistent snapshot, made with SQLite's online backup
    while crawls and Datasette go on using the archive, checked, and moved
    into place only once whole. Restore by stopping crawls and copying it
    back over the archive.
    """
    from ..archive import backup

    started = time.monotonic()
    try:
        written = backup(db, dest)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"backed up {db} to {written} ({file_size(written.stat().st_size)}) "
        f"in {time.monotonic() - started:.1f}s",
        err=True,
    )
