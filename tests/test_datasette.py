"""Datasette on a crawled archive, queried through datasette.client."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from contextlib import nullcontext

import pytest
from helpers import crawl, free_port, serving, wait_for
from markupsafe import escape

from psgscraper.archive import Archive, CrawlLock
from psgscraper.datasette.app import make_datasette, prepare_archive
from psgscraper.datasette.metadata import build_metadata
from psgscraper.site import LIVE_SITE

DB = "psg"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_week0, mirror_week1):
    """The default mirror crawled in week 0 and week 1, and one hostile item."""
    db = tmp_path_factory.mktemp("datasette") / f"{DB}.db"
    shutil.copy(crawled_week0.db, db)
    with serving(mirror_week1) as server:
        assert crawl(server, db, "--incremental").returncode == 0
    with Archive(db) as opened:
        opened.conn.execute(
            "INSERT INTO items (id, section, title, summary, date, date_precision, "
            "date_text, year, first_seen, last_seen) VALUES ('article-99999', 'news', "
            "'<script>alert(\"title\")</script> Hostile', "
            "'<img src=x onerror=alert(1)> and <b>bold</b>', '2018-01-07', 'day', "
            "'7 January 2018', 2018, '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:00:00+00:00')"
        )
    prepare_archive(db)
    return db


@pytest.fixture(scope="module")
def datasette(archive):
    instance = make_datasette(archive)
    asyncio.run(instance.invoke_startup())
    return instance


def get(datasette, path: str):
    async def fetch():
        return await datasette.client.get(path)

    return asyncio.run(fetch())


def get_json(datasette, path: str):
    response = get(datasette, path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def rows(archive, sql: str, *params):
    with Archive(archive, readonly=True) as opened:
        return [tuple(row) for row in opened.conn.execute(sql, params)]


def words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]{6,}", text)}


def matches(archive, expression: str) -> int:
    """How many items the full-text index matches (stems, accents folded)."""
    return rows(
        archive, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH ?", expression
    )[0][0]


def test_search_finds_an_item_by_a_word_of_its_summary(datasette, archive):
    items = rows(archive, "SELECT id, title, summary FROM items ORDER BY id")
    item_id, word = next(
        (item_id, word)
        for item_id, title, summary in items
        for word in sorted(words(summary) - words(title))
        if matches(archive, word) == 1
    )
    found = get_json(datasette, f"/{DB}/items.json?_search={word}&_shape=array")
    assert [row["id"] for row in found] == [item_id]


def test_ranked_search_puts_a_title_match_first(datasette, archive):
    titles = rows(archive, "SELECT title FROM items WHERE duplicate_of IS NULL")
    word = next(
        word
        for (title,) in titles
        for word in sorted(words(title))
        if matches(archive, f"title: {word}") == 1
        and matches(archive, f"summary: {word}") >= 3
    )
    found = get_json(datasette, f"/{DB}/search.json?text={word}&_shape=array")
    assert len(found) >= 4
    assert matches(archive, f"title: {word}") == 1
    title_hits = [row["title"] for row in found if word in row["title"].lower()]
    assert title_hits and found[0]["title"] == title_hits[0]


def test_search_covers_bylines(datasette, archive):
    ((byline,),) = rows(
        archive,
        "SELECT byline FROM items WHERE byline IS NOT NULL "
        "GROUP BY byline ORDER BY COUNT(*) DESC LIMIT 1",
    )
    surname = byline.split()[1]
    found = get_json(datasette, f"/{DB}/items.json?_search={surname}&_shape=array")
    assert any(row["byline"] == byline for row in found)


def test_default_facets_and_sort(datasette):
    page = get_json(datasette, f"/{DB}/items.json?_extra=facet_results&_size=5")
    facets = page["facet_results"]
    assert set(facets) == {"section", "year", "update_number", "byline"}
    assert {v["value"] for v in facets["section"]["results"]} >= {"news", "articles"}
    dates = [
        row["date"] for row in get_json(datasette, f"/{DB}/items.json?_shape=array")
    ]
    assert dates == sorted(dates, key=lambda d: d or "", reverse=True)


def test_facet_suggestions_are_off(datasette):
    page = get_json(datasette, f"/{DB}/items.json?_extra=suggested_facets")
    assert page["suggested_facets"] == []


QUERY_PARAMS = {
    "search": "text=mining",
    "mentions_per_year": "word=Conga",
    "date_range": "since=2009-01-01&until=2009-12-31",
}


@pytest.mark.parametrize("query", list(build_metadata(DB)["databases"][DB]["queries"]))
def test_every_canned_query_answers(datasette, query):
    params = QUERY_PARAMS.get(query, "")
    result = get_json(datasette, f"/{DB}/{query}.json?{params}&_shape=array")
    assert result, query


def test_mentions_per_year_counts_items(datasette, archive):
    result = get_json(
        datasette, f"/{DB}/mentions_per_year.json?word=Conga&_shape=array"
    )
    (total,) = rows(
        archive,
        "SELECT COUNT(*) FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
        "WHERE items_fts MATCH 'Conga' AND duplicate_of IS NULL",
    )[0]
    assert sum(row["items"] for row in result) == total > 0


def test_date_range_keeps_month_and_year_dates_that_overlap(datasette):
    found = get_json(
        datasette,
        f"/{DB}/date_range.json?since=2009-04-10&until=2009-04-20&_shape=array",
    )
    assert found
    assert all(row["date"][:7] == "2009-04" for row in found)
    months = [row for row in found if len(row["date"]) == 7]
    days = [row for row in found if len(row["date"]) == 10]
    assert all("2009-04-10" <= row["date"] <= "2009-04-20" for row in days)
    assert months, "the mirror has month-precision Update pieces in April 2009"


def test_csv_stream_has_every_row(datasette, archive):
    response = get(datasette, f"/{DB}/items.csv?_stream=on&_size=max")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.text)))
    (count,) = rows(archive, "SELECT COUNT(*) FROM items")[0]
    assert len(table) == count
    assert {"id", "title", "summary", "date"} <= set(table[0])


@pytest.mark.parametrize("table", ["items", "newsletters", "crawls", "sightings"])
def test_every_table_exports_csv_and_json(datasette, table):
    assert get(datasette, f"/{DB}/{table}.csv").status_code == 200
    assert get_json(datasette, f"/{DB}/{table}.json")["rows"]


def test_scraped_text_is_always_escaped(datasette):
    for path in (f"/{DB}/items/article-99999", f"/{DB}/items?_search=Hostile"):
        html = get(datasette, path).text
        assert "&lt;script&gt;alert(" in html
        assert '<script>alert("title")' not in html
        assert "<img src=x" not in html and "<b>bold</b>" not in html


def test_item_links_to_its_original_page_and_its_captures(datasette):
    html = get(datasette, f"/{DB}/items/article-1000").text
    original = f"{LIVE_SITE}article-1000.html"
    assert f'href="{original}"' in html
    assert f'href="https://web.archive.org/web/*/{original}"' in html


def test_newsletters_count_each_edition_and_link_to_it(datasette, archive):
    editions = get_json(datasette, f"/{DB}/newsletters.json?_shape=array&_size=max")
    (distinct,) = rows(
        archive,
        "SELECT COUNT(DISTINCT date_text) FROM items "
        "WHERE duplicate_of IS NULL AND date_text IS NOT NULL",
    )[0]
    assert len(editions) == distinct
    update = next(row for row in editions if row["update_number"])
    html = get(datasette, f"/{DB}/newsletters?update_number={update['update_number']}")
    link = re.search(r'href="(/psg/items\?date_text=[^"]+)"', html.text)
    assert link
    path = link.group(1).replace("&amp;", "&").replace("/items?", "/items.json?")
    listed = get_json(datasette, path + "&_shape=array")
    assert len(listed) == update["items"]


def test_atom_feed_of_the_newest_items(datasette):
    response = get(datasette, f"/{DB}/feed.atom")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("atom:entry", ns)
    assert len(entries) == 50
    assert entries[0].find("atom:link", ns).get("href").startswith(LIVE_SITE)


def test_items_per_month_chart_is_served_offline(datasette):
    html = get(datasette, "/-/dashboards/archive").text
    assert "items-per-month" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts and all(src.startswith("/") for src in scripts), scripts
    for src in scripts:
        assert get(datasette, src).status_code == 200, src


def serve(db, port: int):
    return subprocess.Popen(
        [sys.executable, "-m", "psgscraper", "serve", "--db", str(db),
         "--port", str(port)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("crawling", [False, True], ids=["immutable", "live"])
def test_psg_serve_is_read_only_and_local(tmp_path, archive, crawling):
    db = tmp_path / "psg.db"
    shutil.copy(archive, db)
    (before,) = rows(db, "SELECT COUNT(*) FROM items")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with CrawlLock(db) if crawling else nullcontext():
        server = serve(db, port)
        try:
            (database,) = json.loads(wait_for(f"{base}/-/databases.json"))
            delete = status_of(f"{base}/{DB}.json?sql=DELETE+FROM+items")
            post = status_of(f"{base}/{DB}/items", data=b"id=x")
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert database["is_mutable"] is crawling
    assert (delete, post) == (400, 405)
    assert rows(db, "SELECT COUNT(*) FROM items") == [before]


def status_of(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data)) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_psg_serve_refuses_a_missing_archive(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "psgscraper", "serve", "--db", str(tmp_path / "no.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no archive" in result.stderr and "Traceback" not in result.stderr


def test_item_page_reads_as_an_article_and_names_its_first_listing(datasette, archive):
    ((duplicate, first),) = rows(
        archive,
        "SELECT id, duplicate_of FROM items WHERE duplicate_of IS NOT NULL LIMIT 1",
    )
    html = get(datasette, f"/{DB}/items/{duplicate}").text
    article = html[html.index('<article class="psg-item">') : html.index("</article>")]
    ((title, summary),) = rows(
        archive, "SELECT title, summary FROM items WHERE id = ?", duplicate
    )
    assert f"<h2>{escape(title)}</h2>" in article
    for paragraph in summary.split("\n\n"):
        assert f"<p>{escape(paragraph)}</p>" in article
    assert f'href="/{DB}/items/{first}"' in article


def test_every_table_and_column_is_described(datasette, archive):
    tables = build_metadata(DB)["databases"][DB]["tables"]
    with Archive(archive, readonly=True) as opened:
        for table in [*opened.db.table_names(), *opened.db.view_names()]:
            if table.startswith("items_fts"):
                continue
            described = tables[table]
            assert described["description"], table
            columns = {c.name for c in opened.db[table].columns}
            assert columns == set(described["columns"]), table


@pytest.mark.parametrize("query", ["items_per_year", "latest_crawls", "changed_items"])
def test_canned_queries_export_csv(datasette, query):
    response = get(datasette, f"/{DB}/{query}.csv")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.text)))) > 1


def test_json_computes_facets_only_when_asked(datasette):
    plain = get_json(datasette, f"/{DB}/items.json?_search=mining&_size=1")
    assert not plain["facet_results"]
    asked = get_json(datasette, f"/{DB}/items.json?_search=mining&_facet=section")
    assert "section" in asked["facet_results"]
    html = get(datasette, f"/{DB}/items?_search=mining").text
    assert 'data-column="byline"' in html or "facet-info-name" in html
