"""Datasette on a crawled archive, queried through datasette.client."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import (
    Crawled,
    datasette_get,
    expected_records,
    free_port,
    started_datasette,
    wait_for,
)
from markupsafe import escape

from psgscraper.archive import Archive, CrawlLock
from psgscraper.datasette.app import prepare_archive
from psgscraper.datasette.metadata import build_metadata
from psgscraper.parse.places import places_in
from psgscraper.site import LIVE_SITE

DB = "psg"


# An item whose text is markup, added to the crawled archive.
HOSTILE = {
    "id": "article-99999",
    "path": "article-99999.html",
    "section": "news",
    "title": '<script>alert("title")</script> Hostile',
    "summary": "<img src=x onerror=alert(1)> and <b>bold</b>",
    "date": "2018-01-07",
    "date_precision": "day",
    "date_text": "7 January 2018",
    "update_number": None,
    "byline": None,
    "image_caption": None,
    "duplicate_of": None,
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_weeks):
    """The default mirror crawled in week 0 and week 1, and one hostile item."""
    db = tmp_path_factory.mktemp("datasette") / f"{DB}.db"
    shutil.copy(crawled_weeks, db)
    columns = ("id", "section", "title", "summary", "date", "date_precision",
               "date_text")  # fmt: skip
    with Archive(db) as opened:
        opened.conn.execute(
            f"INSERT INTO items ({', '.join(columns)}, year, first_seen, last_seen) "
            f"VALUES ({', '.join('?' for _ in columns)}, 2018, "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
            [HOSTILE[column] for column in columns],
        )
    prepare_archive(db)
    return db


@dataclass
class AnswerKey:
    """What the archive holds, from the mirrors' answer keys and the crawls."""

    db: Path  # the archive served
    week0: dict[str, dict]  # the records of week 0, by id
    items: dict[str, dict]  # every item of the archive: week 1's, and HOSTILE
    first_crawl: Crawled
    second_crawl_db: Path  # where the week-1 crawl wrote (its WARC is beside it)
    pages: dict  # the week-0 mirror's pages.json
    blocks: list[dict]  # the blocks the week-0 mirror prints

    def pieces(self) -> list[dict]:
        """Each piece once: the items that duplicate no other."""
        return [r for r in self.items.values() if r["duplicate_of"] is None]

    def edited(self) -> list[str]:
        """Items whose text changed between week 0 and week 1."""
        fields = ("title", "date_text", "summary", "byline", "image_caption")
        return sorted(
            item_id
            for item_id, before in self.week0.items()
            if any(before[f] != self.items[item_id][f] for f in fields)
        )


@pytest.fixture(scope="module")
def key(archive, mirror_week0, mirror_week1, crawled_week0, crawled_weeks) -> AnswerKey:
    blocks = json.loads((mirror_week0 / "blocks.json").read_text())["blocks"]
    return AnswerKey(
        db=archive,
        week0={r["id"]: r for r in expected_records(mirror_week0)},
        items={r["id"]: r for r in [*expected_records(mirror_week1), HOSTILE]},
        first_crawl=crawled_week0,
        second_crawl_db=crawled_weeks,
        pages=json.loads((mirror_week0 / "pages.json").read_text()),
        blocks=blocks,
    )


@pytest.fixture(scope="module")
def datasette(archive):
    return started_datasette(archive)


def get_json(datasette, path: str):
    response = datasette_get(datasette, path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def rows(archive, sql: str, *params):
    with Archive(archive, readonly=True) as opened:
        return [tuple(row) for row in opened.conn.execute(sql, params)]


def words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]{6,}", text)}


def tokens(*texts: str | None) -> set[str]:
    """The words of texts as the full-text index reads them: case and accents
    folded, split at anything not a letter or digit (unicode61)."""
    text = unicodedata.normalize("NFKD", " ".join(t for t in texts if t)).casefold()
    return set(
        re.findall(r"[^\W_]+", "".join(c for c in text if not unicodedata.combining(c)))
    )


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


def test_search_covers_bylines(datasette, key):
    """A surname printed only in bylines finds exactly the items it signs."""
    bylines = Counter(r["byline"] for r in key.items.values() if r["byline"])
    surname = next(
        surname
        for byline, _ in bylines.most_common()
        for surname in [tokens(byline.split()[1]).pop()]
        if not any(
            word.startswith(surname)
            for r in key.items.values()
            for word in tokens(r["title"], r["summary"])
        )
    )
    signed = {
        item_id: r["byline"]
        for item_id, r in key.items.items()
        if surname in tokens(r["byline"])
    }
    found = get_json(
        datasette, f"/{DB}/items.json?_search={surname}&_shape=array&_size=max"
    )
    assert len(signed) > 1
    assert {row["id"]: row["byline"] for row in found} == signed


def test_default_facets_and_sort(datasette, key):
    page = get_json(datasette, f"/{DB}/items.json?_extra=facet_results&_size=5")
    facets = page["facet_results"]
    assert set(facets) == {"section", "year", "update_number", "byline"}
    sections = {v["value"]: v["count"] for v in facets["section"]["results"]}
    assert sections == Counter(r["section"] for r in key.items.values())
    dates = [
        row["date"] for row in get_json(datasette, f"/{DB}/items.json?_shape=array")
    ]
    newest = sorted((r["date"] for r in key.items.values()), key=lambda d: d or "")
    assert dates == newest[::-1][: len(dates)] and len(dates) == 50  # a page


def test_items_by_region_facet_counts_each_piece_once(datasette, key):
    page = get_json(
        datasette, f"/{DB}/item_regions.json?_extra=facet_results&_facet_size=max"
    )
    facet = page["facet_results"]["region"]["results"]
    counted = Counter(
        region for r in key.pieces() for region in {p.region for p in places_of(r)}
    )
    assert {v["value"]: v["count"] for v in facet} == counted
    assert len(counted) > 10  # the mirror's items name most regions


def test_facet_suggestions_are_off(datasette):
    page = get_json(datasette, f"/{DB}/items.json?_extra=suggested_facets")
    assert page["suggested_facets"] == []


# Each canned query's columns, in order: what a user's saved links, CSV
# exports and the Atom feed rely on.
COLUMNS = {
    "search": ("id", "date", "section", "title", "excerpt", "byline", "original_url"),
    "items_per_year": ("year", "section", "items"),
    "mentions_per_year": ("year", "items"),
    "date_range": ("id", "date", "date_text", "section", "title", "summary"),
    "region": (
        "id", "date", "section", "title", "places", "summary", "original_url",
    ),
    "places_by_year": ("code", "region", "year", "items"),
    "latest_crawls": (
        "id", "started", "ended", "status", "source", "base_url", "sections",
        "incremental", "pages", "requests", "items_seen", "items_new",
        "items_changed", "blocks_set_aside", "item_pages", "item_page_errors",
        "errors", "message", "warc",
    ),
    "changed_items": (
        "item_id", "title", "crawl_id", "replaced_at", "previous_title",
        "previous_summary", "current_summary",
    ),
    "feed": (
        "atom_id", "atom_title", "atom_updated", "atom_content", "atom_link",
        "atom_author_name",
    ),
}  # fmt: skip
CANNED = list(build_metadata(DB)["databases"][DB]["queries"])


def year_of(record: dict) -> int | None:
    return int(record["date"][:4]) if record["date"] else None


def original_url(record: dict) -> str | None:
    return LIVE_SITE + record["path"] if record["path"] else None


def by_year(records) -> list[tuple]:
    """Sorted as SQLite sorts: the items without a year first."""
    return sorted(records, key=lambda row: (row[0] is not None, row))


# What a cell that no answer key foresees must be.
def utc_time(value) -> bool:
    return datetime.fromisoformat(value).utcoffset() == timedelta(0)


def loopback_url(value) -> bool:
    return re.fullmatch(r"http://127\.0\.0\.1:\d+/", value) is not None


def counted(value) -> bool:
    return isinstance(value, int) and value > 0


def kept_beside(db: Path):
    """A WARC file's path, from the archive's directory, to a file that is there."""
    return lambda value: value.startswith("warc/") and (db.parent / value).is_file()


def search_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    """A word of a title that no other item has (nor a word that starts the
    same: the index stems), and that item's row."""
    starts = Counter(
        start
        for r in key.items.values()
        for start in {w[:6] for w in tokens(r["title"], r["summary"], r["byline"])}
    )
    word, record = next(
        (word, record)
        for record in sorted(key.pieces(), key=lambda r: r["id"])
        for word in sorted(re.findall(r"[A-Za-z]{7,}", record["title"]))
        if starts[word.lower()[:6]] == 1
    )
    row = {
        "id": record["id"],
        "date": record["date"],
        "section": record["section"],
        "title": record["title"],
        "excerpt": lambda text: f"[{word.lower()}]" in text.lower(),  # marked
        "byline": record["byline"],
        "original_url": original_url(record),
    }
    return f"text={word}", [row], True


def items_per_year_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    counts = Counter((year_of(r), r["section"]) for r in key.pieces())
    rows = by_year((year, section, n) for (year, section), n in counts.items())
    return (
        "",
        [dict(zip(COLUMNS["items_per_year"], row, strict=True)) for row in rows],
        True,
    )


def mentions_per_year_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    counts = Counter(
        year_of(r)
        for r in key.pieces()
        if "conga" in tokens(r["title"], r["summary"], r["byline"])
    )
    rows = by_year(counts.items())
    return "word=Conga", [{"year": year, "items": n} for year, n in rows], True


def date_range_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    """A day inside the range, a month or a year that overlaps it."""
    since, until = "2009-04-10", "2009-06-20"
    inside = [
        r
        for r in key.pieces()
        if r["date"] and since[: len(r["date"])] <= r["date"] <= until[: len(r["date"])]
    ]
    rows = [
        {column: r[column] for column in COLUMNS["date_range"]}
        for r in sorted(inside, key=lambda r: (r["date"], r["id"]))
    ]
    return f"since={since}&until={until}", rows, True


def places_of(record: dict) -> list:
    """The places the archive finds in an item (its week-1 text; no full texts)."""
    return places_in(record["title"], record["summary"])


def region_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    """The pieces naming Puno, newest first; the code given without PE-."""
    naming = [
        (r, {p.name for p in places_of(r) if p.code == "PE-PUN"}) for r in key.pieces()
    ]
    newest = sorted(
        ((r, names) for r, names in naming if names),
        key=lambda pair: (pair[0]["date"] is not None, pair[0]["date"] or "",
                          pair[0]["id"]),
        reverse=True,
    )  # fmt: skip
    rows = [
        {
            "id": r["id"],
            "date": r["date"],
            "section": r["section"],
            "title": r["title"],
            # In no set order.
            "places": lambda text, names=names: set(text.split("; ")) == names,
            "summary": r["summary"],
            "original_url": original_url(r),
        }
        for r, names in newest
    ]
    return "code=pun", rows, True


def places_by_year_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    counts = Counter(
        (code, region, year_of(r))
        for r in key.pieces()
        if year_of(r) is not None
        for code, region in {(p.code, p.region) for p in places_of(r)}
    )
    rows = [
        dict(zip(COLUMNS["places_by_year"], (*group, n), strict=True))
        for group, n in sorted(counts.items())
    ]
    return "", rows, True


def latest_crawls_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    """The week-1 crawl, then the week-0 one."""
    listings = key.pages["listings"]
    pages = listings["/news.php"]["pages"] + listings["/articles.php"]["pages"] + 1
    same = {"status": "ok", "source": "site", "sections": "news,articles,home"}
    done = {"item_pages": 0, "item_page_errors": 0, "errors": 0, "message": None}
    week1 = {
        "id": 2,
        "started": utc_time,
        "ended": utc_time,
        **same,
        "base_url": loopback_url,
        "incremental": 1,
        "pages": counted,
        "requests": counted,
        "items_seen": counted,
        "items_new": len(key.items) - 1 - len(key.week0),  # HOSTILE was not seen
        "items_changed": len(key.edited()),
        "blocks_set_aside": counted,
        **done,
        "warc": kept_beside(key.second_crawl_db),
    }
    week0 = {
        "id": 1,
        "started": utc_time,
        "ended": utc_time,
        **same,
        "base_url": key.first_crawl.base_url,
        "incremental": 0,
        "pages": pages,  # every listing page and the home page, once
        "requests": len(key.first_crawl.requests),
        "items_seen": len(key.week0),
        "items_new": len(key.week0),
        "items_changed": 0,
        "blocks_set_aside": len(key.blocks),
        **done,
        "warc": kept_beside(key.first_crawl.db),
    }
    return "", [week1, week0], True


def changed_items_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    rows = [
        {
            "item_id": item_id,
            "title": key.items[item_id]["title"],
            "crawl_id": 2,
            "replaced_at": utc_time,
            "previous_title": key.week0[item_id]["title"],
            "previous_summary": key.week0[item_id]["summary"],
            "current_summary": key.items[item_id]["summary"],
        }
        for item_id in key.edited()
    ]
    return "", rows, False  # one crawl replaced them: in no set order


ATOM_TIME = {"day": "{}T00:00:00+00:00", "month": "{}-01T00:00:00+00:00"}


def feed_answer(key: AnswerKey) -> tuple[str, list[dict], bool]:
    """The 50 newest pieces."""
    newest = sorted(key.pieces(), key=lambda r: (r["date"] or "", r["id"]))[::-1]
    rows = [
        {
            "atom_id": r["id"],
            "atom_title": r["title"],
            "atom_updated": ATOM_TIME[r["date_precision"]].format(r["date"]),
            "atom_content": r["summary"],
            "atom_link": original_url(r) or LIVE_SITE,
            "atom_author_name": r["byline"],
        }
        for r in newest[:50]
    ]
    return "", rows, True


ANSWERS = {
    "search": search_answer,
    "items_per_year": items_per_year_answer,
    "mentions_per_year": mentions_per_year_answer,
    "date_range": date_range_answer,
    "region": region_answer,
    "places_by_year": places_by_year_answer,
    "latest_crawls": latest_crawls_answer,
    "changed_items": changed_items_answer,
    "feed": feed_answer,
}


def test_every_canned_query_is_checked():
    assert list(COLUMNS) == list(ANSWERS) == CANNED


@pytest.mark.parametrize("query", CANNED)
def test_every_canned_query_answers(datasette, key, query):
    """Its columns in order, and the rows the answer key gives (a cell it does
    not foresee, such as a time, passing the test given for it instead)."""
    params, expected, ordered = ANSWERS[query](key)
    answer = get_json(datasette, f"/{DB}/{query}.json?{params}&_shape=objects")
    assert tuple(answer["columns"]) == COLUMNS[query]
    got = answer["rows"]
    if not ordered:
        first = COLUMNS[query][0]
        got, expected = (
            sorted(rows, key=lambda row: row[first]) for rows in (got, expected)
        )
    assert expected and len(got) == len(expected), (query, len(got), len(expected))
    for row, want in zip(got, expected, strict=True):
        assert row.keys() == want.keys(), query
        for column, value in want.items():
            if callable(value):
                assert value(row[column]), (query, column, row[column])
            else:
                assert row[column] == value, (query, column, row)


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
    response = datasette_get(datasette, f"/{DB}/items.csv?_stream=on&_size=max")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.text)))
    (count,) = rows(archive, "SELECT COUNT(*) FROM items")[0]
    assert len(table) == count
    assert {"id", "title", "summary", "date"} <= set(table[0])


@pytest.mark.parametrize("table", ["items", "newsletters", "crawls", "sightings"])
def test_every_table_exports_csv_and_json(datasette, archive, table):
    """A page of rows (50) or the whole table, the same in both formats."""
    response = datasette_get(datasette, f"/{DB}/{table}.csv")
    assert response.status_code == 200
    header, *table_rows = csv.reader(io.StringIO(response.text))
    answer = get_json(datasette, f"/{DB}/{table}.json")
    (count,) = rows(archive, f"SELECT COUNT(*) FROM {table}")[0]
    assert header == answer["columns"]
    assert len(table_rows) == len(answer["rows"]) == min(count, 50) > 0


def test_scraped_text_is_always_escaped(datasette):
    for path in (f"/{DB}/items/article-99999", f"/{DB}/items?_search=Hostile"):
        html = datasette_get(datasette, path).text
        assert "&lt;script&gt;alert(" in html
        assert '<script>alert("title")' not in html
        assert "<img src=x" not in html and "<b>bold</b>" not in html


def test_item_links_to_its_original_page_and_its_captures(datasette):
    html = datasette_get(datasette, f"/{DB}/items/article-1000").text
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
    html = datasette_get(
        datasette, f"/{DB}/newsletters?update_number={update['update_number']}"
    )
    link = re.search(r'href="(/psg/items\?date_text=[^"]+)"', html.text)
    assert link
    path = link.group(1).replace("&amp;", "&").replace("/items?", "/items.json?")
    listed = get_json(datasette, path + "&_shape=array")
    assert len(listed) == update["items"]


def test_atom_feed_of_the_newest_items(datasette, key):
    response = datasette_get(datasette, f"/{DB}/feed.atom")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = [
        (entry.findtext("atom:title", namespaces=ns),
         entry.find("atom:link", ns).get("href"))
        for entry in feed.findall("atom:entry", ns)
    ]  # fmt: skip
    _, newest, _ = feed_answer(key)
    assert entries == [(r["atom_title"], r["atom_link"]) for r in newest]
    assert len(entries) == 50 and all(link.startswith(LIVE_SITE) for _, link in entries)


def test_items_per_month_chart_is_served_offline(datasette):
    html = datasette_get(datasette, "/-/dashboards/archive").text
    assert "items-per-month" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts and all(src.startswith("/") for src in scripts), scripts
    for src in scripts:
        assert datasette_get(datasette, src).status_code == 200, src


def serve(db, port: int):
    return subprocess.Popen(
        [sys.executable, "-m", "psgscraper", "serve", "--db", str(db),
         "--port", str(port)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("crawling", [False, True], ids=["idle", "crawled"])
def test_psg_serve_is_read_only_and_local(tmp_path, archive, crawling):
    """Read-only, and read as it changes whether or not a crawl is writing it
    now: the next one may start at any time."""
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
    assert database["is_mutable"] is True
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
    html = datasette_get(datasette, f"/{DB}/items/{duplicate}").text
    article = html[html.index('<article class="psg-item">') : html.index("</article>")]
    ((title, summary),) = rows(
        archive, "SELECT title, summary FROM items WHERE id = ?", duplicate
    )
    assert f"<h1>{escape(title)}</h1>" in article
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
    """The query's columns and every row of its JSON answer."""
    response = datasette_get(datasette, f"/{DB}/{query}.csv")
    assert response.status_code == 200
    header, *csv_rows = csv.reader(io.StringIO(response.text))
    answer = get_json(datasette, f"/{DB}/{query}.json")
    assert tuple(header) == COLUMNS[query]
    as_text = [["" if v is None else str(v) for v in row] for row in answer["rows"]]
    assert csv_rows == as_text and csv_rows


DEFAULT_FACETS = ["section", "year", "update_number", "byline"]


@pytest.mark.parametrize(
    ("query", "facets"),
    [
        ("", []),
        ("&_facet=section", ["section"]),
        ("&_facet=year", ["year"]),  # once, not again as year_2
        ("&_facet=year&_facet=section", ["section", "year"]),
        ("&_extra=facet_results", DEFAULT_FACETS),
        (
            "&_extra=facet_results&_facet=date_precision",
            [*DEFAULT_FACETS, "date_precision"],
        ),
    ],
)
def test_json_computes_the_facets_it_asks_for(datasette, query, facets):
    page = get_json(datasette, f"/{DB}/items.json?_search=mining&_size=1{query}")
    assert sorted(page["facet_results"]) == sorted(facets)


def test_the_html_table_page_keeps_its_default_facets(datasette):
    path = f"/{DB}/items?_search=mining&_facet=date_precision"
    html = datasette_get(datasette, path).text
    shown = re.findall(r'<p class="facet-info-name">\s*<strong>(\w+)', html)
    assert sorted(shown) == sorted([*DEFAULT_FACETS, "date_precision"])
