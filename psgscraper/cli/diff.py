"""`psg diff OLD.db NEW.db`: what a re-parse would change in the archive."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from ..archive import ArchiveError
from ..diff import DEFAULT_IGNORED, UnknownColumn, diff_archives, write_differences
from ..export import stdout_text


class DiffTrouble(click.ClickException):
    """The comparison could not be made: exit status 2, as diff(1) does."""

    exit_code = 2


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--ignore",
    "ignored",
    multiple=True,
    metavar="COLUMN",
    help="Do not compare this column of items; repeatable. "
    f"{' and '.join(DEFAULT_IGNORED)} are never compared unless --all.",
)
@click.option(
    "--all",
    "compare_all",
    is_flag=True,
    help=f"Compare {' and '.join(DEFAULT_IGNORED)} too (the crawls that saw "
    "an item: numbered differently by different crawls).",
)
@click.option("--full", is_flag=True, help="Print long values whole, not shortened.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per line and difference, values whole, for scripts.",
)
def diff(old, new, ignored, compare_all, full, as_json) -> None:
    """Compare the items of two archives: added, removed, changed field by field.

    For bringing a parser fix to the archive: re-parse into NEW with
    `psg reparse`, compare it with OLD here, then swap the files.

    Prints `+ ID  TITLE` for an item only in NEW, `- ID  TITLE` for one only
    in OLD, and `~ ID  TITLE` for one in both with a different value in some
    column, followed by one `    COLUMN: OLD → NEW` line per column (NULL
    against a value counts). A column of items that only one archive has is
    reported once, on a line of its own starting with `!`. Items come in id
    order; a summary line goes to standard error.

    Both files are opened read-only; a crawl may be writing to either. Exits
    0 when the archives hold the same items, 1 when they differ (in items or
    in columns), 2 when they cannot be compared (a missing file, one that is
    not an archive, a column to ignore that neither has).
    """
    ignore = set(ignored) | (set() if compare_all else set(DEFAULT_IGNORED))
    try:
        with stdout_text() as out:
            totals = write_differences(
                diff_archives(old, new, ignore),
                out,
                old,
                new,
                as_json=as_json,
                full=full,
            )
    except ArchiveError as error:
        raise DiffTrouble(str(error)) from None
    except UnknownColumn as error:
        raise click.BadParameter(str(error), param_hint="--ignore") from None
    except sqlite3.Error as error:
        raise DiffTrouble(f"cannot compare {old} and {new}: {error}") from None
    click.echo(totals.summary(), err=True)
    if totals.differ:
        raise SystemExit(1)
