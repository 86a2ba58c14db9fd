"""The reading room's search page, served by a real Datasette on a crawled
archive (through datasette.client)."""

from __future__ import annotations

import asyncio
import re
import shutil
from html import unescape

import pytest

from psgscraper.archive import Archive
from psgscraper.datasette.app import make_datasette, prepare_archive

DB = "psg"
HOSTILE_TITLE = "<script>alert('mining')</script> Mining hostile"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_week0):
    db = tmp_path_factory.mktemp("reading-room") / f"{DB}.db"
    shutil.copy(crawled_week0.db, db)
    with Archive(db) as opened:
        opened.conn.execute(
            "INSERT INTO items (id, section, title, summary, date, year, "
            "first_seen, last_seen) VALUES ('article-99999', 'news', ?, "
            "'<b>mining</b> \x02 stray', '2018-01-07', 2018, "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
            (HOSTILE_TITLE,),
        )
    prepare_archive(db)
    return db


@pytest.fixture(scope="module")
def datasette(archive):
    instance = make_datasette(archive)
    asyncio.run(instance.invoke_startup())
    return instance


def page(datasette, query: str):
    async def fetch():
        return await datasette.client.get(f"/{DB}/search?{query}")

    return asyncio.run(fetch())


def matching(archive, fts: str, where: str = "", *params) -> list[tuple]:
    """(id, date) of the items the index matches, as SQL reads them."""
    with Archive(archive, readonly=True) as opened:
        return [
            tuple(row)
            for row in opened.conn.execute(
                "SELECT items.id, items.date FROM items_fts JOIN items "
                "ON items.rowid = items_fts.rowid WHERE items_fts MATCH ? "
                f"AND items.duplicate_of IS NULL {where}",
                (fts, *params),
            )
        ]


def hits(html: str) -> list[str]:
    """The items a results page lists, by the links of their titles."""
    return re.findall(rf'<h2><a href="/{DB}/items/([^"]+)">', html)


def count(html: str) -> int:
    found = re.search(r'class="psg-count"><strong>([\d,]+)</strong>', html)
    return int(found[1].replace(",", ""))


def test_hits_are_listed_with_their_count_links_and_marked_words(datasette, archive):
    response = page(datasette, "text=mining")
    assert response.status_code == 200
    expected = matching(archive, '"mining"')
    assert count(response.text) == len(expected) > 50
    listed = hits(response.text)
    assert len(listed) == 50 and set(listed) <= {item for item, _ in expected}
    excerpts = re.findall(r'<p class="psg-excerpt">(.*?)</p>', response.text, re.S)
    assert len(excerpts) == 50
    assert all("<mark>" in excerpt for excerpt in excerpts)
    marked = re.findall(r"<mark>([^<]*)</mark>", response.text)
    assert marked and all(word.lower().startswith("min") for word in marked)


def test_a_second_page_goes_on_where_the_first_stopped(datasette, archive):
    first = hits(page(datasette, "text=mining&sort=newest").text)
    second = hits(page(datasette, "text=mining&sort=newest&page=2").text)
    assert second and not set(first) & set(second)
    assert 'rel="next"' in page(datasette, "text=mining").text


@pytest.mark.parametrize(("sort", "descending"), [("newest", True), ("oldest", False)])
def test_hits_can_be_sorted_by_date_either_way(datasette, archive, sort, descending):
    listed = hits(page(datasette, f"text=mining&sort={sort}").text)
    dates = dict(matching(archive, '"mining"'))
    shown = [dates[item] for item in listed]
    assert shown == sorted(shown, reverse=descending)


def test_a_date_range_and_a_section_narrow_the_hits(datasette, archive):
    html = page(datasette, "text=mining&from=2010&to=2012-06&section=news").text
    where = "AND items.date BETWEEN ? AND ? AND items.section = 'news'"
    expected = matching(archive, '"mining"', where, "2010-01-01", "2012-06-30")
    assert count(html) == len(expected) > 0
    assert set(hits(html)) <= {item for item, _ in expected}


def test_the_hits_per_year_are_bars_that_narrow_the_range(datasette, archive):
    html = page(datasette, "text=mining").text
    bar = r'<a href="([^"]+)" style="height: [\d.]+%" title="(\d{4}): (\d+)"'
    bars = re.findall(bar, html)
    years = {}
    for _, date in matching(archive, '"mining"'):
        if date:  # an undated item is counted, but in no year
            years[date[:4]] = years.get(date[:4], 0) + 1
    assert {year: int(n) for _, year, n in bars} == years
    link, year, _ = bars[0]
    narrowed = page(datasette, unescape(link).lstrip("?")).text
    assert count(narrowed) == years[year]


@pytest.mark.parametrize(
    ("typed", "fts"),
    [('"truth commission"', '"truth commission"'),
     ("Conga OR Bagua", '"Conga" OR "Bagua"'),
     ("mining -Conga", '"mining" NOT "Conga"'), ("Cajamar*", '"Cajamar"*')],
)  # fmt: skip
def test_phrases_or_leaving_out_and_prefixes_match_as_fts5_does(
    datasette, archive, typed, fts
):
    html = page(datasette, "text=" + typed.replace(" ", "+")).text
    assert count(html) == len(matching(archive, fts)) > 0


@pytest.mark.parametrize(
    ("query", "says"),
    [("text=-Conga", "what to leave out"), ('text="truth', "not closed"),
     ("text=mining&from=soon", "is not a year")],
)  # fmt: skip
def test_a_search_that_cannot_be_read_gets_a_message_not_an_error(
    datasette, query, says
):
    response = page(datasette, query)
    assert response.status_code == 400
    assert says in unescape(response.text)
    assert "Traceback" not in response.text and 'role="search"' in response.text


def test_scraped_text_stays_escaped_in_the_results(datasette):
    html = page(datasette, "text=hostile").text
    assert hits(html) == ["article-99999"]
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>mining</b>" not in html
    assert "\x02" not in html


def test_the_search_json_stays_the_ranked_canned_query(datasette):
    async def fetch():
        return await datasette.client.get(f"/{DB}/search.json?text=mining&_shape=array")

    rows = asyncio.run(fetch()).json()
    assert rows and {"id", "title", "excerpt"} <= set(rows[0])
