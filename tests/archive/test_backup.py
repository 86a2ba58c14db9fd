"""`backup`: a whole, checked copy of the archive, never half of one.

The copy made while a crawl writes is tested in test_live_archive.py.
"""

import re
import sqlite3

import pytest
from helpers import SITE, listing_of

from psgscraper.archive import Archive, ArchiveError, backup


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "psg #1.db"  # a name a URI must escape
    with Archive(path) as archive:
        crawl = archive.start_crawl(SITE, ["news"])
        archive.record_page(crawl, listing_of("seed-news-0.html", f"{SITE}/news.php"))
    return path


def items(path):
    with sqlite3.connect(path) as conn:
        found = conn.execute("SELECT * FROM items ORDER BY id").fetchall()
    conn.close()
    return found


def test_the_copy_is_one_whole_file(db, tmp_path):
    dest = tmp_path / "copy.db"
    assert backup(db, dest) == dest
    assert items(dest) == items(db) and len(items(dest)) == 10
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    assert sorted(path.name for path in tmp_path.iterdir() if "copy" in path.name) == [
        "copy.db"
    ]


def test_a_directory_gets_a_dated_copy(db, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    written = backup(db, folder)
    assert written.parent == folder
    assert re.fullmatch(r"psg #1-\d{8}T\d{6}Z\.db", written.name)
    assert items(written) == items(db)


def test_the_archive_is_not_copied_over_itself(db):
    with pytest.raises(ArchiveError, match="is the archive itself"):
        backup(db, db)
    assert len(items(db)) == 10


def test_a_missing_archive_leaves_nothing_behind(tmp_path):
    with pytest.raises(ArchiveError, match=r"none\.db: no such archive"):
        backup(tmp_path / "none.db", tmp_path / "copy.db")
    assert list(tmp_path.iterdir()) == []


def test_a_copy_that_cannot_be_written_says_why(db, tmp_path):
    with pytest.raises(ArchiveError, match=r"^cannot back up .* to .*copy\.db: "):
        backup(db, tmp_path / "missing" / "copy.db")
