"""The crawler a researcher writes by hand: the baseline of the crawl benchmark.

    python bench/baseline_crawl.py BASE_URL DB

Sequential requests, BeautifulSoup on each listing page, one sqlite3 table,
following "Older" until there is none; then the home page. No retries, no
politeness, no provenance: the least a working scraper does.
"""

import sqlite3
import sys
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup


def items_of(page: BeautifulSoup, url: str):
    for li in page.select("ul.list > li, #latest li"):
        heading = li.find(["h2", "h3"])
        date = li.find(class_="date")
        if heading is None or date is None:
            continue
        link = heading.find("a")
        summary = "\n\n".join(
            p.get_text(" ", strip=True)
            for p in li.find_all("p")
            if "date" not in (p.get("class") or [])
        )
        yield (
            urljoin(url, link["href"]) if link else None,
            heading.get_text(" ", strip=True),
            date.get_text(" ", strip=True),
            summary,
        )


def older_link(page: BeautifulSoup, url: str):
    for link in page.select(".pagination a"):
        if "Older" in link.get_text():
            return urljoin(url, link["href"])
    return None


def main(base: str, path: str) -> None:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS items "
        "(url TEXT, title TEXT, date TEXT, summary TEXT, UNIQUE (url, title, date))"
    )
    session = requests.Session()
    pages = 0
    for start in ("news.php", "articles.php", ""):
        url = urljoin(base, start)
        while url:
            response = session.get(url, timeout=30)
            response.raise_for_status()
            page = BeautifulSoup(response.content, "lxml")
            db.executemany(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)", items_of(page, url)
            )
            db.commit()
            pages += 1
            url = older_link(page, url) if start else None
    print(pages, "pages")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
