"""`psg export --format wacz`: a crawl of the mirror packaged for replay, checked
by the `wacz` library's validator, read as a zip, and replayed with pywb."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import shutil
import sqlite3
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import psg, pywb, query, venv_command
from warcio.timeutils import iso_date_to_timestamp

from psgscraper.cli.export import export
from psgscraper.parse.links import section_from_url
from psgscraper.warc import CrawlWarc


def crawl_warc(db: Path) -> Path:
    """The WARC file of the archive's only crawl."""
    [(warc,)] = query(db, "SELECT warc FROM crawls")
    return db.parent / warc


def listing_responses(warc: Path) -> dict[tuple[str, str], bytes]:
    """The listing pages a WARC file holds with HTTP 200: (url, 14-digit
    timestamp) to the payload."""
    return {
        (fetched.url, iso_date_to_timestamp(fetched.captured_at)): fetched.body
        for fetched in CrawlWarc.open(warc).responses()
        if fetched.status == 200 and section_from_url(fetched.url) is not None
    }


def title_of(body: bytes) -> str:
    match = re.search(rb"<title>(.*?)</title>", body, re.I | re.S)
    assert match, body[:200]
    return " ".join(html.unescape(match.group(1).decode("utf-8")).split())


def zip_json_lines(wacz: zipfile.ZipFile, name: str) -> list[dict]:
    return [json.loads(line) for line in wacz.read(name).decode().splitlines()]


@pytest.fixture(scope="module")
def listings(crawled_week0) -> dict[tuple[str, str], bytes]:
    pages = listing_responses(crawl_warc(crawled_week0.db))
    assert len(pages) > 100  # the listings of every section, and the home page
    return pages


@pytest.fixture(scope="module")
def package(tmp_path_factory, crawled_week0) -> Path:
    output = tmp_path_factory.mktemp("wacz") / "psg.wacz"
    result = psg(
        "export", "--format", "wacz", "-o", str(output),
        "--db", str(crawled_week0.db), cwd=output.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "exported 1 WARC file (" in result.stderr
    return output


def test_the_wacz_library_validates_the_package(package):
    result = subprocess.run(
        [venv_command("wacz"), "validate", "-f", str(package)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded, the passed WACZ is valid" in result.stdout


def test_the_datapackage_digests_match_the_parts(package, crawled_week0):
    with zipfile.ZipFile(package) as wacz:
        datapackage = wacz.read("datapackage.json")
        digest = json.loads(wacz.read("datapackage-digest.json"))
        resources = json.loads(datapackage)["resources"]
        parts = {name: wacz.read(name) for name in wacz.namelist()}

    assert digest["hash"] == f"sha256:{hashlib.sha256(datapackage).hexdigest()}"
    assert {r["path"] for r in resources} == set(parts) - {
        "datapackage.json",
        "datapackage-digest.json",
    }
    for resource in resources:
        data = parts[resource["path"]]
        assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
        assert resource["bytes"] == len(data)
    warc = crawl_warc(crawled_week0.db)
    assert parts[f"archive/{warc.name}"] == warc.read_bytes()


def test_the_index_lists_every_listing_page(package, listings):
    with zipfile.ZipFile(package) as wacz:
        lines = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode()
    indexed = set()
    for line in lines.splitlines():
        _, timestamp, fields = line.split(" ", 2)
        entry = json.loads(fields)
        if entry.get("status") == "200":
            indexed.add((entry["url"], timestamp))

    assert set(listings) <= indexed


def test_the_page_list_is_the_listing_pages_with_their_titles(package, listings):
    with zipfile.ZipFile(package) as wacz:
        header, *pages = zip_json_lines(wacz, "pages/pages.jsonl")

    assert header["format"] == "json-pages-1.0"
    listed = {
        (page["url"], iso_date_to_timestamp(page["ts"])): page["title"]
        for page in pages
    }
    assert len(listed) == len(pages)
    assert listed == {key: title_of(body) for key, body in listings.items()}


def test_pywb_replays_a_listing_page_byte_for_byte(tmp_path, package, listings):
    (url, timestamp), body = next(
        (key, body) for key, body in listings.items() if "position=" in key[0]
    )

    with pywb(tmp_path, "psg", package) as collection:
        replay = f"{collection}/{timestamp}id_/{url}"
        with urllib.request.urlopen(replay, timeout=30) as response:
            replayed = response.read()

    assert replayed == body


# -- what is refused ----------------------------------------------------------


def forget_the_warcs(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE crawls SET warc = NULL")
    conn.close()


def leave_as_copied(db: Path) -> None:
    """The copy is away from the crawl's `warc/` directory: its file is missing."""


OUT = "OUTPUT"  # the export's -o, where an older export lies
REFUSED = [
    pytest.param(
        forget_the_warcs, ("-o", OUT), 1, "no crawl kept a WARC file", id="no WARC"
    ),
    pytest.param(leave_as_copied, ("-o", OUT), 1, "is missing", id="WARC missing"),
    pytest.param(
        leave_as_copied,
        ("-o", OUT, "--since", "2010-01-01"),
        2,
        "--since filter",
        id="since",
    ),
    pytest.param(
        leave_as_copied,
        ("-o", OUT, "--section", "news"),
        2,
        "--section filter",
        id="section",
    ),
    pytest.param(leave_as_copied, (), 2, "give it with -o", id="no -o"),
]


@pytest.mark.parametrize(("prepare", "args", "code", "message"), REFUSED)
def test_what_cannot_be_packaged_exits_with_a_message_and_no_file(
    tmp_path, crawled_week0, prepare, args, code, message
):
    db = tmp_path / "psg.db"
    shutil.copy(crawled_week0.db, db)
    prepare(db)
    out = tmp_path / "out"
    out.mkdir()
    older = out / "psg.wacz"
    older.write_bytes(b"an older export")
    args = [str(older) if arg == OUT else arg for arg in args]

    result = CliRunner().invoke(export, ["--format", "wacz", "--db", str(db), *args])

    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert [path.name for path in out.iterdir()] == ["psg.wacz"]
    assert older.read_bytes() == b"an older export"
