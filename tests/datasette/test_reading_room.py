"""The reading room's search and item pages, served by a real Datasette on
an archive of two crawls (through datasette.client)."""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
from helpers import datasette_get, started_datasette
from markupsafe import escape

from psgscraper.archive import Archive
from psgscraper.datasette.app import prepare_archive
from psgscraper.parse.places import fold_accents, region_names

DB = "psg"
HOSTILE_TITLE = "<script>alert('mining')</script> Mining hostile"


CAPTURE = (
    "https://web.archive.org/web/20190325063720id_/"
    "http://www.perusupportgroup.org.uk/news.php"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_weeks):
    """The mirror crawled in week 0 and week 1 (some items edited between),
    one hostile item, and a sighting of it in a Wayback crawl."""
    db = tmp_path_factory.mktemp("reading-room") / f"{DB}.db"
    shutil.copy(crawled_weeks, db)
    with Archive(db) as opened:
        wayback = opened.start_crawl(
            "https://web.archive.org/", ["news"], source="wayback",
            web_archive="web.archive.org",
        )  # fmt: skip
        opened.conn.execute(
            "INSERT INTO items (id, section, title, summary, date, year, "
            "first_seen, last_seen) VALUES ('article-99999', 'news', ?, "
            "'<b>mining</b> \x02 stray', '2018-01-07', 2018, "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
            (HOSTILE_TITLE,),
        )
        opened.conn.execute(
            "INSERT INTO sightings (item_id, crawl_id, page_url, position, seen_at) "
            "VALUES ('article-99999', ?, ?, 1, '2019-03-25T06:37:20+00:00')",
            (wayback, CAPTURE),
        )
    prepare_archive(db)
    return db


@pytest.fixture(scope="module")
def datasette(archive):
    return started_datasette(archive)


def page(datasette, query: str):
    """The search page for this query string."""
    return datasette_get(datasette, f"/{DB}/search?{query}")


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
    """The items a page lists (search hits, an issue, a region), by their
    titles' links."""
    return re.findall(rf'<h[23][^>]*><a href="/{DB}/items/([^"]+)">', html)


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
    assert unescape(link).startswith(f"/{DB}/search?")
    narrowed = datasette_get(datasette, unescape(link)).text
    assert count(narrowed) == years[year]


@pytest.mark.parametrize(
    ("typed", "fts"),
    [('"truth commission"', '"truth commission"'),
     ("Conga OR Bagua", '"Conga" OR "Bagua"'),
     ("mining -Conga", '"mining" NOT "Conga"'), ("Cajamar*", '"Cajamar"*'),
     # The index keeps "mining" as "mine": the prefix finds it all the same.
     ("minin*", '"mining"')],
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
    path = f"/{DB}/search.json?text=mining&_shape=array"
    rows = datasette_get(datasette, path).json()
    assert rows and {"id", "title", "excerpt"} <= set(rows[0])


def item_page(datasette, item_id: str):
    return datasette_get(datasette, f"/{DB}/items/{item_id}")


def edited_item(archive) -> tuple[str, str, str]:
    """An item whose summary changed between the crawls: id, old, new."""
    with Archive(archive, readonly=True) as opened:
        return tuple(
            opened.conn.execute(
                "SELECT items.id, item_versions.summary, items.summary FROM items "
                "JOIN item_versions ON item_versions.item_id = items.id "
                "WHERE item_versions.summary != items.summary LIMIT 1"
            ).fetchone()
        )


def test_an_item_reads_as_an_article_with_its_provenance(datasette, archive):
    with Archive(archive, readonly=True) as opened:
        (item_id,) = opened.conn.execute(
            "SELECT item_id FROM sightings WHERE item_id LIKE 'article-%' "
            "GROUP BY item_id HAVING COUNT(DISTINCT crawl_id) = 2 LIMIT 1"
        ).fetchone()
    html = item_page(datasette, item_id).text
    with Archive(archive, readonly=True) as opened:
        item = opened.db["items"].get(item_id)
        sightings = opened.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT crawl_id) FROM sightings "
            "WHERE item_id = ?",
            (item_id,),
        ).fetchone()
    assert f"<h1>{escape(item['title'])}</h1>" in html
    assert str(escape(item["summary"].split("\n\n")[0])) in html
    assert f"First seen {item['first_seen']}" in html
    listed = re.findall(r"<li>[^<]*· crawl (\d+) \(", html)
    assert len(listed) == sightings[0] and len(set(listed)) == sightings[1] == 2
    assert f'href="http://www.perusupportgroup.org.uk/{item_id}.html"' in html
    # Every field is still there, folded away.
    assert '<details class="psg-fields">' in html and "rows-and-columns" in html


def test_an_earlier_text_is_shown_as_a_word_diff(datasette, archive):
    item_id, old, new = edited_item(archive)
    html = item_page(datasette, item_id).text
    section = html[html.index("Earlier texts") :]
    removed = " ".join(re.findall(r"<del>([^<]*)</del>", section)).split()
    added = " ".join(re.findall(r"<ins>([^<]*)</ins>", section)).split()
    old_words, new_words = set(old.split()), set(new.split())
    assert removed or added
    assert all(unescape(word) in old_words for word in removed)
    assert all(unescape(word) in new_words for word in added)
    assert set(map(unescape, added)) | (old_words & new_words) >= new_words - old_words


def test_a_capture_is_linked_at_its_own_time_in_its_web_archive(datasette):
    html = item_page(datasette, "article-99999").text
    view = CAPTURE.replace("id_/", "/")
    assert f'<a href="{view}" rel="noopener">' in html
    assert "web.archive.org" in html
    assert "<script>alert" not in html and "<b>mining</b>" not in html


def test_a_peru_update_lists_every_piece_it_numbers_in_printed_order(
    datasette, archive
):
    with Archive(archive, readonly=True) as opened:
        (number,) = opened.conn.execute(
            "SELECT update_number FROM items WHERE update_number IS NOT NULL "
            "AND duplicate_of IS NULL GROUP BY update_number HAVING COUNT(*) > 1 "
            "LIMIT 1"
        ).fetchone()
        pieces = [
            row[0]
            for row in opened.conn.execute(
                "SELECT id FROM items WHERE update_number = ? AND duplicate_of "
                "IS NULL ORDER BY date, CASE section WHEN 'news' THEN 0 WHEN "
                "'articles' THEN 1 ELSE 2 END, position, id",
                (number,),
            )
        ]
    html = datasette_get(datasette, f"/{DB}/newsletter/update-{number}").text
    assert f"<h1>Peru Update {number}</h1>" in html
    assert hits(html) == pieces
    assert 'rel="prev"' in html and 'rel="next"' in html
    # Its pieces' pages lead back to it.
    item = datasette_get(datasette, f"/{DB}/items/{pieces[0]}").text
    assert f'href="/{DB}/newsletter/update-{number}"' in item


def test_the_weekly_news_of_a_date_line_is_an_issue_with_neighbours(datasette, archive):
    with Archive(archive, readonly=True) as opened:
        dates = [
            row[0]
            for row in opened.conn.execute(
                "SELECT DISTINCT date FROM items WHERE update_number IS NULL AND "
                "date_text IS NOT NULL AND duplicate_of IS NULL AND date IS NOT "
                "NULL ORDER BY date"
            )
        ]
        day = dates[len(dates) // 2]
        shown = {
            row[0]
            for row in opened.conn.execute(
                "SELECT id FROM items WHERE date = ? AND update_number IS NULL AND "
                "date_text IS NOT NULL AND duplicate_of IS NULL",
                (day,),
            )
        }
    html = datasette_get(datasette, f"/{DB}/newsletter/{day}").text
    assert set(hits(html)) == shown
    neighbours = re.findall(
        rf'href="/{DB}/newsletter/([^"#]+)" rel="(prev|next)"', html
    )
    assert len(neighbours) == 2


def test_the_index_lists_every_issue_year_by_year(datasette, archive):
    html = datasette_get(datasette, f"/{DB}/newsletter").text
    with Archive(archive, readonly=True) as opened:
        (numbers,) = opened.conn.execute(
            "SELECT COUNT(DISTINCT update_number) FROM items WHERE duplicate_of IS NULL"
        ).fetchone()
        (days,) = opened.conn.execute(
            "SELECT COUNT(DISTINCT date) FROM items WHERE update_number IS NULL "
            "AND date_text IS NOT NULL AND date IS NOT NULL AND duplicate_of IS NULL"
        ).fetchone()
    listed = re.findall(rf'<li><a href="/{DB}/newsletter/([^"]+)">', html)
    assert len(listed) == len(set(listed)) == numbers + days
    years = re.findall(r'<section id="y(\d{4})">', html)
    assert years == sorted(years) and len(years) > 10


@pytest.mark.parametrize("key", ["update-99999", "1999-01-01"])
def test_an_issue_the_archive_lacks_is_a_404_with_a_message(datasette, key):
    response = datasette_get(datasette, f"/{DB}/newsletter/{key}")
    assert response.status_code == 404
    assert f"No issue {key}" in response.text


def test_a_region_narrows_the_search_and_alone_lists_its_items(datasette, archive):
    with Archive(archive, readonly=True) as opened:
        code, region, pieces = opened.conn.execute(
            "SELECT code, region, COUNT(*) FROM item_regions GROUP BY code "
            "ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()
        mining = opened.conn.execute(
            "SELECT COUNT(*) FROM item_regions JOIN items_fts ON items_fts.rowid = "
            "(SELECT rowid FROM items WHERE id = item_regions.item_id) "
            "WHERE code = ? AND items_fts MATCH '\"mining\"'",
            (code,),
        ).fetchone()[0]
    alone = page(datasette, f"region={code}").text
    assert count(alone) == pieces > 0
    assert f'naming <a href="/{DB}/places/{code}">{region}</a>' in unescape(alone)
    assert count(page(datasette, f"text=mining&region={code}").text) == mining


def test_an_item_names_its_places_each_linked_to_its_regions_page(datasette, archive):
    with Archive(archive, readonly=True) as opened:
        item_id, code = opened.conn.execute(
            "SELECT item_id, code FROM item_regions LIMIT 1"
        ).fetchone()
    html = item_page(datasette, item_id).text
    assert "Places named:" in html
    assert f'href="/{DB}/places/{code}"' in html


# -- the regions' pages -----------------------------------------------------------


def region_counts(archive) -> dict[str, int]:
    """Each region's items (each piece once), as the item_regions view counts."""
    with Archive(archive, readonly=True) as opened:
        return dict(
            opened.conn.execute("SELECT code, COUNT(*) FROM item_regions GROUP BY code")
        )


def test_the_places_index_lists_every_region_with_its_items(datasette, archive):
    html = unescape(datasette_get(datasette, f"/{DB}/places").text)
    rows = re.findall(
        r'<tr>\s*<th scope="row">(?:<a href="/psg/places/(PE-\w+)">)?([^<]+)(?:</a>)? '
        r'<span class="psg-code">(PE-\w+)</span></th>\s*<td[^>]*>([\d,]+)</td>',
        html,
    )
    assert len(rows) == len(region_names()) == 26
    counts = region_counts(archive)
    assert len(counts) > 5
    for linked, name, code, items in rows:
        assert name == region_names()[code]
        assert int(items.replace(",", "")) == counts.get(code, 0)
        assert linked == (code if code in counts else "")
    names = [fold_accents(name) for _, name, _, _ in rows]
    assert names == sorted(names)


def busiest_region(archive) -> str:
    counts = region_counts(archive)
    return max(counts, key=counts.get)


def test_a_regions_page_lists_its_items_newest_first_in_pages(datasette, archive):
    code = busiest_region(archive)
    with Archive(archive, readonly=True) as opened:
        newest = [
            row[0]
            for row in opened.conn.execute(
                "SELECT item_id FROM item_regions WHERE code = ? "
                "ORDER BY date IS NULL, date DESC, item_id",
                (code,),
            )
        ]
    assert len(newest) > 50  # two pages at least
    first = datasette_get(datasette, f"/{DB}/places/{code}").text
    assert f"<h1>{escape(region_names()[code])}</h1>" in first
    assert f"<strong>{len(newest):,}</strong> items name it" in first
    assert hits(first) == newest[:50]
    assert 'rel="next"' in first
    second = datasette_get(datasette, f"/{DB}/places/{code}?page=2").text
    assert hits(second) == newest[50:100]


def test_a_regions_page_counts_its_places_and_years(datasette, archive):
    code = busiest_region(archive)
    with Archive(archive, readonly=True) as opened:
        places = opened.conn.execute(
            "SELECT name, COUNT(*) FROM item_places JOIN items ON items.id = item_id "
            "WHERE code = ? AND duplicate_of IS NULL GROUP BY name",
            (code,),
        ).fetchall()
        years = dict(
            opened.conn.execute(
                "SELECT year, COUNT(*) FROM item_regions WHERE code = ? "
                "AND year IS NOT NULL GROUP BY year",
                (code,),
            )
        )
    html = unescape(datasette_get(datasette, f"/{DB}/places/{code}").text)
    named = re.findall(r"<li>([^<(]+?)(?: \((?:city|province)\))?: ([\d,]+)</li>", html)
    assert {name: int(n) for name, n in named} == dict(places)
    bars = re.findall(
        r'<a href="([^"]+)" style="height: [\d.]+%" title="(\d{4}): (\d+)"', html
    )
    assert {int(year): int(n) for _, year, n in bars} == years
    link, year, count_ = bars[-1]
    assert link == f"/{DB}/search?from={year}&to={year}&region={code}&sort=newest"
    narrowed = datasette_get(datasette, link).text
    assert count(narrowed) == int(count_)
    assert f'<input type="hidden" name="region" value="{code}">' in html


@pytest.mark.parametrize(
    ("path", "status", "said"),
    [
        ("/places/pe-cus", 301, None),
        ("/places/PE-XXX", 404, "PE-XXX is not a region of Peru"),
        ("/places/pe-xxx", 404, "pe-xxx is not a region of Peru"),
    ],
)
def test_a_region_code_is_read_whatever_its_case_and_an_unknown_one_is_a_404(
    datasette, path, status, said
):
    response = datasette_get(datasette, f"/{DB}{path}")
    assert response.status_code == status
    if status == 301:
        assert response.headers["location"] == f"/{DB}/places/PE-CUS"
    else:
        assert said in response.text


@pytest.mark.parametrize(
    "page", ["search", "newsletter", "newsletter/update-1", "places", "places/PE-CUS"]
)
def test_a_reading_room_page_of_no_archive_served_here_is_a_404(datasette, page):
    response = datasette_get(datasette, f"/elsewhere/{page}")
    assert response.status_code == 404
    assert "No archive named elsewhere is published here." in response.text


EVERY_KIND_OF_PAGE = ["/", f"/{DB}", f"/{DB}/items", f"/{DB}/search",
                      f"/{DB}/items/article-99999", f"/{DB}/places"]  # fmt: skip


@pytest.mark.parametrize("path", EVERY_KIND_OF_PAGE)
def test_every_page_links_the_reading_rooms_pages(datasette, path):
    html = datasette_get(datasette, path).text
    nav = re.search(
        r'<nav class="psg-rooms" aria-label="Reading room">(.*?)</nav>', html, re.S
    )
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav[1])
    assert [label for _, label in links] == [
        "Search", "Issues year by year", "Regions of Peru", "Every item (table)",
        "Charts",
    ]  # fmt: skip
    for href, _ in links:
        assert datasette_get(datasette, href).status_code == 200, href
