"""`psg export` on real archives: every format reads back to the table's rows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import FIXTURES

from psgscraper.archive import Archive
from psgscraper.cli.export import export
from psgscraper.export import FORMATS, INTERNAL_COLUMNS
from psgscraper.parse import Listing, Record, parse_listing

SITE = "http://www.perusupportgroup.org.uk"
PAGES = [
    ("seed-news-0.html", f"{SITE}/news.php"),
    ("seed-news-20.html", f"{SITE}/news.php?position=20"),
    ("articles-quirks.html", f"{SITE}/articles.php"),
    ("home.html", f"{SITE}/"),
]
# Everything CSV must quote, and markup that must come out as it went in; dated
# to the year only, which no fixture page has.
QUOTING_ID = "article-9001"
QUOTING_SUMMARY = 'Lima, 2004: "the talks" failed.\r\n<script>alert("x")</script>'
UNDATED = {"article-11", "article-12"}


def synthetic(item_id: str, summary: str, date: str | None, precision: str | None):
    return Record(
        id=item_id,
        url=f"{SITE}/{item_id}.html",
        section="articles",
        title=f"Synthetic {item_id}, “quoted” & accented: Cusqueño",
        date=date,
        date_precision=precision,
        date_text=date,
        update_number=None,
        byline=None,
        summary=summary,
        image_caption=None,
        position=1,
        page_url=f"{SITE}/articles.php?position=90",
        fingerprint=f"fingerprint-{item_id}",
    )


def build_archive(path: Path, extra: tuple[Record, ...] = ()) -> Path:
    """The fixture pages, parsed and recorded as a crawl would, plus `extra`."""
    with Archive(path) as archive:
        crawl = archive.start_crawl(SITE, ["news", "articles", "home"])
        for name, url in PAGES:
            listing = parse_listing((FIXTURES / name).read_bytes(), url)
            archive.record_page(crawl, listing)
        quoting = synthetic(QUOTING_ID, QUOTING_SUMMARY, "2004", "year")
        items = (quoting, *extra)
        archive.record_page(
            crawl, Listing(f"{SITE}/articles.php?position=90", "articles", items)
        )
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("export") / "psg.db")


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """Thousands of items: more than a pipe's buffer, and a count with a comma."""
    extra = tuple(
        synthetic(f"article-{20000 + n}", f"Paragraph {n}. " * 40, "2010-01-01", "day")
        for n in range(3000)
    )
    return build_archive(tmp_path_factory.mktemp("export-big") / "psg.db", extra)


def table_columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[1] for row in conn.execute("PRAGMA table_info(items)")]


def table_rows(path: Path) -> list[dict]:
    """The items as stored, without the internal columns, in the export's order."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = [dict(row) for row in conn.execute("SELECT * FROM items")]
    conn.close()
    for row in rows:
        for column in INTERNAL_COLUMNS:
            del row[column]
    return sorted(rows, key=lambda r: (r["date"] is None, r["date"] or "", r["id"]))


def run(*args) -> Result:
    result = CliRunner().invoke(export, [str(arg) for arg in args])
    # Whatever happens, the command exits; it never ends in a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def read_back(fmt: str, data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text, newline="")))
    if fmt == "json":
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines()]


def as_csv(row: dict) -> dict:
    return {key: "" if value is None else str(value) for key, value in row.items()}


def exported_ids(*args) -> list[str]:
    result = run(*args, "--format", "ndjson")
    assert result.exit_code == 0, result.output
    return [row["id"] for row in read_back("ndjson", result.stdout_bytes)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the archive the tests export ---------------------------------------------


def test_the_archive_holds_the_quirks_the_tests_rely_on(db):
    rows = {row["id"]: row for row in table_rows(db)}
    assert "\n\n" in rows["article-640"]["summary"]  # paragraphs
    assert rows["article-640"]["byline"] == "Martin Scurrah from Lima"
    assert rows["article-1220"]["date"] == "2009-04"
    assert {i for i, row in rows.items() if row["date"] is None} == UNDATED
    assert rows[QUOTING_ID]["summary"] == QUOTING_SUMMARY
    assert rows[QUOTING_ID]["date_precision"] == "year"
    text = json.dumps(list(rows.values()), ensure_ascii=False)
    assert all(char in text for char in "&’ó")


# -- formats -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_back_to_exactly_the_table_rows(db, fmt):
    result = run("--db", db, "--format", fmt)
    assert result.exit_code == 0, result.output
    expected = table_rows(db)
    if fmt == "csv":
        expected = [as_csv(row) for row in expected]
    assert read_back(fmt, result.stdout_bytes) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_holds_what_stdout_shows(db, tmp_path, fmt):
    target = tmp_path / f"items.{fmt}"
    to_file = run("--db", db, "--format", fmt, "-o", target)
    assert to_file.exit_code == 0, to_file.output
    assert to_file.stdout == ""
    assert (
        to_file.stderr == f"exported {len(table_rows(db))} items to {target} as {fmt}\n"
    )
    assert target.read_bytes() == run("--db", db, "--format", fmt).stdout_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_csv_has_a_header_row_and_rfc_4180_quoting(db):
    data = run("--db", db, "--format", "csv").stdout_bytes.decode("utf-8")
    columns = [c for c in table_columns(db) if c not in INTERNAL_COLUMNS]
    assert data.startswith(",".join(columns) + "\r\n")
    assert data.endswith("\r\n")
    quoted = QUOTING_SUMMARY.replace('"', '""')
    assert f'"{quoted}"' in data
    # Undated items come last: their date columns are empty, not "None".
    assert "None" not in data
    assert ",,," in data.splitlines()[-1]


def test_json_keeps_types_and_writes_text_as_utf8(db):
    data = run("--db", db, "--format", "json").stdout_bytes.decode("utf-8")
    assert "Amazónico" in data
    assert "’" in data
    assert "\\u" not in data
    rows = {row["id"]: row for row in json.loads(data)}
    assert rows["article-1220"]["update_number"] == 133
    assert rows["article-1220"]["year"] == 2009
    assert rows["article-11"]["date"] is None


def test_objects_keep_the_table_column_order(db):
    columns = [c for c in table_columns(db) if c not in INTERNAL_COLUMNS]
    line = run("--db", db, "--format", "ndjson").stdout.splitlines()[0]
    assert list(json.loads(line)) == columns


# -- filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        pytest.param(["--since", "2018-09-16"], ["article-1235", "article-1236"]),
        pytest.param(
            ["--since", "2018-09-09", "--until", "2018-09-09"],
            ["article-1232", "article-1233", "article-1234"],
            id="one-day",
        ),
        pytest.param(
            ["--since", "2009-04-30", "--until", "2009-05-31"],
            ["article-1220"],
            id="month-overlaps-at-its-end",
        ),
        pytest.param(
            ["--since", "2009-03-01", "--until", "2009-04-01"],
            ["article-1220"],
            id="month-overlaps-at-its-start",
        ),
        pytest.param(
            ["--since", "2009-05-01", "--until", "2009-05-31"],
            [],
            id="between-two-months",
        ),
        pytest.param(
            ["--since", "2009-04-15", "--until", "2009-06-15"],
            ["article-1220", "articles-9366e8b31add"],
            id="two-months",
        ),
        pytest.param(
            ["--since", "2004-12-01", "--until", "2005-06-30"],
            [QUOTING_ID],
            id="year-overlaps-at-its-end",
        ),
        pytest.param(
            ["--since", "2004-03-01", "--until", "2004-11-29"],
            [QUOTING_ID],
            id="year-holds-the-range",
        ),
        pytest.param(
            ["--until", "2004-02-29"],
            [QUOTING_ID, "article-639"],
            id="until-is-inclusive",
        ),
        pytest.param(["--until", "2003-12-31"], [], id="before-everything"),
    ],
)
def test_since_and_until_keep_the_items_whose_period_overlaps(db, bounds, expected):
    assert exported_ids("--db", db, *bounds) == expected


@pytest.mark.parametrize(
    "bound", [["--since", "1900-01-01"], ["--until", "2100-12-31"]], ids=str
)
def test_a_bound_leaves_out_the_undated_items(db, bound):
    dated = [row["id"] for row in table_rows(db) if row["date"] is not None]
    assert exported_ids("--db", db, *bound) == dated
    assert set(exported_ids("--db", db)) >= UNDATED


@pytest.mark.parametrize(
    ("options", "sections"),
    [
        (["--section", "news"], {"news"}),
        (["--section", "articles"], {"articles"}),
        (["--section", "news,articles"], {"news", "articles"}),
        (["--section", "news", "--section", "articles"], {"news", "articles"}),
        (["--section", " articles , home "], {"articles", "home"}),
        (["--section", "home"], {"home"}),
    ],
)
def test_section_keeps_the_items_of_the_sections_named(db, options, sections):
    expected = [row["id"] for row in table_rows(db) if row["section"] in sections]
    assert exported_ids("--db", db, *options) == expected


@pytest.mark.parametrize("value", ["gossip", "news,gossip", ","])
def test_an_unknown_section_is_a_usage_error(db, value):
    result = run("--db", db, "--format", "csv", "--section", value)
    assert result.exit_code == 2
    assert "--section" in result.stderr


def test_an_empty_selection_gives_a_valid_empty_document(db):
    empty = ["--db", db, "--until", "2000-01-01", "--format"]
    assert json.loads(run(*empty, "json").stdout) == []
    assert run(*empty, "ndjson").stdout == ""
    header = run(*empty, "csv").stdout_bytes
    assert header.count(b"\r\n") == 1
    assert read_back("csv", header) == []
    assert run(*empty, "csv").stderr == "exported 0 items to stdout as csv\n"


# -- the summary ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "summary"),
    [
        (["--since", "2018-09-16", "--format", "ndjson"], "exported 2 items"),
        (["--since", "2018-09-16", "--section", "articles", "--format", "csv"], ""),
        (["--until", "2004-01-01", "--format", "json"], "exported 1 item to"),
    ],
)
def test_the_summary_goes_to_stderr_not_stdout(db, args, summary):
    result = run("--db", db, *args)
    assert result.exit_code == 0
    assert result.stderr.startswith(summary or "exported 0 items to stdout as csv")
    assert result.stderr.count("\n") == 1
    assert "exported" not in result.stdout


def test_the_summary_counts_with_thousands_separators(big_db):
    result = run("--db", big_db, "--format", "ndjson", "--section", "articles")
    assert result.exit_code == 0
    count = len(result.stdout.splitlines())
    assert count > 3000
    assert result.stderr == f"exported {count:,} items to stdout as ndjson\n"


# -- the archive is only read --------------------------------------------------


def test_the_export_does_not_change_the_archive(tmp_path):
    path = build_archive(tmp_path / "psg.db")
    before = digest(path)
    for fmt in FORMATS:
        assert run("--db", path, "--format", fmt).exit_code == 0
    assert digest(path) == before
    wal = tmp_path / "psg.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_export_reads_while_a_crawl_is_writing(tmp_path):
    path = build_archive(tmp_path / "psg.db")
    expected = table_rows(path)
    with Archive(path) as crawler:
        crawler.conn.execute("BEGIN IMMEDIATE")
        crawler.conn.execute("UPDATE items SET title = 'being rewritten'")
        result = run("--db", path, "--format", "json")
        crawler.conn.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


# -- failures ------------------------------------------------------------------


def not_an_archive(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "psg.db"
    if kind == "text":
        path.write_bytes(b"this is not a database, just text" * 100)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "other-sqlite":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (text)")
        conn.close()
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "no such archive"),
        ("text", "not a database"),
        ("empty", "not an archive"),
        ("other-sqlite", "not an archive"),
    ],
)
def test_what_is_not_an_archive_exits_1_with_a_message(tmp_path, kind, message):
    path = not_an_archive(tmp_path, kind)
    target = tmp_path / "out.csv"
    result = run("--db", path, "--format", "csv", "-o", target)
    assert result.exit_code == 1
    assert str(path) in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not target.exists()


@pytest.mark.parametrize(
    "bounds",
    [
        ["--since", "2019-13-01"],
        ["--since", "2019-02-30"],
        ["--until", "yesterday"],
        ["--since", "2019"],
        ["--since", "2019-05-01", "--until", "2019-04-30"],
    ],
    ids=str,
)
def test_a_bad_date_is_a_usage_error(db, bounds):
    result = run("--db", db, "--format", "csv", *bounds)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert result.stdout == ""


def test_a_missing_format_is_a_usage_error(db):
    assert run("--db", db).exit_code == 2


def test_an_output_in_a_missing_directory_exits_1_and_leaves_nothing(db, tmp_path):
    target = tmp_path / "missing" / "items.csv"
    result = run("--db", db, "--format", "csv", "-o", target)
    assert result.exit_code == 1
    assert f"cannot write {target}" in result.stderr
    assert "No such file or directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_replaces_an_older_file_whole(db, tmp_path):
    target = tmp_path / "items.ndjson"
    target.write_text("an older, longer export\n" * 10_000)
    result = run("--db", db, "--format", "ndjson", "-o", target)
    assert result.exit_code == 0
    assert read_back("ndjson", target.read_bytes()) == table_rows(db)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_an_output_onto_the_archive_itself_is_refused(tmp_path):
    path = build_archive(tmp_path / "psg.db")
    before = digest(path)
    result = run("--db", path, "--format", "csv", "-o", tmp_path / "." / "psg.db")
    assert result.exit_code == 2
    assert "is the archive itself" in result.stderr
    assert digest(path) == before


def test_a_reader_that_stops_early_gets_no_traceback(big_db):
    """`psg export ... | head`: the closed pipe ends the export quietly."""
    program = "from psgscraper.cli.export import export; export()"
    child = subprocess.Popen(
        [sys.executable, "-c", program, "--db", str(big_db), "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout.readline().startswith(b"id,url,section,")
    child.stdout.close()
    stderr = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=120) == 1
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr
