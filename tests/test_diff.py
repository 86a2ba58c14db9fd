"""`psg diff` on real archives: items added, removed, changed, and trouble."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import psg

from psgscraper.archive import OK, Archive
from psgscraper.cli.diff import diff
from psgscraper.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    ColumnOnlyIn,
    FieldChange,
    ItemDifference,
    diff_archives,
)
from psgscraper.parse import Listing, Record

SITE = "http://www.perusupportgroup.org.uk"
SEEN_AT = "2026-01-05T10:00:00+00:00"
# A summary long enough to be shortened, changed near its end.
LONG = "The congress debated the mining law for a whole week. " * 12
LONG_EDITED = LONG + "It passed on Friday."


def record(item_id: str, **fields) -> Record:
    values = {
        "id": item_id,
        "url": f"{SITE}/{item_id}.html",
        "section": "news",
        "title": f"Title of {item_id}",
        "date": "2018-05-01",
        "date_precision": "day",
        "date_text": "1 May 2018",
        "update_number": 105,
        "byline": None,
        "summary": f"Summary of {item_id}.",
        "image_caption": None,
        "position": 1,
        "page_url": f"{SITE}/news.php",
        "fingerprint": f"fingerprint-{item_id}",
    }
    values.update(fields)
    return Record(**values)


def build(path: Path, *records: Record, crawls_before: int = 0) -> Path:
    """An archive of these records, seen in one crawl (after some empty ones).

    Every sighting has the same date, as a re-parse of the same captures does.
    """
    with Archive(path) as archive:
        for _ in range(crawls_before):
            archive.finish_crawl(archive.start_crawl(SITE, ["news"]), OK)
        crawl = archive.start_crawl(SITE, ["news"])
        listing = Listing(f"{SITE}/news.php", "news", tuple(records))
        archive.record_page(crawl, listing, seen_at=SEEN_AT)
        archive.finish_crawl(crawl, OK)
    return path


def run(*args) -> Result:
    result = CliRunner().invoke(diff, [str(arg) for arg in args])
    # Whatever happens, the command exits; it never ends in a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def summary_of(result: Result) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture
def pair(tmp_path):
    """OLD and NEW: one item removed, one added, one with summary and date changed."""
    old = build(
        tmp_path / "old.db",
        record("article-7", title="Lima strike"),
        record("article-1231", summary="Miners march.", date="2018-05-01"),
        record("article-1232"),
    )
    new = build(
        tmp_path / "new.db",
        record("article-1231", summary="Miners march on Lima.", date="2018-05-02"),
        record("article-1232"),
        record("article-1250", title="Cusqueño election"),
    )
    return old, new


def test_identical_archives_exit_0(tmp_path):
    items = (record("article-1"), record("article-2", byline="Jane Doe"))
    old = build(tmp_path / "old.db", *items)
    new = build(tmp_path / "new.db", *items)
    result = run(old, new)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert summary_of(result) == "0 added, 0 removed, 0 changed"


def test_added_removed_and_changed_items_field_by_field(pair):
    result = run(*pair)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "- article-7  Lima strike",
        "~ article-1231  Title of article-1231",
        "    date: '2018-05-01' → '2018-05-02'",
        "    summary: 'Miners march.' → 'Miners march on Lima.'",
        "+ article-1250  Cusqueño election",
    ]
    assert summary_of(result) == (
        "1 added, 1 removed, 1 changed (fields: date 1, summary 1)"
    )


def test_the_function_yields_the_differences_for_scripts(pair):
    assert list(diff_archives(*pair)) == [
        ItemDifference("article-7", REMOVED, "Lima strike"),
        ItemDifference(
            "article-1231",
            CHANGED,
            "Title of article-1231",
            (
                FieldChange("date", "2018-05-01", "2018-05-02"),
                FieldChange("summary", "Miners march.", "Miners march on Lima."),
            ),
        ),
        ItemDifference("article-1250", ADDED, "Cusqueño election"),
    ]


@pytest.mark.parametrize(
    ("column", "before", "after", "shown"),
    [
        ("byline", None, "Jane Doe", "NULL → 'Jane Doe'"),
        ("byline", "Jane Doe", None, "'Jane Doe' → NULL"),
        ("image_caption", None, "", "NULL → ''"),
        ("update_number", None, 106, "NULL → 106"),
        ("update_number", 105, 106, "105 → 106"),
        ("date_precision", "day", "month", "'day' → 'month'"),
    ],
)
def test_any_difference_of_a_value_is_a_change(tmp_path, column, before, after, shown):
    old = build(tmp_path / "old.db", record("article-1", **{column: before}))
    new = build(tmp_path / "new.db", record("article-1", **{column: after}))
    result = run(old, new)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "~ article-1  Title of article-1",
        f"    {column}: {shown}",
    ]
    assert summary_of(result) == f"0 added, 0 removed, 1 changed (fields: {column} 1)"


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        ((), ["summary"]),
        (("--ignore", "summary"), []),
        (("--all",), ["summary", "first_crawl", "last_crawl"]),
        (("--all", "--ignore", "summary"), ["first_crawl", "last_crawl"]),
        (("--ignore", "summary", "--ignore", "date"), []),
    ],
)
def test_crawl_numbers_and_ignored_columns_are_not_compared(tmp_path, options, fields):
    # NEW was built by a later crawl: its crawl ids differ from OLD's.
    old = build(tmp_path / "old.db", record("article-1", summary="Before."))
    new = build(
        tmp_path / "new.db", record("article-1", summary="After."), crawls_before=2
    )
    result = run(old, new, *options)
    assert result.exit_code == (1 if fields else 0)
    shown = [line.split(":")[0].strip() for line in result.stdout.splitlines()[1:]]
    assert sorted(shown) == sorted(fields)


def test_an_unknown_column_to_ignore_is_a_usage_error(pair):
    result = run(*pair, "--ignore", "sumary")
    assert result.exit_code == 2
    assert "no column sumary" in result.stderr
    assert result.stdout == ""


def test_items_come_in_the_archives_id_order(tmp_path):
    old = build(tmp_path / "old.db", record("article-5"))
    ids = ["news-0badc0de", "article-100", "article-99", "article-7", "article-5"]
    new = build(tmp_path / "new.db", *(record(item_id) for item_id in ids))
    result = run(old, new)
    assert [line.split()[1] for line in result.stdout.splitlines()] == [
        "article-7",
        "article-99",
        "article-100",
        "news-0badc0de",
    ]


@pytest.fixture
def long_pair(tmp_path):
    old = build(tmp_path / "long-old.db", record("article-1", summary=LONG))
    new = build(tmp_path / "long-new.db", record("article-1", summary=LONG_EDITED))
    return old, new


def test_long_values_are_shortened_around_what_changed(long_pair):
    result = run(*long_pair)
    (field_line,) = result.stdout.splitlines()[1:]
    assert field_line.startswith("    summary: …'")
    assert "It passed on Friday." in field_line
    assert len(field_line) < 120


def test_full_prints_long_values_whole(long_pair):
    result = run(*long_pair, "--full")
    assert result.stdout.splitlines()[1:] == [
        f"    summary: {LONG!r} → {LONG_EDITED!r}"
    ]


def test_json_lines_parse_and_carry_whole_values(long_pair, pair):
    result = run(*long_pair, "--json")
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert json.loads(line) == {
        "change": "changed",
        "id": "article-1",
        "title": "Title of article-1",
        "fields": {"summary": {"old": LONG, "new": LONG_EDITED}},
    }
    result = run(*pair, "--json")
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(c["change"], c["id"]) for c in changes] == [
        ("removed", "article-7"),
        ("changed", "article-1231"),
        ("added", "article-1250"),
    ]
    assert changes[2]["title"] == "Cusqueño election"
    assert summary_of(result).startswith("1 added, 1 removed, 1 changed")


def test_a_column_only_in_new_is_reported_once(tmp_path):
    items = [record(f"article-{n}") for n in range(1, 4)]
    old = build(tmp_path / "old.db", *items)
    new = build(tmp_path / "new.db", *items)
    with sqlite3.connect(new) as conn:
        conn.execute("ALTER TABLE items ADD COLUMN body_html TEXT")
        conn.execute("UPDATE items SET body_html = '<p>' || id || '</p>'")
    conn.close()
    result = run(old, new)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"! column body_html only in {new}"]
    assert summary_of(result) == (
        "0 added, 0 removed, 0 changed; columns only on one side: body_html (new)"
    )
    (line,) = run(old, new, "--json").stdout.splitlines()
    assert json.loads(line)["only_in"] == "new"
    assert list(diff_archives(old, new)) == [ColumnOnlyIn("body_html", "new")]


def not_sqlite(path: Path) -> str:
    path.write_text("id,title\narticle-1,Lima\n")
    return "file is not a database"


def not_an_archive(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    return "is a SQLite database but not an archive"


def missing(path: Path) -> str:
    return "no such file"


def directory(path: Path) -> str:
    path.mkdir()
    return "not a file"


@pytest.mark.parametrize("side", ["old", "new"])
@pytest.mark.parametrize("spoil", [missing, directory, not_sqlite, not_an_archive])
def test_trouble_exits_2_with_a_one_line_message(tmp_path, pair, side, spoil):
    bad = tmp_path / "bad.db"
    reason = spoil(bad)
    old, new = (bad, pair[1]) if side == "old" else (pair[0], bad)
    result = run(old, new)
    assert result.exit_code == 2
    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"Error: {bad}")
    assert reason in message
    assert "Traceback" not in result.stderr


def test_the_archives_are_left_as_they_were(pair):
    before = [path.read_bytes() for path in pair]
    run(*pair)
    assert [path.read_bytes() for path in pair] == before


def test_psg_diff_as_a_maintainer_runs_it(pair, tmp_path):
    result = psg("diff", "old.db", "new.db", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "    summary: 'Miners march.' → 'Miners march on Lima.'" in (
        result.stdout.splitlines()
    )
    assert result.stderr.strip() == (
        "1 added, 1 removed, 1 changed (fields: date 1, summary 1)"
    )
    missing_file = psg("diff", "old.db", "gone.db", cwd=tmp_path)
    assert missing_file.returncode == 2
    assert missing_file.stderr == "Error: gone.db: no such file\n"
