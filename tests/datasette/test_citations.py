"""Citations served by `psg serve` on a crawled archive: the RIS, BibTeX and
CSL-JSON downloads read back with their parsers, and an item's "Cite this"."""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rispy
from helpers import bibtex_entries, datasette, query
from markupsafe import escape

from psgscraper import cite
from psgscraper.archive import Archive

DB = "psg"

# An item whose title and byline are markup, added to the crawled archive.
HOSTILE = {
    "id": "article-99998",
    "section": "articles",
    "title": "<script>alert(1)</script> Mining & {100%}",
    "summary": '<img src=x onerror=alert(2)> "quoted"',
    "date": "2018-01",
    "date_precision": "month",
    "date_text": "January 2018",
    "update_number": 333,
    "byline": "<b>Ana</b> Quispe from Cusco",
    "year": 2018,
    "first_seen": "2026-01-02T03:04:05+00:00",
    "last_seen": "2026-01-02T03:04:05+00:00",
}

# A current-site post: its id is its path, its page its own link.
POST = {
    "id": "/2021/03/mining-and-water/",
    "url": "https://perusupportgroup.org.uk/2021/03/mining-and-water/",
    "section": "news",
    "title": "Mining and water",
    "summary": "A post.",
    "date": "2021-03-04",
    "date_precision": "day",
    "year": 2021,
    "first_seen": "2026-01-02T03:04:05+00:00",
    "last_seen": "2026-01-02T03:04:05+00:00",
}

CONTENT_TYPES = {
    "ris": "application/x-research-info-systems",
    "bib": "application/x-bibtex",
    "csljson": "application/vnd.citationstyles.csl+json",
}


def read_back(extension: str, body: str) -> list[dict]:
    """The records of a download, each as {"id", "title"}, read by its parser;
    a BibTeX record's id is its key (`known_as`)."""
    if extension == "ris":
        return [{"id": r["id"], "title": r["title"]} for r in rispy.loads(body)]
    if extension == "bib":
        return [{"id": e["key"], "title": e["title"]} for e in bibtex_entries(body)]
    return [{"id": r["id"], "title": r["title"]} for r in json.loads(body)]


def known_as(extension: str, item_id: str) -> str:
    """How a download names an item: by its id, or in BibTeX by its key."""
    return cite.bibtex_key(item_id) if extension == "bib" else item_id


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_week0):
    db = tmp_path_factory.mktemp("citations") / f"{DB}.db"
    shutil.copy(crawled_week0.db, db)
    with Archive(db) as opened:
        for added in (HOSTILE, POST):
            opened.conn.execute(
                f"INSERT INTO items ({', '.join(added)}) "
                f"VALUES ({', '.join('?' for _ in added)})",
                list(added.values()),
            )
    return db


@pytest.fixture(scope="module")
def base(archive):
    with datasette(archive) as url:
        yield url


def get(url: str) -> tuple[int, dict, str]:
    """Status, headers (lower-case names) and text of an answer, errors too."""
    try:
        with urllib.request.urlopen(url) as answer:
            status, headers, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, {k.lower(): v for k, v in headers.items()}, body.decode("utf-8")


def item_row(archive, item_id: str) -> dict:
    with Archive(archive, readonly=True) as opened:
        cursor = opened.conn.execute("SELECT * FROM items WHERE id = ?", [item_id])
        columns = [column[0] for column in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def a_word_matching_some_items(archive) -> tuple[str, list[str]]:
    """A word the full-text index matches in a few items, and those items."""
    for (word,) in [("mining",), ("water",), ("election",), ("Conga",)]:
        ids = [
            item_id
            for (item_id,) in query(
                archive,
                "SELECT items.id FROM items_fts JOIN items "
                "ON items.rowid = items_fts.rowid WHERE items_fts MATCH ?",
                word,
            )
        ]
        if 2 < len(ids) <= 1000:
            return word, ids
    raise AssertionError("no word matches a few items")


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_a_searchs_rows_download_as_records(archive, base, extension):
    word, ids = a_word_matching_some_items(archive)
    status, headers, body = get(
        f"{base}/{DB}/items.{extension}?_search={word}&_size=max"
    )
    assert status == 200, body[:500]
    assert headers["content-type"] == f"{CONTENT_TYPES[extension]}; charset=utf-8"
    assert headers["content-disposition"] == f'attachment; filename="items.{extension}"'
    records = read_back(extension, body)
    titles = {
        known_as(extension, item_id): title
        for item_id, title in query(archive, "SELECT id, title FROM items")
    }
    assert sorted(r["id"] for r in records) == sorted(
        known_as(extension, item_id) for item_id in ids
    )
    assert all(r["title"] == titles[r["id"]] for r in records)


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_a_page_of_the_table_downloads_as_its_rows(archive, base, extension):
    _, _, page = get(f"{base}/{DB}/items.json?_size=7&_shape=array")
    status, _, body = get(f"{base}/{DB}/items.{extension}?_size=7")
    assert status == 200
    assert [r["id"] for r in read_back(extension, body)] == [
        known_as(extension, row["id"]) for row in json.loads(page)
    ]


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_the_search_querys_rows_download_as_records(archive, base, extension):
    word, _ = a_word_matching_some_items(archive)
    _, _, found = get(f"{base}/{DB}/search.json?text={word}&_shape=array")
    status, headers, body = get(f"{base}/{DB}/search.{extension}?text={word}")
    assert status == 200, body[:500]
    assert headers["content-disposition"].endswith(f'filename="search.{extension}"')
    found = json.loads(found)
    assert len(found) > 2
    assert [r["id"] for r in read_back(extension, body)] == [
        known_as(extension, r["id"]) for r in found
    ]


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_an_items_page_downloads_as_its_record(archive, base, extension):
    (item_id,) = query(
        archive,
        "SELECT id FROM items WHERE byline IS NOT NULL AND date IS NOT NULL "
        "AND id GLOB 'article-*' ORDER BY id LIMIT 1",
    )[0]
    status, headers, body = get(f"{base}/{DB}/items/{item_id}.{extension}")
    assert status == 200, body[:500]
    assert (
        headers["content-disposition"]
        == f'attachment; filename="{item_id}.{extension}"'
    )
    row = item_row(archive, item_id)
    expected = {"ris": cite.ris, "bib": cite.bibtex, "csljson": cite.csl_json}
    assert body == expected[extension]([row])
    (record,) = read_back(extension, body)
    assert record == {"id": item_id, "title": row["title"]}


@pytest.mark.parametrize("extension", list(CONTENT_TYPES))
def test_rows_that_are_not_items_are_refused_saying_why(base, extension):
    status, headers, body = get(f"{base}/{DB}/crawls.{extension}")
    assert status == 400
    assert headers["content-type"].startswith("text/plain")
    assert "items" in body and "title" in body
    assert "Traceback" not in body
    _, _, page = get(f"{base}/{DB}/crawls")
    assert f"crawls.{extension}" not in page
    _, _, page = get(f"{base}/{DB}/items")
    assert f"items.{extension}" in page


def test_an_items_page_shows_its_citations_and_downloads(archive, base):
    (item_id,) = query(
        archive,
        "SELECT id FROM items WHERE byline IS NOT NULL AND date IS NOT NULL "
        "AND id GLOB 'article-*' ORDER BY id DESC LIMIT 1",
    )[0]
    _, _, page = get(f"{base}/{DB}/items/{item_id}")
    row = item_row(archive, item_id)
    assert "Cite this" in page
    for style, citation in cite.citations(row).items():
        assert f"<dt>{style}</dt>" in page
        assert f"<dd>{escape(citation)}</dd>" in page
        assert row["title"] in citation and cite.author(row) in citation
    assert cite.capture_url(row) in page
    for extension in CONTENT_TYPES:
        link = f'href="/{DB}/items/{item_id}.{extension}"'
        assert link in page
        status, _, body = get(f"{base}/{DB}/items/{item_id}.{extension}")
        assert status == 200 and len(read_back(extension, body)) == 1


def test_a_posts_page_links_its_downloads_by_its_encoded_id(archive, base):
    _, _, page = get(f"{base}/{DB}/items/~2F2021~2F03~2Fmining-and-water~2F")
    section = page[page.index('class="psg-cite"') : page.index("</section>")]
    assert POST["url"] in section
    links = re.findall(r'href="(/[^"]+)" download', section)
    assert [link.rsplit(".", 1)[1] for link in links] == list(CONTENT_TYPES)
    for link in links:
        status, headers, body = get(base + link)
        assert status == 200, (link, body[:300])
        assert headers["content-disposition"].startswith(
            'attachment; filename="2021-03-mining-and-water.'
        )
        (record,) = read_back(link.rsplit(".", 1)[1], body)
        assert record["title"] == POST["title"]


def test_a_hostile_title_is_escaped_in_the_citations(archive, base):
    _, _, page = get(f"{base}/{DB}/items/{HOSTILE['id']}")
    section = page[page.index('class="psg-cite"') : page.index("</section>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "&lt;b&gt;Ana&lt;/b&gt; Quispe" in section
    assert not re.search(r"<script>|<b>|<img", section)
    row = item_row(archive, HOSTILE["id"])
    for citation in cite.citations(row).values():
        assert "<script>alert(1)</script>" in citation
        assert str(escape(citation)) in section
    for extension in CONTENT_TYPES:
        _, _, body = get(f"{base}/{DB}/items/{HOSTILE['id']}.{extension}")
        (record,) = read_back(extension, body)
        assert record["title"] == HOSTILE["title"]


def test_a_search_with_no_match_is_an_empty_file(base):
    word = urllib.parse.quote("zzzznotaword")
    for extension in CONTENT_TYPES:
        status, _, body = get(f"{base}/{DB}/items.{extension}?_search={word}")
        assert status == 200
        assert read_back(extension, body) == []
