"""The archive's schema: created, brought up to date, refused when foreign,
and read from a file by the code that only reads it."""

import sqlite3
from pathlib import Path

import pytest
from helpers import FIXTURES, SITE, listing_of, posts_page, rows

from psgscraper.archive import SCHEMA_VERSION, Archive, ArchiveError
from psgscraper.archive.schema import (
    FTS_COLUMNS,
    FTS_TABLE,
    INTERNAL_COLUMNS,
    ITEM_CRAWL_COLUMNS,
    ITEMS,
    TABLES,
    VIEWS,
    check_archive,
    columns_of,
    connect_read_only,
    item_columns,
    quote_identifier,
    read_only_uri,
)


@pytest.fixture
def news():
    return listing_of("seed-news-0.html", f"{SITE}/news.php")


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "psg.db") as opened:
        yield opened


def test_schema_wal_foreign_keys_and_full_text_search(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    assert rows(archive, "PRAGMA journal_mode") == [("wal",)]
    assert rows(archive, "PRAGMA foreign_keys") == [(1,)]
    assert rows(archive, "PRAGMA integrity_check") == [("ok",)]
    found = rows(
        archive,
        "SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
        "WHERE items_fts MATCH 'pallaqueras' ",
    )
    assert found == [("article-1234",)]
    # Accents folded: "Bartolome" finds "Bartolomé"; triggers follow updates.
    assert rows(
        archive, "SELECT rowid FROM items_fts WHERE items_fts MATCH 'bartolome'"
    )
    solidaridad = "SELECT rowid FROM items_fts WHERE items_fts MATCH 'solidaridad'"
    assert rows(archive, solidaridad)
    archive.conn.execute(
        "UPDATE items SET summary = 'Replaced text' WHERE id = 'article-1234'"
    )
    assert not rows(archive, solidaridad)


def test_readonly_archive_sees_committed_pages(tmp_path, news):
    writer = Archive(tmp_path / "psg.db")
    reader = Archive(tmp_path / "psg.db", readonly=True)
    assert not reader.holds_unchanged(news.items)
    writer.record_page(writer.start_crawl(SITE, ["news"]), news)
    assert reader.holds_unchanged(news.items)
    with pytest.raises(sqlite3.OperationalError):
        reader.conn.execute("DELETE FROM items")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database, just text" * 100, "not a database"),
        (None, "no such archive"),
    ],
)
def test_what_is_not_an_archive_is_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "psg.db"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ArchiveError, match=message):
        Archive(path, readonly=content is None)


def test_another_sqlite_database_or_a_newer_schema_is_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (text)").connection.commit()
    with pytest.raises(ArchiveError, match="not an archive"):
        Archive(other)
    newer = tmp_path / "newer.db"
    Archive(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ArchiveError, match="newer psgscraper"):
        Archive(newer)


# -- an archive of an older schema ----------------------------------------------


@pytest.fixture
def archive_v2(tmp_path) -> Path:
    """An archive as psgscraper wrote it before full texts (schema 2)."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "archive-v2.sql").read_text("utf-8"))
    conn.close()
    return path


def test_an_older_archive_is_brought_up_to_date_keeping_its_rows(archive_v2):
    conn = sqlite3.connect(archive_v2)
    before = conn.execute("SELECT * FROM items ORDER BY id").fetchall()
    conn.close()
    with Archive(archive_v2) as archive:
        assert rows(archive, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        columns = set(archive.db["items"].columns_dict)
        assert {"body", "body_fetched", "body_error"} <= columns
        assert {"warc", "item_pages"} <= set(archive.db["crawls"].columns_dict)
        assert {"captures", "wordpress_posts"} <= set(archive.db.table_names())
        # Its crawls were all of the site's listing pages.
        assert {row[0] for row in rows(archive, "SELECT source FROM crawls")} == {
            "site"
        }
        after = rows(archive, "SELECT * FROM items ORDER BY id")
        assert [row[: len(before[0])] for row in after] == before
        assert set(archive.db["items_fts"].columns_dict) >= {"summary", "body"}
        assert rows(archive, SEARCH, "pallaqueras") == [("article-1234",)]
        archive.record_full_text(
            1, "article-1235", "A full text about quinoa.", "2026-01-01T00:00:00+00:00"
        )
        assert rows(archive, SEARCH, "quinoa") == [("article-1235",)]
        assert rows(archive, "PRAGMA integrity_check") == [("ok",)]
        # Its items' places, read on opening (Puno is only in a caption).
        assert rows(archive, "SELECT DISTINCT code FROM item_places") == [("PE-APU",)]


def test_posts_an_older_archive_took_for_duplicates_by_their_title_are_not(tmp_path):
    path = tmp_path / "psg.db"
    with Archive(path) as archive:
        crawl = archive.start_crawl(SITE, ["posts"], source="wordpress")
        archive.record_page(crawl, posts_page(
            ("/2020/01/letter-from-lima/", "Letter from Lima", "In Miraflores.",
             "2020-01-11"),
            ("/2020/02/letter-from-lima/", "Letter from Lima", "In Barranco.",
             "2020-02-08"),
        ))  # fmt: skip
    # As schema 5 kept them: one key for the title, the later post a duplicate.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE items SET listing_key = 'the title alone'")
    conn.execute(
        "UPDATE items SET duplicate_of = '/2020/01/letter-from-lima/' "
        "WHERE id = '/2020/02/letter-from-lima/'"
    )
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    with Archive(path) as archive:
        assert rows(archive, "SELECT COUNT(DISTINCT listing_key) FROM items") == [(2,)]
        assert rows(archive, "SELECT id FROM items WHERE duplicate_of IS NULL") == [
            ("/2020/01/letter-from-lima/",),
            ("/2020/02/letter-from-lima/",),
        ]


def test_an_archive_of_schema_6_gets_the_places_of_all_its_items(tmp_path, news):
    path = tmp_path / "psg.db"
    with Archive(path) as archive:
        crawl = archive.start_crawl(SITE, ["news"])
        archive.record_page(crawl, news)
        archive.record_full_text(crawl, "article-1234", "Gold miners of Puno.", "T1")
        written = rows(archive, "SELECT * FROM item_places ORDER BY item_id, code")
    # As schema 6 kept it: no item_places, no item_regions.
    conn = sqlite3.connect(path)
    conn.execute("DROP VIEW item_regions")
    conn.execute("DROP TABLE item_places")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    with Archive(path) as archive:
        assert rows(archive, "SELECT * FROM item_places ORDER BY item_id, code") == (
            written
        )
        assert ("article-1234", "PE-PUN") in rows(
            archive, "SELECT item_id, code FROM item_regions"
        )


SEARCH = (
    "SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
    "WHERE items_fts MATCH ?"
)


# -- the schema as declared, and read back from a file --------------------------


def test_the_schema_created_is_the_one_declared(archive):
    db = archive.db
    for name in TABLES:
        assert [column.name for column in db[name].columns] == list(columns_of(name))
    for name, columns in VIEWS.items():
        assert [column.name for column in db[name].columns] == list(columns)
    assert set(db.table_names()) - set(TABLES) == {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{part}" for part in ("config", "data", "docsize", "idx")),
    }
    assert [column.name for column in db[FTS_TABLE].columns] == list(FTS_COLUMNS)
    indexed = {tuple(index.columns) for index in db["captures"].indexes}
    assert {("original", "timestamp"), ("digest",)} <= indexed
    assert set(INTERNAL_COLUMNS) <= set(columns_of(ITEMS))
    assert ITEM_CRAWL_COLUMNS == ("first_crawl", "last_crawl")


def test_item_columns_and_the_archive_check_read_an_attached_file(tmp_path):
    Archive(tmp_path / "psg.db").close()
    other = tmp_path / "other #1.db"  # a name a URI must escape
    sqlite3.connect(other).execute("CREATE TABLE notes (text)").connection.close()
    conn = connect_read_only(tmp_path / "psg.db")
    conn.execute("ATTACH DATABASE ? AS other", (read_only_uri(other),))
    assert item_columns(conn) == columns_of(ITEMS)
    assert item_columns(conn, "other") == ()
    check_archive(conn)
    with pytest.raises(ArchiveError) as refused:
        check_archive(conn, schema="other")
    assert str(refused.value) == f"{other} is a SQLite database but not an archive"
    with pytest.raises(ArchiveError) as refused:
        check_archive(conn, "theirs.db", "other")
    assert str(refused.value).startswith("theirs.db is a SQLite database but")
    conn.close()


def test_a_file_opened_read_only_cannot_be_written(tmp_path):
    path = tmp_path / "psg #1.db"
    Archive(path).close()
    conn = connect_read_only(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM items")
    conn.close()
    with pytest.raises(ArchiveError, match="no such archive"):
        connect_read_only(tmp_path / "none.db")


def test_quote_identifier_names_any_column(tmp_path):
    assert quote_identifier('say "hi"') == '"say ""hi"""'
    conn = sqlite3.connect(":memory:")
    name = 'odd "name", with; SQL'
    conn.execute(f"CREATE TABLE t ({quote_identifier(name)} TEXT)")
    conn.execute(f"INSERT INTO t ({quote_identifier(name)}) VALUES ('x')")
    assert conn.execute(f"SELECT {quote_identifier(name)} FROM t").fetchall() == [
        ("x",)
    ]
