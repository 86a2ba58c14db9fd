"""Helpers the tests share: the psg command, the mirror served on loopback,
queries of an archive, and the mirror's answer key.

Plain functions and classes, imported as `from helpers import ...`; the
fixtures that use them are in conftest.py.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from psgmirror.site.serve import MirrorServer
from psgmirror.wordpress.serve import WordPressServer
from psgscraper.parse import Listing, parse_listing
from psgscraper.parse.wordpress import parse_posts

# The project's root (scrapy.cfg), and the pages and files the tests read.
PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures"
# The site as its pages name it.
SITE = "http://www.perusupportgroup.org.uk"


def psg(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the psg command in a child process, as a maintainer would."""
    return subprocess.run(
        [sys.executable, "-m", "psgscraper", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def crawl(server: MirrorServer, db: Path, *extra: str) -> subprocess.CompletedProcess:
    """`psg crawl` of a served mirror into `db`, with no delay between requests."""
    return psg(
        "crawl",
        "--base-url",
        server.url,
        "--db",
        str(db),
        "--delay",
        "0",
        *extra,
        cwd=db.parent,
    )


@contextmanager
def serving(directory: Path, **options):
    """A mirror served on a free loopback port (options: its faults, latency...)."""
    server = MirrorServer(directory, log=io.StringIO(), **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def query(db: Path, sql: str, *params) -> list[tuple]:
    """Rows of a query on an archive, read with plain sqlite3."""
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def free_port() -> int:
    """A loopback port that nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> bytes:
    """The body at `url`, once something answers there."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def datasette(db: Path, *options: str, log: Path | None = None):
    """`psg serve` of the archive on a free port, with `options`, its output
    in `log` if given; yields its base URL."""
    port = free_port()
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "psgscraper", "serve", "--db", str(db),
         "--port", str(port), *options],
        stdout=output, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/-/versions.json")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            output.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def get_from(address: str, url: str, headers: dict | None = None) -> Answer:
    """GET `url` from the loopback address `address` (127.0.0.N), so that the
    server sees a client of its own."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=60, source_address=(address, 0)
    )
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        names = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, names, response.read())
    finally:
        connection.close()


def served_copy(db: Path, directory: Path) -> Path:
    """A copy of the archive `db` as `directory`/psg.db, ready to be served."""
    from psgscraper.datasette.app import prepare_archive

    copy = directory / "psg.db"
    shutil.copy(db, copy)
    prepare_archive(copy)
    return copy


def started_datasette(db: Path, **options):
    """The project's Datasette on the archive, in this process, started;
    `options` as make_datasette takes them (public=True)."""
    from psgscraper.datasette.app import make_datasette

    instance = make_datasette(db, **options)
    asyncio.run(instance.invoke_startup())
    return instance


def datasette_get(instance, path: str):
    """The response of an in-process Datasette (datasette.client) to `path`."""

    async def fetch():
        return await instance.client.get(path)

    return asyncio.run(fetch())


# The live host as a listing's absolute links spell it, in turn.
LIVE_HOST_SPELLINGS = (
    "http://www.perusupportgroup.org.uk/",
    "https://www.perusupportgroup.org.uk/",
    "http://perusupportgroup.org.uk/",
)
_ITEM_LINK = re.compile(rb'href="(article-\d+\.html)"')


def linked_to_live_host(mirror: Path, copy: Path) -> Path:
    """A copy of a built mirror whose listings and home page link every other
    item absolutely to the live host, each spelling in turn (as written on
    some of the site's pages, and kept so by a web archive's `id_` capture)."""
    shutil.copytree(mirror, copy)
    links = 0

    def absolute(match: re.Match) -> bytes:
        nonlocal links
        links += 1
        if links % 2:
            return match[0]
        host = LIVE_HOST_SPELLINGS[links // 2 % len(LIVE_HOST_SPELLINGS)]
        return b'href="' + host.encode() + match[1] + b'"'

    site = copy / "site"
    for page in [site / "index.html", *sorted(site.glob("*s-*.html"))]:
        page.write_bytes(_ITEM_LINK.sub(absolute, page.read_bytes()))
    assert links > 1000, links  # the listings' and the home page's items
    return copy


def expected_records(directory: Path) -> list[dict]:
    """A built mirror's answer key: every item as the archive should keep it."""
    with open(directory / "expected.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def bibtex_entries(text: str) -> list[dict]:
    """The entries of a BibTeX file read as a reference manager would, TeX
    decoded: each a dict of its fields, its key as `key`."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    library = bibtexparser.parse_string(
        text, append_middleware=[LatexDecodingMiddleware()]
    )
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return [
        {"key": entry.key, **{field.key: field.value for field in entry.fields}}
        for entry in library.entries
    ]


def reparse_and_diff(db: Path) -> subprocess.CompletedProcess:
    """`psg reparse` of a crawl's WARC files into a new file, then `psg diff`."""
    rebuilt = db.with_name("rebuilt.db")
    result = psg("reparse", "--warc", str(db.parent / "warc"), "--db", str(rebuilt),
                 cwd=db.parent)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return psg("diff", str(db), str(rebuilt), cwd=db.parent)


@dataclass
class Crawled:
    """A finished crawl: its archive, the server's URL, psg's output, the requests."""

    db: Path
    base_url: str
    result: subprocess.CompletedProcess
    requests: list[tuple[str, str, int]]


def listing_of(name: str, url: str) -> Listing:
    """A fixture page, parsed as if fetched from `url`."""
    return parse_listing((FIXTURES / name).read_bytes(), url)


def posts_page(*posts: tuple[str, str, str, str], page: int = 1) -> Listing:
    """A page of WordPress posts, each (path, title, excerpt, date), as parsed."""
    body = json.dumps(
        [
            {"id": n, "link": f"{SITE}{path}", "date": f"{date}T09:00:00",
             "title": {"rendered": title}, "excerpt": {"rendered": f"<p>{text}</p>"}}
            for n, (path, title, text, date) in enumerate(posts, start=1)
        ]
    )  # fmt: skip
    url = f"{SITE}/wp-json/wp/v2/posts?page={page}"
    return parse_posts(body.encode(), url).listing


def rows(archive, sql: str, *params) -> list[tuple]:
    """Rows of a query on an open Archive."""
    return [tuple(row) for row in archive.conn.execute(sql, params)]


def venv_command(name: str) -> str:
    """A console script installed beside this Python (`wacz`, `wayback`...)."""
    return str(Path(sys.executable).parent / name)


@contextmanager
def pywb(directory: Path, collection: str, *archives: Path):
    """pywb's `wayback` serving a collection of `archives` (WARC or WACZ files)
    from `directory`, on a free loopback port; yields the collection's URL.

    pywb 2.10 adds a WACZ with `--unpack-wacz`: it copies the WARC files out
    of the package into the collection and indexes them."""
    manager = venv_command("wb-manager")
    add = ["add", "--unpack-wacz", collection, *map(str, archives)]
    for args in (["init", collection], add):
        subprocess.run([manager, *args], cwd=directory, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [venv_command("wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/", seconds=60)
        yield f"{base}/{collection}"
    finally:
        server.terminate()
        server.wait(timeout=30)


class OneModifiedTime(WordPressServer):
    """The WordPress emulation with every post saved at once (a bulk edit)."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        saved = self.posts[-1].modified
        self.posts = [replace(post, modified=saved) for post in self.posts]
