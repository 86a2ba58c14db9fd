"""Being found: robots.txt, the sitemap, and an item page's tags for search engines."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from helpers import datasette_get, query, served_copy, started_datasette
from lxml import etree
from protego import Protego

DB = "psg"
HOST = "http://localhost"  # as Datasette's test client names itself
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_weeks):
    """Week 0 and week 1 crawled: some items edited in between."""
    return served_copy(crawled_weeks, tmp_path_factory.mktemp("findable"))


@pytest.fixture(scope="module")
def datasette(archive):
    return started_datasette(archive)


@pytest.fixture(scope="module")
def robots(datasette):
    response = datasette_get(datasette, "/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", True),
        (f"/{DB}/items/article-915", True),
        (f"/{DB}/newsletter", True),
        (f"/{DB}/newsletter/update-153", True),
        (f"/{DB}/places", True),
        (f"/{DB}/places/PE-CUS", True),
        ("/-/static/app.css", True),
        (f"/{DB}/items", False),  # the table: a query
        (f"/{DB}/items?_search=mining", False),
        (f"/{DB}/items.json", False),
        (f"/{DB}/items.csv?_stream=on", False),
        (f"/{DB}/items/article-915.json", False),
        (f"/{DB}/items/article-915.ris", False),
        (f"/{DB}/items/article-915?_shape=objects", False),
        (f"/{DB}/newsletter/update-153.json", False),
        (f"/{DB}/places/PE-CUS?page=2", False),
        (f"/{DB}/search?text=mining", False),
        (f"/{DB}?sql=select+1", False),
        (f"/{DB}/items_per_year", False),
        (f"/{DB}.db", False),
    ],
)
def test_robots_txt_lets_search_engines_read_items_and_issues_only(
    robots, path, allowed
):
    """Read by Protego, the parser Scrapy uses (Google's rules: the longest
    matching rule wins)."""
    assert Protego.parse(robots).can_fetch(HOST + path, "Googlebot") == allowed


def test_robots_txt_names_the_sitemap(robots):
    assert list(Protego.parse(robots).sitemaps) == [f"{HOST}/sitemap.xml"]


def _xml(datasette, path: str):
    response = datasette_get(datasette, path)
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("application/xml")
    return etree.fromstring(response.content)


def _sitemap(datasette) -> dict[str, str | None]:
    """Every page the sitemaps list, with its last-modified date."""
    index = _xml(datasette, "/sitemap.xml")
    assert index.tag == f"{SITEMAP}sitemapindex"
    pages = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        assert loc.text.startswith(HOST + "/sitemap-")
        urlset = _xml(datasette, loc.text.removeprefix(HOST))
        for url in urlset.iter(f"{SITEMAP}url"):
            page = url.findtext(f"{SITEMAP}loc")
            assert page not in pages
            pages[page] = url.findtext(f"{SITEMAP}lastmod")
    return pages


def test_the_sitemap_lists_every_item_and_issue_with_when_it_changed(
    datasette, archive
):
    pages = _sitemap(datasette)
    items = {
        f"{HOST}/{DB}/items/{item_id}": modified
        for item_id, modified in query(
            archive,
            "SELECT id, COALESCE((SELECT MAX(replaced_at) FROM item_versions "
            "WHERE item_id = items.id), first_seen) FROM items "
            "WHERE duplicate_of IS NULL",
        )
    }
    listed_items = {page: mod for page, mod in pages.items() if "/items/" in page}
    assert listed_items == items
    edited = query(archive, "SELECT COUNT(DISTINCT item_id) FROM item_versions")[0][0]
    later = [mod for mod in items.values() if mod > min(items.values())]
    assert edited > 0 and len(later) >= edited  # an edit moves an item's date on
    index = datasette_get(datasette, f"/{DB}/newsletter").text
    issues = re.findall(rf'<li><a href="(/{DB}/newsletter/[^"]+)">', index)
    listed_issues = sorted(page for page in pages if "/newsletter/" in page)
    assert listed_issues == sorted(HOST + path for path in issues)
    for page in [*listed_issues[:5], *list(listed_items)[:5]]:
        assert datasette_get(datasette, page.removeprefix(HOST)).status_code == 200


@pytest.mark.parametrize(
    "path", ["/sitemap-elsewhere-issues.xml", f"/sitemap-{DB}-items-9.xml"]
)
def test_a_sitemap_that_does_not_exist_is_a_404(datasette, path):
    assert datasette_get(datasette, path).status_code == 404


def _tags(html: str) -> dict[str, str]:
    """An item page's meta tags (by name or property) and canonical link."""
    tags = {
        name: unescape(content)
        for name, content in re.findall(
            r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html
        )
    }
    (canonical,) = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    tags["canonical"] = unescape(canonical)
    return tags


def _json_ld(html: str) -> dict:
    (script,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return json.loads(script)


def test_an_item_page_describes_itself_to_search_engines(datasette, archive):
    (item_id, title, summary, date, number, byline) = query(
        archive,
        "SELECT id, title, summary, date, update_number, byline FROM items "
        "WHERE update_number IS NOT NULL AND date_precision = 'day' "
        "AND byline IS NOT NULL ORDER BY id LIMIT 1",
    )[0]
    html = datasette_get(datasette, f"/{DB}/items/{item_id}").text
    tags = _tags(html)
    page = f"{HOST}/{DB}/items/{item_id}"
    assert tags["canonical"] == tags["og:url"] == page
    assert tags["og:title"] == title and tags["og:type"] == "article"
    assert tags["description"] == tags["og:description"]
    assert " ".join(summary.split()).startswith(tags["description"].rstrip(" …"))
    assert len(tags["description"]) <= 302
    assert tags["article:published_time"] == date
    article = _json_ld(html)
    assert article["@context"] == "https://schema.org"
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == title
    assert article["datePublished"] == date
    assert article["url"] == page
    assert article["publisher"]["name"] == "Peru Support Group"
    assert article["author"]["@type"] == "Person"
    assert byline.startswith(article["author"]["name"])
    issue = article["isPartOf"]
    assert issue["@type"] == "PublicationIssue"
    assert issue["issueNumber"] == str(number)
    assert issue["url"] == f"{HOST}/{DB}/newsletter/update-{number}"
    issue_page = datasette_get(datasette, issue["url"].removeprefix(HOST))
    assert issue_page.status_code == 200 and f"/items/{item_id}" in issue_page.text


def test_an_item_without_a_byline_is_by_the_peru_support_group(datasette, archive):
    (item_id,) = query(
        archive, "SELECT id FROM items WHERE byline IS NULL ORDER BY id LIMIT 1"
    )[0]
    article = _json_ld(datasette_get(datasette, f"/{DB}/items/{item_id}").text)
    assert article["author"] == article["publisher"]
    assert article["author"]["@type"] == "Organization"
