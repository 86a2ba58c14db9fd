"""A researcher's visit in a real browser: Debian's Chromium driven by Playwright.

Needs /usr/bin/chromium: `make test` installs Debian's `chromium` package when
it runs as root on Debian; elsewhere install it (apt-get install chromium) to
run this test. No browser is ever downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import PROJECT, datasette

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT / "tests" / "artifacts"
# The README's screenshots, made here.
DOCS = PROJECT / "docs"
# axe-core, which `make test` installs from npm (package-lock.json).
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
# Headless, and quiet: no connections of Chromium's own to the closed network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's Chromium at /usr/bin/chromium: run `make test` as root "
    "on Debian, or `apt-get install chromium`",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory, crawled_week0):
    db = tmp_path_factory.mktemp("browser") / "psg.db"
    shutil.copy(crawled_week0.db, db)
    with datasette(db) as base:
        yield base


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.off_site = []

        def only_this_site(route):
            if route.request.url.startswith(site):
                route.continue_()
            else:
                page.off_site.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_site)
        yield page
        browser.close()


def test_search_the_items_and_open_one(site, page):
    page.goto(f"{site}/psg/items")
    page.fill("input[name=_search]", "Conga")
    page.press("input[name=_search]", "Enter")
    page.wait_for_url("**_search=Conga**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() > 0
    for index in range(rows.count()):
        text = rows.nth(index).inner_text()
        assert "conga" in text.lower()
    page.locator("table.rows-and-columns tbody tr td.col-id a").first.click()
    page.wait_for_url("**/psg/items/article-*")
    assert page.get_by_role("link", name="original page").count() == 1
    assert page.get_by_role("link", name="captures in the Wayback Machine").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "item-after-search.png"), full_page=True)
    assert page.off_site == []


def test_ranked_search_box_on_the_items_page(site, page):
    page.goto(f"{site}/psg/items")
    page.fill("#psg-ranked", "Conga")
    page.click("input[value='Best matches']")
    page.wait_for_url("**/psg/search?text=Conga**")
    first_title = page.locator(".psg-hit-title a").first
    assert "conga" in first_title.inner_text().lower()
    assert page.off_site == []


def horizontal_scroll(page) -> int:
    """How far the page is wider than the window, in CSS pixels."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_an_item_page_reads_as_an_article_on_a_phone_and_a_desktop(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/psg/items/article-1220")
    assert page.locator("article.psg-item h1").count() == 1
    assert page.get_by_role("heading", name="Where the archive saw it").count() == 1
    assert horizontal_scroll(page) <= 0
    page.locator(".psg-fields summary").click()  # every field, on demand
    assert page.locator(".psg-fields table").is_visible()
    assert horizontal_scroll(page) <= 0
    page.goto(f"{site}/psg/items/article-1220")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / f"item-{width}px.png"))
    assert page.off_site == []


@pytest.mark.parametrize("width", [375, 1280])
def test_the_search_page_reads_on_a_phone_and_a_desktop(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/psg/search?text=mining+conflict")
    assert page.locator(".psg-hits li").count() > 0
    assert page.locator(".psg-hits mark").count() > 0
    assert horizontal_scroll(page) <= 0
    # Its year bars narrow the search without JavaScript: they are links.
    bar = page.locator(".psg-years a").first
    year = bar.get_attribute("title").split(":")[0]
    bar.click()
    page.wait_for_url(f"**from={year}&to={year}**")
    assert page.locator(".psg-hits li").count() > 0
    page.goto(f"{site}/psg/search?text=mining+conflict")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / f"search-{width}px.png"))
    assert page.off_site == []


def first_issue(site, page) -> str:
    """The path of the first issue the index lists."""
    page.goto(f"{site}/psg/newsletter")
    return page.locator(".psg-issues li a").first.get_attribute("href")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(
    ("path", "listed"),
    [
        ("/psg/newsletter", ".psg-issues li"),
        ("ISSUE", ".psg-issue li"),
        ("/psg/places", ".psg-places tbody tr"),
        ("/psg/places/PE-CUS", ".psg-hits li"),
    ],
)
def test_the_issue_and_region_pages_read_on_a_phone_and_a_desktop(
    site, page, path, listed, width
):
    if path == "ISSUE":
        path = first_issue(site, page)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}{path}")
    assert page.locator(listed).count() > 0
    assert horizontal_scroll(page) <= 0
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}px.png"))
    assert page.off_site == []


def test_a_regions_year_bars_lead_to_the_search_of_that_year(site, page):
    page.goto(f"{site}/psg/places/PE-CUS")
    bar = page.locator(".psg-years a").last
    year, count = bar.get_attribute("title").split(": ")
    bar.click()
    page.wait_for_url(f"**/psg/search?from={year}&to={year}&region=PE-CUS**")
    assert page.locator(".psg-count strong").inner_text() == count
    assert page.off_site == []


@pytest.mark.parametrize("chart", ["items-per-month", "regions-per-year"])
def test_the_charts_draw_offline(site, page, chart):
    page.goto(f"{site}/-/dashboards/archive")
    drawn = page.locator(f"#card-{chart} svg, #card-{chart} canvas").first
    drawn.wait_for()
    box = drawn.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{chart}.png"), full_page=True)
    assert page.off_site == []


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run()")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}; "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(
    not AXE.exists(),
    reason="needs axe-core from npm in node_modules/: `make test` installs it (npm ci)",
)
@pytest.mark.parametrize(
    "path",
    ["/psg/search?text=mining+conflict", "/psg/items/article-1220", "/psg/newsletter",
     "ISSUE", "/psg/places", "/psg/places/PE-CUS", "/psg/search?region=PE-CUS"],
)  # fmt: skip
def test_the_reading_rooms_pages_have_no_serious_accessibility_violation(
    site, page, path
):
    if path == "ISSUE":
        path = first_issue(site, page)
    page.goto(f"{site}{path}")
    assert accessibility_violations(page) == []
    assert page.off_site == []
