"""The bytes of a planned capture (`wayback.plan.Capture`).

A page of the week's site is rendered as the site emulation renders it
(`site.render`, `site.build`); the odd captures' own bodies are here: an empty
301, a 302's "Found" page, a 404's text, an image, an RSS feed and the new
site's "page not found".
"""

from __future__ import annotations

from ..site import render as site_render
from ..site.build import item_page, listing_page
from ..site.plan import HOME_ITEMS, Site
from .plan import (
    FOUND_PAGE,
    HOME_PAGE,
    HOME_PAGE_AS_INDEX_HTML,
    ITEM_PAGE,
    LISTING_PAGE,
    LOGO_GIF,
    NEW_SITE_NOT_FOUND,
    NO_BODY,
    NOT_FOUND_TEXT,
    RSS_FEED,
    Capture,
)

ODD_BODIES = {
    NO_BODY: b"",
    NOT_FOUND_TEXT: b"Not Found",
    LOGO_GIF: b"GIF89a\x01\x00",
    RSS_FEED: b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>\n',
    NEW_SITE_NOT_FOUND: (
        b"<!DOCTYPE html><html><head><title>Page not found - Peru Support Group"
        b'</title></head><body class="error404"><h1>Oops! That page can&rsquo;t be '
        b"found.</h1><p>It looks like nothing was found at this location.</p>"
        b"</body></html>\n"
    ),
}


def capture_body(capture: Capture, site: Site | None, seed: int) -> bytes:
    """What `capture` holds: a page of `site` (its week's), or an odd body."""
    if capture.holds == HOME_PAGE:
        return _home_page(site)
    if capture.holds == HOME_PAGE_AS_INDEX_HTML:
        return _home_page(site) + b"<!-- index.html -->\n"
    if capture.holds == LISTING_PAGE:
        return listing_page(site, seed, capture.section, capture.page).body
    if capture.holds == ITEM_PAGE:
        return item_page(capture.item, seed)
    if capture.holds == FOUND_PAGE:
        return found_page(capture.location)
    return ODD_BODIES[capture.holds]


def _home_page(site: Site) -> bytes:
    return site_render.home_page(site.latest(HOME_ITEMS))


def found_page(location: str) -> bytes:
    """The page of a 302, naming where it sends."""
    return f'<p>Found: <a href="{location}">{location}</a></p>\n'.encode()
