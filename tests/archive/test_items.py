"""The archive's items on a real SQLite file: pages in, items once, versions,
duplicates, boilerplate, full texts."""

import sqlite3
from dataclasses import replace

import pytest
from helpers import SITE, listing_of, posts_page, rows

from psgscraper.archive import OK, Archive
from psgscraper.parse.records import REPEATED


@pytest.fixture
def news():
    return listing_of("seed-news-0.html", f"{SITE}/news.php")


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "psg.db") as opened:
        yield opened


def test_a_page_gives_items_sightings_blocks_and_figures(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    outcome = archive.record_page(crawl, news)
    assert (outcome.items, outcome.new, outcome.changed, outcome.blocks) == (
        10,
        10,
        0,
        4,
    )
    item = archive.db["items"].get("article-1234")
    assert item["title"] == "Women pallaqueras achieve recognition"
    assert item["image_caption"] == "Artisanal gold mining in Puno"
    assert (item["year"], item["first_crawl"], item["last_crawl"]) == (
        2018,
        crawl,
        crawl,
    )
    assert archive.count("sightings") == 10
    assert archive.count("boilerplate") == 4
    figures = archive.finish_crawl(crawl, OK, requests=3)
    assert figures["status"] == OK
    assert (figures["pages"], figures["items_seen"], figures["items_new"]) == (
        1,
        10,
        10,
    )
    assert (figures["items_changed"], figures["blocks_set_aside"]) == (0, 4)
    assert figures["ended"] is not None


def snapshot(archive):
    """Everything but what an unchanged re-crawl may touch."""
    return (
        rows(
            archive,
            "SELECT id, url, section, title, date, date_precision, date_text, "
            "update_number, byline, summary, image_caption, position, page_url, "
            "year, first_seen, first_crawl, duplicate_of FROM items ORDER BY id",
        ),
        rows(archive, "SELECT * FROM item_versions ORDER BY id"),
        rows(
            archive,
            "SELECT fingerprint, title, text, reason, first_seen, first_crawl "
            "FROM boilerplate ORDER BY fingerprint",
        ),
    )


def test_the_same_page_again_changes_only_last_seen_and_sightings(archive, news):
    first = archive.start_crawl(SITE, ["news"])
    archive.record_page(first, news, seen_at="2026-01-01T00:00:00+00:00")
    before = snapshot(archive)
    second = archive.start_crawl(SITE, ["news"])
    outcome = archive.record_page(second, news, seen_at="2026-01-08T00:00:00+00:00")
    assert (outcome.new, outcome.changed) == (0, 0)
    assert snapshot(archive) == before
    assert rows(archive, "SELECT DISTINCT last_seen, last_crawl FROM items") == [
        ("2026-01-08T00:00:00+00:00", second)
    ]
    assert archive.count("sightings") == 20


def test_an_edited_summary_keeps_the_previous_text_as_a_version(archive, news):
    first = archive.start_crawl(SITE, ["news"])
    archive.record_page(first, news)
    edited_items = tuple(
        replace(item, summary=item.summary + " Updated on Monday.")
        if item.id == "article-1231"
        else item
        for item in news.items
    )
    second = archive.start_crawl(SITE, ["news"])
    outcome = archive.record_page(second, replace(news, items=edited_items))
    assert (outcome.new, outcome.changed) == (0, 1)
    (version,) = archive.db["item_versions"].rows
    assert version["item_id"] == "article-1231"
    assert version["crawl_id"] == second
    assert version["summary"].startswith("The government has once again declared")
    assert not version["summary"].endswith("Updated on Monday.")
    stored = archive.db["items"].get("article-1231")
    assert stored["summary"].endswith("Updated on Monday.")
    assert archive.finish_crawl(second, OK)["items_changed"] == 1


def test_home_page_and_listing_give_one_record_with_the_listing_text(archive, news):
    home = listing_of("home.html", f"{SITE}/")
    crawl = archive.start_crawl(SITE, ["home", "news"])
    archive.record_page(crawl, home)
    archive.record_page(crawl, news)
    archive.record_page(crawl, home)
    item = archive.db["items"].get("article-1236")
    assert item["section"] == "news"
    assert item["summary"].endswith("backtrack on the approval.")
    assert archive.count("items") == 10
    assert archive.count("item_versions") == 0
    assert rows(
        archive, "SELECT COUNT(*) FROM sightings WHERE item_id = 'article-1236'"
    ) == [(3,)]


def test_a_piece_listed_twice_points_at_its_first_listing(archive, news):
    twice = replace(news.items[3], id="article-1300", url=f"{SITE}/article-1300.html")
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, replace(news, items=(twice, *news.items)))
    assert archive.db["items"].get("article-1300")["duplicate_of"] == "article-1233"
    assert archive.db["items"].get("article-1233")["duplicate_of"] is None
    assert rows(archive, "SELECT COUNT(*) FROM items WHERE duplicate_of IS NULL") == [
        (10,)
    ]


def test_a_recurring_title_with_another_date_is_no_duplicate(archive):
    quirks = listing_of("articles-quirks.html", f"{SITE}/articles.php")
    crawl = archive.start_crawl(SITE, ["articles"])
    archive.record_page(crawl, quirks)
    assert rows(
        archive, "SELECT COUNT(*) FROM items WHERE duplicate_of IS NOT NULL"
    ) == [(0,)]


@pytest.mark.parametrize(
    ("later_text", "duplicate"),
    [("This week in Barranco.", False), ("This week in Miraflores.", True)],
)
def test_posts_with_one_title_are_one_piece_only_when_their_texts_are(
    archive, later_text, duplicate
):
    page = posts_page(
        ("/2020/01/letter-from-lima/", "Letter from Lima", "This week in Miraflores.",
         "2020-01-11"),
        ("/2020/02/letter-from-lima/", "Letter from Lima", later_text, "2020-02-08"),
    )  # fmt: skip
    crawl = archive.start_crawl(SITE, ["posts"], source="wordpress")
    archive.record_page(crawl, page)
    assert rows(archive, "SELECT id, duplicate_of FROM items ORDER BY id") == [
        ("/2020/01/letter-from-lima/", None),
        (
            "/2020/02/letter-from-lima/",
            "/2020/01/letter-from-lima/" if duplicate else None,
        ),
    ]


def test_items_that_turn_out_to_be_a_repeated_block_move_to_boilerplate(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    notice = news.items[8]
    moved = archive.set_aside_items(crawl, {notice.fingerprint}, REPEATED)
    assert moved == 1
    assert archive.db["items"].count_where("id = ?", [notice.id]) == 0
    block = archive.db["boilerplate"].get(notice.fingerprint)
    assert (block["title"], block["reason"]) == ("UK Public Holiday", REPEATED)
    assert rows(
        archive,
        "SELECT COUNT(*) FROM boilerplate_sightings WHERE fingerprint = "
        f"'{notice.fingerprint}'",
    ) == [(1,)]
    assert notice.fingerprint in archive.known_boilerplate()
    assert archive.finish_crawl(crawl, OK)["items_seen"] == 9


def test_holds_unchanged(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    assert not archive.holds_unchanged(news.items)
    archive.record_page(crawl, news)
    assert archive.holds_unchanged(news.items)
    edited = replace(news.items[0], title="A new title")
    assert not archive.holds_unchanged([edited, *news.items[1:]])
    assert not archive.holds_unchanged([])


def test_a_page_that_fails_to_write_leaves_nothing_of_itself(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    before = snapshot(archive), archive.count("sightings")
    third = listing_of("seed-news-20.html", f"{SITE}/news.php?position=20")
    broken = replace(
        third, items=(*third.items[:5], replace(third.items[5], summary=None))
    )
    with pytest.raises(sqlite3.IntegrityError):
        archive.record_page(crawl, broken)
    assert (snapshot(archive), archive.count("sightings")) == before
    assert archive.crawl(crawl)["pages"] == 1


def test_full_text_is_stored_searched_and_a_failure_keeps_it(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    assert archive.record_full_text(
        crawl, "article-1234", "First paragraph.\n\nSecond, on Solidaridad.", "T1"
    )
    assert archive.record_full_text(crawl, "article-1234", None, None, "HTTP 503")
    item = archive.db["items"].get("article-1234")
    assert (item["body"], item["body_fetched"], item["body_error"]) == (
        "First paragraph.\n\nSecond, on Solidaridad.",
        "T1",
        "HTTP 503",
    )
    assert not archive.record_full_text(crawl, "article-9999", "text", "T1")
    figures = archive.finish_crawl(crawl, OK)
    assert (figures["item_pages"], figures["item_page_errors"]) == (3, 1)


def test_only_new_changed_or_textless_items_want_their_page(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    linked = [record for record in news.items if record.url]
    assert archive.wanting_full_text(news.items) == linked
    for record in linked[1:]:
        archive.record_full_text(crawl, record.id, "text", "T1")
    assert archive.wanting_full_text(news.items) == linked[:1]
    edited = replace(linked[2], summary="Corrected.")
    assert archive.wanting_full_text([*news.items[:2], edited]) == [linked[0], edited]


def test_sightings_out_of_order_keep_the_earliest_and_latest(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    for seen_at in ("2026-01-08T00:00:00+00:00", "2026-01-01T00:00:00+00:00"):
        archive.record_page(crawl, news, seen_at=seen_at)
    item = archive.db["items"].get("article-1234")
    assert (item["first_seen"], item["last_seen"]) == (
        "2026-01-01T00:00:00+00:00",
        "2026-01-08T00:00:00+00:00",
    )


def edited(listing, item_id, suffix):
    items = tuple(
        replace(item, summary=item.summary + suffix) if item.id == item_id else item
        for item in listing.items
    )
    return replace(listing, items=items)


def test_an_older_capture_never_overwrites_the_latest_text(archive, news):
    """A web archive's captures may come after a live crawl, or earlier years
    after later ones: the latest text stays, an older one is a version."""
    live = archive.start_crawl(SITE, ["news"])
    archive.record_page(live, edited(news, "article-1231", " Updated."),
                        seen_at="2026-01-08T00:00:00+00:00")  # fmt: skip
    captures = archive.start_crawl(SITE, ["news"], source="wayback")
    for seen_at in ("2019-03-25T06:00:00+00:00", "2019-04-01T06:00:00+00:00"):
        outcome = archive.record_page(captures, news, seen_at=seen_at)
    assert outcome.changed == 0  # the second capture's older text is known
    stored = archive.db["items"].get("article-1231")
    assert stored["summary"].endswith(" Updated.")
    assert (stored["first_seen"], stored["last_seen"]) == (
        "2019-03-25T06:00:00+00:00",
        "2026-01-08T00:00:00+00:00",
    )
    (version,) = archive.db["item_versions"].rows
    assert version["item_id"] == "article-1231"
    assert not version["summary"].endswith(" Updated.")
    # Replaced at the next sighting after the older capture that showed it.
    assert version["replaced_at"] == "2026-01-08T00:00:00+00:00"
    assert archive.crawl(captures)["source"] == "wayback"


# -- the places an item's text names ------------------------------------------------

PLACES = "SELECT item_id, code, name, kind, matched, mentions FROM item_places"


def places_of(archive, item_id: str) -> list[tuple]:
    return rows(
        archive,
        "SELECT code, name, kind, matched FROM item_places WHERE item_id = ? "
        "ORDER BY code, name",
        item_id,
    )


def test_a_new_items_places_are_read_from_its_title_and_summary(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    assert places_of(archive, "article-1235") == [
        ("PE-APU", "Apurímac", "region", "Apurimac"),
        ("PE-APU", "Cotabambas", "province", "Cotabambas"),
    ]
    assert places_of(archive, "article-1227") == [
        ("PE-CUS", "Cusco", "region", "Cuzco"),
        ("PE-CUS", "Espinar", "province", "Espinar"),
    ]
    assert rows(archive, "SELECT region FROM item_places WHERE code = 'PE-CAL'") == [
        ("El Callao",)
    ]
    # "the Amazon" is not Amazonas; "the Amazonas region" is.
    assert places_of(archive, "article-1236") == []
    assert [code for code, *_ in places_of(archive, "article-1230")] == ["PE-AMA"]


def test_an_unchanged_item_seen_again_is_not_read_again(archive, news):
    first = archive.start_crawl(SITE, ["news"])
    archive.record_page(first, news)
    archive.conn.execute("DELETE FROM item_places")
    archive.record_page(archive.start_crawl(SITE, ["news"]), news)
    assert rows(archive, PLACES) == []


def test_an_edited_text_finds_its_places_again(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    moved = tuple(
        replace(item, summary="Women miners in Juliaca.")
        if item.id == "article-1235"
        else item
        for item in news.items
    )
    archive.record_page(archive.start_crawl(SITE, ["news"]), replace(news, items=moved))
    assert places_of(archive, "article-1235") == [
        ("PE-APU", "Apurímac", "region", "Apurimac"),  # the title's
        ("PE-PUN", "Juliaca", "city", "Juliaca"),
    ]


def test_a_full_text_adds_its_places_once(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    body = "A workshop in Abancay.\n\nAnother in Cotabambas and Cotabambas again."
    archive.record_full_text(crawl, "article-1235", body, "T1")
    assert rows(archive, PLACES + " WHERE item_id = 'article-1235' ORDER BY name") == [
        ("article-1235", "PE-APU", "Abancay", "city", "Abancay", 1),
        ("article-1235", "PE-APU", "Apurímac", "region", "Apurimac", 1),
        ("article-1235", "PE-APU", "Cotabambas", "province", "Cotabambas", 4),
    ]
    # The same text again, or a failed fetch, reads nothing again.
    archive.conn.execute("DELETE FROM item_places")
    archive.record_full_text(crawl, "article-1235", body, "T2")
    archive.record_full_text(crawl, "article-1235", None, None, "HTTP 503")
    assert rows(archive, PLACES) == []
    archive.record_full_text(crawl, "article-1235", "Now in Huancayo.", "T3")
    assert [name for _, name, *_ in places_of(archive, "article-1235")] == [
        "Apurímac",
        "Cotabambas",
        "Huancayo",
    ]


def test_an_item_first_seen_on_the_home_page_is_read_again_from_its_listing(
    archive, news
):
    home = listing_of("home.html", f"{SITE}/")
    crawl = archive.start_crawl(SITE, ["home", "news"])
    archive.record_page(crawl, home)
    archive.conn.execute("DELETE FROM item_places")
    archive.record_page(crawl, news)
    assert places_of(archive, "article-1227")  # its listing text differs


def test_an_item_set_aside_loses_its_places(archive, news):
    crawl = archive.start_crawl(SITE, ["news"])
    archive.record_page(crawl, news)
    notice = next(item for item in news.items if item.id == "article-1233")
    assert places_of(archive, notice.id)
    archive.set_aside_items(crawl, {notice.fingerprint}, REPEATED)
    assert places_of(archive, notice.id) == []
    assert rows(archive, "SELECT COUNT(DISTINCT item_id) FROM item_places") == [(4,)]
