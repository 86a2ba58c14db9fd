"""`psg reparse`: an archive rebuilt from WARC files, with no network."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..archive import ArchiveError
from ..warc import WarcError
from .options import db_option
from .report import plural


@click.command()
@click.option(
    "--warc",
    "sources",
    required=True,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="PATH_OR_DIR",
    help="A WARC file, or a directory of them (searched below); repeatable.",
)
@db_option("The new archive to write (must not exist yet).", required=True)
def reparse(sources: tuple[Path, ...], db: Path) -> None:
    """Rebuild an archive from WARC files alone, with no network.

    The files are read in capture order, each as the crawl that wrote it:
    same ids, fields, sightings, versions and dates. To bring a parser fix to
    the whole archive: re-parse into a new file, `psg diff` the two, swap.
    """
    from ..reparse import reparse as reparse_warcs

    started = time.monotonic()

    def report(done) -> None:
        crawl = done.crawl
        click.echo(
            f"{done.warc.name}: crawl {crawl['id']} {crawl['status']}, "
            f"{plural(done.responses, 'response')}, "
            f"{plural(crawl['pages'], 'listing page')}, "
            f"{plural(done.item_pages, 'item page')}, "
            f"items seen {crawl['items_seen']} / new {crawl['items_new']} / "
            f"changed {crawl['items_changed']}",
            err=True,
        )

    try:
        crawls = reparse_warcs(sources, db, on_crawl=report)
    except (ArchiveError, WarcError) as error:
        raise click.ClickException(str(error)) from None
    seconds = time.monotonic() - started
    pages = sum(done.crawl["pages"] + done.item_pages for done in crawls)
    click.echo(
        f"re-parsed {plural(len(crawls), 'WARC file')} into {db} in {seconds:.1f}s: "
        f"{plural(pages, 'page')} ({pages / seconds:.0f} pages/s), no network",
        err=True,
    )
