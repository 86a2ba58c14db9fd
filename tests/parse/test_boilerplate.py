"""Blocks the site repeated on every listing page are set aside, including new ones."""

from psgscraper.parse import BoilerplateDetector, parse_listing
from psgscraper.parse.records import REPEATED

SITE = "http://www.perusupportgroup.org.uk"

# A block the seeds never showed: an appeal printed with a date line, so the
# rule "no detail link and no date line" does not catch it.
APPEAL = """<li><h3>Emergency appeal: Huaraz floods</h3>
  <p class="date">March 2017</p>
  <p>Please give what you can to our partners in Ancash.
     <a href="donate.php">Donate</a></p></li>"""


def item(number, title, date):
    return f"""<li><h3><a href="article-{number}.html">{title}</a></h3>
      <p class="date">{date}</p><p>Summary of {title.lower()}.</p></li>"""


def page(*entries):
    return f"""<html><body><div id="main"><h1>News</h1>
      <ul class="list">{"".join(entries)}</ul></div></body></html>"""


def news_page(position, *entries):
    return parse_listing(page(*entries), f"{SITE}/news.php?position={position}")


def three_pages_with_the_appeal():
    return [
        news_page(0, APPEAL, item(30, "Floods in Ancash", "26 March 2017")),
        news_page(10, item(20, "Mining protest", "12 March 2017"), APPEAL),
        news_page(20, item(10, "Election results", "5 March 2017"), APPEAL),
    ]


def test_the_structural_rule_alone_keeps_the_new_block_as_an_item():
    for listing in three_pages_with_the_appeal():
        assert "Emergency appeal: Huaraz floods" in [i.title for i in listing.items]


def test_the_detector_learns_the_new_repeated_block():
    detector = BoilerplateDetector()
    pages = three_pages_with_the_appeal()
    learned = [detector.learn(listing) for listing in pages]
    assert [len(new) for new in learned] == [0, 0, 1]
    cleaned = [detector.apply(listing) for listing in pages]
    assert [[i.id for i in listing.items] for listing in cleaned] == [
        ["article-30"],
        ["article-20"],
        ["article-10"],
    ]
    assert all(listing.items[0].position == 1 for listing in cleaned)
    for listing in cleaned:
        assert [(b.title, b.reason) for b in listing.set_aside] == [
            ("Emergency appeal: Huaraz floods", REPEATED)
        ]


def test_an_item_seen_again_as_the_listing_shifts_is_not_a_block():
    detector = BoilerplateDetector()
    moving = item(30, "Floods in Ancash", "26 March 2017")
    for listing in [
        parse_listing(page(moving), f"{SITE}/"),
        news_page(0, moving, item(29, "Other", "25 March 2017")),
        news_page(10, moving),  # shifted by a new item while the crawl ran
        parse_listing(page(moving), f"{SITE}/articles.php"),
    ]:
        assert detector.learn(listing) == set()
    assert [i.id for i in detector.apply(news_page(10, moving)).items] == ["article-30"]


def captured(day: str, position: int, *entries):
    """A news page as a web archive replays it, captured on `day` (YYYYMMDD)."""
    host = "www.perusupportgroup.org.uk" if position % 20 else "perusupportgroup.org.uk"
    url = f"http://127.0.0.1/web/{day}060000id_/http://{host}/news.php?position={position}"
    return parse_listing(page(*entries), url)


def test_an_item_moving_down_the_listing_over_the_years_is_not_a_block():
    detector = BoilerplateDetector()
    moving = item(30, "Floods in Ancash", "26 March 2017")
    weeks = ["20170327", "20170410", "20170501", "20170605", "20180101"]
    for position, day in enumerate(weeks):
        assert detector.learn(captured(day, 10 * position, moving)) == set()


def test_a_block_on_three_pages_captured_on_one_day_is_learned():
    detector = BoilerplateDetector()
    learned = [
        detector.learn(captured("20170327", 10 * n, APPEAL, item(n, f"I{n}", "2017")))
        for n in range(3)
    ]
    assert [len(new) for new in learned] == [0, 0, 1]


def test_one_page_captured_under_both_host_spellings_is_one_page():
    detector = BoilerplateDetector()
    for host in ("www.perusupportgroup.org.uk", "perusupportgroup.org.uk") * 2:
        url = f"http://127.0.0.1/web/20170327060000id_/http://{host}/news.php"
        assert detector.learn(parse_listing(page(APPEAL), url)) == set()


def test_blocks_known_from_an_earlier_crawl_apply_at_once():
    first_crawl = BoilerplateDetector()
    for listing in three_pages_with_the_appeal():
        first_crawl.learn(listing)
    next_crawl = BoilerplateDetector(known=first_crawl.known)
    listing = next_crawl.apply(news_page(0, APPEAL, item(31, "New", "2 April 2017")))
    assert [i.id for i in listing.items] == ["article-31"]


def test_a_page_of_nothing_but_the_block_becomes_an_empty_list():
    detector = BoilerplateDetector()
    for listing in three_pages_with_the_appeal():
        detector.learn(listing)
    listing = detector.apply(news_page(30, APPEAL))
    assert listing.items == ()
    assert listing.reason == "the item list is empty"


def test_fingerprint_ignores_case_and_spacing_but_not_words():
    detector = BoilerplateDetector()
    shouting = APPEAL.replace("Emergency appeal", "EMERGENCY  APPEAL")
    detector.learn(news_page(0, APPEAL))
    detector.learn(news_page(10, shouting))
    detector.learn(news_page(20, APPEAL.replace("Ancash", "Piura")))
    assert detector.known == set()
    detector.learn(news_page(30, APPEAL))
    assert len(detector.known) == 1
