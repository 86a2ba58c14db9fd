"""Shared fixtures: the offline mirror, served on loopback, and the psg command."""

from __future__ import annotations

import io
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from psgmirror.site.build import build_mirror
from psgmirror.site.serve import MirrorServer


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
def datasette(db: Path):
    """`psg serve` of the archive on a free port; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "psgscraper", "serve", "--db", str(db),
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/-/versions.json")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def expected_records(directory: Path) -> list[dict]:
    with open(directory / "expected.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def mirror_week0(tmp_path_factory) -> Path:
    """The default mirror: about 1,600 items, 2003 to 2019."""
    directory = tmp_path_factory.mktemp("mirror-week0")
    build_mirror(directory)
    return directory


@pytest.fixture(scope="session")
def mirror_week1(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("mirror-week1")
    build_mirror(directory, week=1)
    return directory


@dataclass
class Crawled:
    """A finished crawl: its archive, the server's URL, psg's output, the requests."""

    db: Path
    base_url: str
    result: subprocess.CompletedProcess
    requests: list[tuple[str, str, int]]


@pytest.fixture(scope="session")
def crawled_week0(tmp_path_factory, mirror_week0) -> Crawled:
    """A full crawl of the default mirror."""
    db = tmp_path_factory.mktemp("crawl-week0") / "psg.db"
    with serving(mirror_week0) as server:
        result = crawl(server, db)
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr
    return Crawled(db, server.url, result, requests)


@pytest.fixture
def archive_copy(tmp_path, crawled_week0) -> Path:
    """A private copy of the week-0 archive, to crawl into."""
    db = tmp_path / "psg.db"
    shutil.copy(crawled_week0.db, db)
    return db
