"""`psg export --format wacz`: the crawls' WARC files as one WACZ package.

WACZ (Webrecorder's Web Archive Collection Zipped) is a zip of the WARC files
(`archive/`), a CDXJ index of every record (`indexes/`), a list of the pages
to open first (`pages/pages.jsonl`) and a `datapackage.json` with the digest
of every part; ReplayWeb.page and pywb replay it as the crawler saw the site.

The package is made by the `wacz` library's own `wacz create`, run in-process:
this module only chooses the WARC files and the pages. The pages are the
listing pages the crawls received whole (HTTP 200), titled from the page.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import redirect_stdout, suppress
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml.etree import ParserError
from warcio.timeutils import iso_date_to_timestamp

from .archive import Archive
from .parse.links import section_from_url
from .warc import CrawlWarc, WarcError

WACZ = "wacz"  # the format's name, as `psg export --format` takes it
TITLE = "Peru Support Group newsletter: the crawls of psgscraper"
PAGES_FORMAT = "json-pages-1.0"


class WaczError(Exception):
    """The package cannot be made; the message says why."""


@dataclass(frozen=True)
class Page:
    """A listing page as a WACZ page list names it: where, when, its title."""

    url: str
    captured_at: str  # WARC-Date
    title: str

    def entry(self) -> dict[str, str]:
        return {"url": self.url, "ts": self.captured_at, "title": self.title}


@dataclass(frozen=True)
class Packaged:
    """What a WACZ file holds: the WARC files and the pages listed."""

    warcs: tuple[Path, ...]
    pages: int


# -- what goes in -------------------------------------------------------------


def crawl_warcs(archive: Archive) -> list[Path]:
    """The WARC file of every crawl that kept one; WaczError if a file named is
    missing, or if no crawl kept one."""
    named = archive.warc_paths()
    if not named:
        raise WaczError(f"{archive.path}: no crawl kept a WARC file")
    for crawl_id, path in named:
        if not path.is_file():
            raise WaczError(f"crawl {crawl_id}'s WARC file {path} is missing")
    return [path for _, path in named]


def listing_pages(warcs: Iterable[Path]) -> Iterator[Page]:
    """Every listing page the WARC files hold whole (HTTP 200), once per capture
    time (a WACZ page is a URL at a second)."""
    seen = set()
    for path in warcs:
        for fetched in CrawlWarc.open(path).responses():
            if fetched.status != 200 or section_from_url(fetched.url) is None:
                continue
            key = (iso_date_to_timestamp(fetched.captured_at), fetched.url)
            if key not in seen:
                seen.add(key)
                title = page_title(fetched.body) or fetched.url
                yield Page(fetched.url, fetched.captured_at, title)


def page_title(body: bytes) -> str | None:
    """The text of an HTML page's <title>, its white space folded."""
    try:
        title = lxml.html.fromstring(body).findtext(".//title")
    except (ParserError, ValueError):
        return None
    folded = " ".join((title or "").split())
    return folded or None


def write_pages(pages: Iterable[Page], path: Path) -> int:
    """A page list as `wacz create --pages` reads it; returns how many pages."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        header = {"format": PAGES_FORMAT, "id": "pages", "title": "Listing pages"}
        out.write(json.dumps(header) + "\n")
        for page in pages:
            out.write(json.dumps(page.entry(), ensure_ascii=False) + "\n")
            count += 1
    return count


# -- the package --------------------------------------------------------------


def export_wacz(archive: Archive, destination: Path) -> Packaged:
    """Package the archive's crawls as a WACZ file at `destination`.

    The file appears only once complete; WaczError (with nothing written) when
    a WARC file is missing or unreadable, or the package cannot be written.
    """
    warcs = crawl_warcs(archive)
    check_distinct_names(warcs)
    with tempfile.TemporaryDirectory(prefix="psg-wacz-") as work:
        pages_file = Path(work) / "pages.jsonl"
        try:
            pages = write_pages(listing_pages(warcs), pages_file)
        except WarcError as error:
            raise WaczError(str(error)) from None
        write_atomically(destination, warcs, pages_file)
    return Packaged(tuple(warcs), pages)


def check_distinct_names(warcs: Sequence[Path]) -> None:
    """A WACZ keeps its WARC files by name in `archive/`: no two may share one."""
    names = [path.name for path in warcs]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise WaczError(f"two crawls' WARC files are both named {doubled[0]}")


def write_atomically(destination: Path, warcs: Sequence[Path], pages: Path) -> None:
    """`wacz create` beside `destination`, renamed over it once whole."""
    temp = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.tmp")
    try:
        run_wacz_create(temp, warcs, pages)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, destination)
    except OSError as error:
        raise WaczError(f"cannot write {destination}: {error.strerror}") from None
    finally:
        with suppress(OSError):
            temp.unlink()


def run_wacz_create(output: Path, warcs: Sequence[Path], pages: Path) -> None:
    """The `wacz create` command, in this process, its report kept quiet."""
    from wacz.main import main as wacz_command  # frictionless: slow to import

    args = ["create", "-o", str(output), "--pages", str(pages), "--title", TITLE]
    report = io.StringIO()
    with redirect_stdout(report):
        status = wacz_command([*args, *map(str, warcs)])
    if status != 0:
        lines = report.getvalue().strip().splitlines() or ["no message"]
        raise WaczError(f"wacz create failed: {lines[-1]}")
