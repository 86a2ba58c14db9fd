"""The site the newsletter was published on, and where its copies are now.

Its hosts, its sections, the web archive that holds its old pages: spelled
here once, for the parsers, the spiders, the commands and the mirror.
"""

from __future__ import annotations

# Where the site was published; item pages lived at article-ID.html below it.
LIVE_SITE = "http://www.perusupportgroup.org.uk/"
# Both spellings the site was reached and captured under.
SITE_HOSTS = ("www.perusupportgroup.org.uk", "perusupportgroup.org.uk")

# The listings, `news.php` and `articles.php`, each paged by `?position=N`,
# and the home page with the latest items.
NEWS, ARTICLES, HOME = "news", "articles", "home"
LISTING_SECTIONS = (NEWS, ARTICLES)
SECTIONS = (*LISTING_SECTIONS, HOME)

# The Wayback Machine: its calendar of a URL's captures, its capture index
# (CDX server), and the root its captures are replayed from.
WAYBACK_CALENDAR = "https://web.archive.org/web/*/"
WAYBACK_CDX = "https://web.archive.org/cdx/search/cdx"
WAYBACK_REPLAY = "https://web.archive.org/"


def replay_path(timestamp: str, original: str) -> str:
    """A capture's bytes as archived (`id_`: the page unchanged, no banner)."""
    return f"/web/{timestamp}id_/{original}"
