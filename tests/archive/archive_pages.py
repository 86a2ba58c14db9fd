"""What the archive's tests share: the fixture pages, and reading rows back."""

from pathlib import Path

from psgscraper.parse import parse_listing

FIXTURES = Path(__file__).parent.parent / "fixtures"
SITE = "http://www.perusupportgroup.org.uk"


def listing_of(name, url):
    return parse_listing((FIXTURES / name).read_bytes(), url)


def rows(archive, sql, *params):
    return [tuple(row) for row in archive.conn.execute(sql, params)]
