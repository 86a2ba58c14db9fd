"""`psg parse`: one listing page's records, from a file or a URL."""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click

from .. import USER_AGENT
from ..parse import parse_listing
from ..parse.records import BINARY, EMPTY_BODY, NO_LIST, NOT_HTML
from .report import summary_line


@click.command()
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

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), response.headers.get("Content-Type"), response.url
    except urllib.error.HTTPError as error:
        raise click.ClickException(f"{url} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise click.ClickException(f"cannot fetch {url}: {reason}") from None
