"""`psg crawl`: the newsletter into the archive, from the site, the Wayback
Machine or the current WordPress site."""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..archive import (
    SITE,
    SOURCES,
    WAYBACK,
    WORDPRESS,
    ArchiveError,
    CrawlRunning,
    took_over_message,
)
from ..parse.cdx import DIALECTS
from ..parse.wordpress import POSTS
from ..read.captures import web_archive_name
from ..site import LIVE_SITE as DEFAULT_BASE_URL
from ..site import SECTIONS, WAYBACK_CDX, WAYBACK_REPLAY
from ..warc import WarcError
from .options import db_option
from .report import captures_summary, crawl_summary, file_size, show_progress

if TYPE_CHECKING:
    from ..crawl import CrawlOptions

# Exit status of psg crawl when another crawl holds the archive.
CRAWL_RUNNING = 3


@click.command()
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
    "--archive-name",
    "web_archive",
    metavar="NAME",
    help="Wayback: the web archive's name, kept on its crawls and captures rows "
    "(one archive file can hold several web archives' captures).  [default: "
    "its CDX server's host and path, e.g. web.archive.org]",
)
@click.option(
    "--cdx-delay",
    type=click.FloatRange(min=0),
    help="Wayback: seconds between CDX requests.  [default: 2.5, within the "
    "Internet Archive's 30 a minute; 0 with --delay 0]",
)
@click.option(
    "--cdx-dialect",
    type=click.Choice(DIALECTS),
    help="Wayback: the CDX server's dialect: ia (the Internet Archive's) or pywb "
    "(the UK Web Archive's and others'). By default its first answer says.",
)
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the crawl's WARC file goes.  [default: warc/ beside the archive]",
)
@click.option("--no-warc", is_flag=True, help="Keep no WARC file of the responses.")
@click.option("-q", "--quiet", is_flag=True, help="No line per page.")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's own log too.")
def crawl(quiet: bool, **given) -> None:
    """Crawl the newsletter into the archive: the site, its captures in the
    Wayback Machine, or the current WordPress site.

    Every request and response goes into a gzipped WARC file, one per crawl,
    named in the `crawls` table. Prints a line per page on standard error and
    a summary at the end; the same figures go into the `crawls` table. Exits 0
    when the crawl succeeded, 1 when it failed or was interrupted (the message
    names the cause and the URLs), 2 on wrong usage, 3 when another crawl is
    running on the archive (the message names it; this one does not start).
    """
    from ..crawl import run_crawl  # Scrapy loads only here

    options = crawl_options(given)
    show_progress(quiet)
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
    if options.source == WAYBACK:
        click.echo(f"  captures: {captures_summary(result.captures)}", err=True)
    if result.warc is not None:
        size = result.warc.stat().st_size if result.warc.exists() else 0
        click.echo(f"  responses kept in {result.warc} ({file_size(size)})", err=True)
    if result.crawl["status"] != "ok" or result.failures:
        for failure in result.failures:
            click.echo(f"  {failure}", err=True)
        _exit_now(1)
    _exit_now(0)


# The parameters of psg crawl that the crawl takes as they are.
PASSED_ON = (
    "db", "source", "incremental", "delay", "concurrency", "max_pages", "timeout",
    "full_text", "verbose", "since", "until", "cdx_page_size", "cdx_dialect",
    "cdx_delay",
)  # fmt: skip


def crawl_options(given: dict) -> CrawlOptions:
    """The crawl that psg crawl's parameters (`given`, by name) ask for.

    Checks what click cannot check one option at a time, in this order: the
    sections, what a WordPress site refuses, the URL to start from by source,
    the options only the Wayback source takes. Raises click's usage errors.
    """
    from ..crawl import CrawlOptions  # Scrapy loads only here

    source, db = given["source"], given["db"]
    sections = _sections(source, given["sections"], SECTIONS)
    if source == WORDPRESS and given["full_text"]:
        raise click.BadParameter(
            "not for --source wordpress: its posts are read from the API's "
            "excerpts, their pages are not fetched",
            param_hint="--full-text",
        )
    base_url = _source_url(source, given["base_url"], given["replay_url"])
    _check_wayback_options(source, given)
    warc_dir = None if given["no_warc"] else (given["warc_dir"] or db.parent / "warc")
    cdx_url = given["cdx_url"] or WAYBACK_CDX
    return CrawlOptions(
        base_url=base_url,
        sections=sections,
        warc_dir=warc_dir,
        cdx_url=cdx_url,
        web_archive=_web_archive(source, given["web_archive"], cdx_url),
        **{name: given[name] for name in PASSED_ON},
    )


def _web_archive(source: str, name: str | None, cdx_url: str) -> str | None:
    """The name a Wayback crawl's rows give its web archive (none for others)."""
    if source != WAYBACK:
        return None
    if name is not None and not name.strip():
        raise click.BadParameter("a name, not blank", param_hint="--archive-name")
    return name.strip() if name else web_archive_name(cdx_url)


def _sections(source: str, sections: str | None, known: tuple[str, ...]):
    if source == WORDPRESS:
        if sections:
            raise click.BadParameter(
                "a WordPress site's posts are one list", param_hint="--sections"
            )
        return (POSTS,)
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


def _check_wayback_options(source: str, given: dict) -> None:
    since, until, cdx_url = given["since"], given["until"], given["cdx_url"]
    only_wayback = {"--from": since, "--to": until, "--cdx-url": cdx_url,
                    "--replay-url": given["replay_url"],
                    "--cdx-dialect": given["cdx_dialect"],
                    "--cdx-delay": given["cdx_delay"],
                    "--archive-name": given["web_archive"]}  # fmt: skip
    if source != WAYBACK:
        for name, value in only_wayback.items():
            if value is not None:
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
