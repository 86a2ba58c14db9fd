"""The `psg` command."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click

from . import __version__
from .archive import (
    SITE,
    SOURCES,
    WAYBACK,
    WORDPRESS,
    ArchiveError,
    CrawlRunning,
    took_over_message,
)
from .demo import demo
from .diff import diff
from .export import export
from .options import db_option
from .parse import Listing, parse_listing
from .parse.records import BINARY, EMPTY_BODY, NO_LIST, NOT_HTML
from .site import LIVE_SITE as DEFAULT_BASE_URL
from .site import WAYBACK_CDX, WAYBACK_REPLAY
from .warc import WarcError

try:  # the mirror, a test and demo double, is a package beside the product
    from psgmirror.cli import mirror
except ImportError:  # the product's wheel alone
    mirror = click.Group(
        "mirror", help="The offline mirror: not installed (make install)."
    )

# Exit status of psg crawl when another crawl holds the archive.
CRAWL_RUNNING = 3


@click.group()
@click.version_option(__version__, prog_name="psg")
def cli() -> None:
    """psgscraper: crawl, clean and publish the Peru Support Group's newsletter."""


cli.add_command(mirror)
cli.add_command(demo)
cli.add_command(export)
cli.add_command(diff)


@cli.command()
@click.argument("source", metavar="FILE_OR_URL")
@click.option(
    "--url",
    "page_url",
    help="The URL the page was fetched from: makes its links absolute and names "
    "its section (news, articles or home). Defaults to the source.",
)
@click.option(
    "--encoding",
    help="Decode with this encoding instead of the one the page declares "
    "(labels as browsers read them: iso-8859-1 means windows-1252).",
)
def parse(source: str, page_url: str | None, encoding: str | None) -> None:
    """Parse one saved or live listing page and print its records.

    Prints one JSON object per item on standard output and a one-line summary
    of the page (items, set-aside blocks, pagination) on standard error.
    Exits 1 when the source is not an HTML listing page.
    """
    body, content_type, fetched_url = _read_source(source)
    try:
        listing = parse_listing(
            body,
            page_url or fetched_url,
            content_type=content_type,
            encoding=encoding,
        )
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="--encoding") from None
    if listing.reason in (EMPTY_BODY, NOT_HTML, BINARY):
        raise click.ClickException(f"{source} is not an HTML page: {listing.reason}")
    if listing.reason == NO_LIST:
        raise click.ClickException(
            f"{source}: {listing.reason}; not a listing page, or the layout changed"
        )
    out = sys.stdout.buffer  # UTF-8 whatever the locale says
    for record in listing.items:
        line = json.dumps(record.as_dict(), ensure_ascii=False)
        out.write(line.encode("utf-8") + b"\n")
    out.flush()
    click.echo(summary_line(listing), err=True)


@cli.command()
@click.option(
    "--source",
    type=click.Choice(SOURCES),
    default=SITE,
    show_default=True,
    help="site: the listing pages at --base-url; wayback: every capture of them "
    "in the Wayback Machine (or a pywb); wordpress: the current site's posts "
    "through its REST API at --base-url.",
)
@click.option(
    "--base-url",
    help="The site's root: the live host (the default), a web archive's copy of "
    "it at one date (https://web.archive.org/web/2018id_/http://www."
    "perusupportgroup.org.uk/), the offline mirror; with --source wordpress, "
    "the WordPress site.",
)
@db_option("The archive to write (created if missing).")
@click.option(
    "--sections",
    help="Comma-separated: news, articles, home (not for wordpress, whose posts "
    "are one list).  [default: news,articles,home]",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Stop each listing at the first page the archive already holds unchanged "
    "(wordpress: whose posts it holds as last modified; a Wayback crawl always "
    "reads only the captures it has not read).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between requests to the host (AutoThrottle adapts above it); "
    "0 for the loopback mirror.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=32),
    help="Requests at a time to the host: 2 by default, as befits a real host; "
    "16 with --delay 0; 1 for the Wayback Machine, oldest capture first.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    help="Listing pages per section at most (Wayback: captures fetched at most, "
    "oldest first; the next run goes on from there).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds before a request times out (it is then retried twice).",
)
@click.option(
    "--full-text",
    is_flag=True,
    help="Also fetch the own page of every new or changed item (and of items "
    "with no text yet) and store its full text.",
)
@click.option(
    "--from",
    "since",
    metavar="YYYY[MM[DD...]]",
    help="Wayback: captures from this time on (UTC, 4 to 14 digits).",
)
@click.option(
    "--to",
    "until",
    metavar="YYYY[MM[DD...]]",
    help="Wayback: captures up to this time (UTC, 4 to 14 digits).",
)
@click.option(
    "--cdx-url",
    help=f"Wayback: the CDX server to list captures from.  [default: {WAYBACK_CDX}]",
)
@click.option(
    "--replay-url",
    help="Wayback: the root its captures are replayed from (/web/TIMESTAMPid_/URL)."
    f"  [default: {WAYBACK_REPLAY}]",
)
@click.option(
    "--cdx-page-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Wayback: captures per CDX answer (the next is asked by resume key).",
)
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the crawl's WARC file goes.  [default: warc/ beside the archive]",
)
@click.option("--no-warc", is_flag=True, help="Keep no WARC file of the responses.")
@click.option("-q", "--quiet", is_flag=True, help="No line per page.")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's own log too.")
def crawl(
    source, base_url, db, sections, incremental, delay, concurrency, max_pages,
    timeout, full_text, since, until, cdx_url, replay_url, cdx_page_size, warc_dir,
    no_warc, quiet, verbose,
) -> None:  # fmt: skip
    """Crawl the newsletter into the archive: the site, its captures in the
    Wayback Machine, or the current WordPress site.

    Every request and response goes into a gzipped WARC file, one per crawl,
    named in the `crawls` table. Prints a line per page on standard error and
    a summary at the end; the same figures go into the `crawls` table. Exits 0
    when the crawl succeeded, 1 when it failed or was interrupted (the message
    names the cause and the URLs), 2 on wrong usage, 3 when another crawl is
    running on the archive (the message names it; this one does not start).
    """
    from .crawl import SECTIONS, CrawlOptions, run_crawl  # Scrapy loads only here

    chosen = _sections(source, sections, SECTIONS)
    if source == WORDPRESS and full_text:
        raise click.BadParameter(
            "not for --source wordpress: its posts are read from the API's "
            "excerpts, their pages are not fetched",
            param_hint="--full-text",
        )
    base_url = _source_url(source, base_url, replay_url)
    _check_wayback_options(source, since, until, cdx_url, replay_url)
    _show_progress(quiet)
    options = CrawlOptions(
        base_url=base_url,
        db=db,
        source=source,
        sections=chosen,
        incremental=incremental,
        delay=delay,
        concurrency=concurrency,
        max_pages=max_pages,
        timeout=timeout,
        full_text=full_text,
        warc_dir=None if no_warc else (warc_dir or db.parent / "warc"),
        verbose=verbose,
        cdx_url=cdx_url or WAYBACK_CDX,
        since=since,
        until=until,
        cdx_page_size=cdx_page_size,
    )
    try:
        result = run_crawl(options)
    except CrawlRunning as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(CRAWL_RUNNING)
    except (ArchiveError, WarcError) as error:
        raise click.ClickException(str(error)) from None
    if result.took_over:
        click.echo(took_over_message(result.took_over), err=True)
    click.echo(crawl_summary(result.crawl, result.seconds), err=True)
    if source == WAYBACK:
        click.echo(f"  captures: {captures_summary(result.captures)}", err=True)
    if result.warc is not None:
        size = result.warc.stat().st_size if result.warc.exists() else 0
        click.echo(f"  responses kept in {result.warc} ({_size(size)})", err=True)
    if result.crawl["status"] != "ok" or result.failures:
        for failure in result.failures:
            click.echo(f"  {failure}", err=True)
        _exit_now(1)
    _exit_now(0)


def _sections(source: str, sections: str | None, known: tuple[str, ...]):
    if source == WORDPRESS:
        if sections:
            raise click.BadParameter(
                "a WordPress site's posts are one list", param_hint="--sections"
            )
        return ("posts",)
    chosen = tuple(
        section.strip()
        for section in (sections or ",".join(known)).split(",")
        if section.strip()
    )
    unknown = sorted(set(chosen) - set(known))
    if unknown or not chosen:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'none given'}; choose among {', '.join(known)}",
            param_hint="--sections",
        )
    return chosen


def _source_url(source: str, base_url: str | None, replay_url: str | None) -> str:
    """The URL the crawl starts from: its --base-url, or the source's own."""
    if source == WAYBACK:
        if base_url:
            raise click.BadParameter(
                "the Wayback source reads --cdx-url and --replay-url",
                param_hint="--base-url",
            )
        url, hint = replay_url or WAYBACK_REPLAY, "--replay-url"
    elif source == WORDPRESS:
        if not base_url:
            raise click.UsageError("--source wordpress needs the site's --base-url")
        url, hint = base_url, "--base-url"
    else:
        url, hint = base_url or DEFAULT_BASE_URL, "--base-url"
    if not re.match(r"^https?://[^/]+", url, re.I):
        raise click.BadParameter("an http:// or https:// URL", param_hint=hint)
    return url


def _check_wayback_options(source, since, until, cdx_url, replay_url) -> None:
    given = {"--from": since, "--to": until, "--cdx-url": cdx_url,
             "--replay-url": replay_url}  # fmt: skip
    if source != WAYBACK:
        for name, value in given.items():
            if value:
                raise click.BadParameter("only with --source wayback", param_hint=name)
        return
    for name, value in (("--from", since), ("--to", until)):
        if value and not re.fullmatch(r"\d{4,14}", value):
            raise click.BadParameter(
                f"{value!r}: a UTC time as YYYY, YYYYMM, YYYYMMDD ... (4 to 14 digits)",
                param_hint=name,
            )
    if cdx_url and not re.match(r"^https?://[^/]+", cdx_url, re.I):
        raise click.BadParameter("an http:// or https:// URL", param_hint="--cdx-url")


def _exit_now(status: int) -> None:
    """End the process once a crawl is done, without Python's teardown.

    Everything is written and closed by then (the archive, the WARC file, the
    log); what is left is freeing Scrapy's, Twisted's and BeautifulSoup's
    modules object by object, which takes a tenth of a second or more.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


@cli.command()
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
    from .reparse import reparse as reparse_warcs

    started = time.monotonic()

    def report(done) -> None:
        crawl = done.crawl
        click.echo(
            f"{done.warc.name}: crawl {crawl['id']} {crawl['status']}, "
            f"{_count(done.responses, 'response')}, "
            f"{_count(crawl['pages'], 'listing page')}, "
            f"{_count(done.item_pages, 'item page')}, "
            f"items seen {crawl['items_seen']} / new {crawl['items_new']} / "
            f"changed {crawl['items_changed']}",
            err=True,
        )
        if done.note:
            click.echo(f"  {done.note}", err=True)

    try:
        crawls = reparse_warcs(sources, db, on_crawl=report)
    except (ArchiveError, WarcError) as error:
        raise click.ClickException(str(error)) from None
    seconds = time.monotonic() - started
    pages = sum(done.crawl["pages"] + done.item_pages for done in crawls)
    click.echo(
        f"re-parsed {_count(len(crawls), 'WARC file')} into {db} in {seconds:.1f}s: "
        f"{_count(pages, 'page')} ({pages / seconds:.0f} pages/s), no network",
        err=True,
    )


@cli.command("backup")
@db_option("The archive to copy (it may be in use by a crawl and by Datasette).")
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(db: Path, dest: Path) -> None:
    """Copy the archive to DEST (a file, or a directory to put a dated copy in).

    The copy is one consistent snapshot, made with SQLite's online backup
    while crawls and Datasette go on using the archive, checked, and moved
    into place only once whole. Restore by stopping crawls and copying it
    back over the archive.
    """
    from .archive import backup

    started = time.monotonic()
    try:
        written = backup(db, dest)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"backed up {db} to {written} ({_size(written.stat().st_size)}) "
        f"in {time.monotonic() - started:.1f}s",
        err=True,
    )


@cli.command()
@db_option("The archive to publish.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
def serve(db: Path, host: str, port: int) -> None:
    """Publish the archive with Datasette, read-only, for browsing and search.

    An archive no crawl is writing is served immutable; one being crawled is
    served as it changes. Binds to 127.0.0.1 unless told otherwise.
    """
    import uvicorn  # Datasette's server, loaded only to serve

    from .datasette.app import make_datasette, prepare_archive

    try:
        live = prepare_archive(db)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    datasette = make_datasette(db, live=live)
    asyncio.run(datasette.invoke_startup())
    click.echo(f"Datasette serving {db} at http://{host}:{port}/", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")


def _show_progress(quiet: bool) -> None:
    logger = logging.getLogger("psgscraper.crawl")
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def crawl_summary(crawl: dict, seconds: float) -> str:
    """The end-of-crawl report: status and figures, as in the crawls row."""
    return (
        f"crawl {crawl['id']} {crawl['status']} in {seconds:.1f}s: "
        f"{_count(crawl['pages'], 'page')}, {_count(crawl['requests'], 'request')}, "
        f"items seen {crawl['items_seen']} / new {crawl['items_new']} / "
        f"changed {crawl['items_changed']}, "
        f"{_count(crawl['blocks_set_aside'], 'block')} set aside, "
        + (
            f"{_count(crawl['item_pages'], 'item page')} "
            f"({crawl['item_page_errors']} without text), "
            if crawl["item_pages"]
            else ""
        )
        + f"{_count(crawl['errors'], 'error')}"
    )


def captures_summary(outcomes: dict[str, int]) -> str:
    """What became of the captures a Wayback crawl recorded, by outcome."""
    if not outcomes:
        return "none new"
    return ", ".join(
        f"{count} {outcome}" for outcome, count in sorted(outcomes.items())
    )


def summary_line(listing: Listing) -> str:
    """One line on what a page gave: items, blocks set aside, dates, pagination."""
    line = f"{listing.page_url} ({listing.section or 'section unknown'}): "
    line += _count(len(listing.items), "item")
    if listing.reason:
        line += f" ({listing.reason})"
    titles_by_reason: dict[str, list[str]] = {}
    for block in listing.set_aside:
        titles_by_reason.setdefault(block.reason, []).append(block.title or "?")
    line += ", " + _count(len(listing.set_aside), "block") + " set aside"
    if titles_by_reason:
        reasons = [f"{why}: {', '.join(t)}" for why, t in titles_by_reason.items()]
        line += f" ({'; '.join(reasons)})"
    line += ", " + _count(len(listing.unreadable_dates), "unreadable date line")
    if listing.unreadable_dates:
        line += f" ({', '.join(map(repr, listing.unreadable_dates))})"
    if listing.newer:
        line += f", newer: {listing.newer}"
    if listing.older:
        line += f", older: {listing.older}"
    return line


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _read_source(source: str) -> tuple[bytes, str | None, str]:
    """The page's bytes, its Content-Type (for a URL) and the URL it came from."""
    if re.match(r"^https?://", source, re.I):
        return _fetch(source)
    path = Path(source)
    if not path.is_file():
        raise click.BadParameter(
            f"{source} is neither a file nor an http(s) URL", param_hint="FILE_OR_URL"
        )
    try:
        return path.read_bytes(), None, path.resolve().as_uri()
    except OSError as error:
        raise click.ClickException(f"cannot read {source}: {error.strerror}") from None


def _fetch(url: str) -> tuple[bytes, str | None, str]:
    from .settings import USER_AGENT  # Scrapy's settings: loaded only here

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), response.headers.get("Content-Type"), response.url
    except urllib.error.HTTPError as error:
        raise click.ClickException(f"{url} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise click.ClickException(f"cannot fetch {url}: {reason}") from None
