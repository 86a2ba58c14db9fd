"""The mirror as a web archive holds it, as data: which captures there are.

`plan_weeks(weeks, items, seed)` gives, for weeks 0 to weeks-1, the site of
that week (`site.plan.plan_site`) and what a web archive captured of it, one
crawl a week:

- week 0: every listing page, and the home page;
- every later week: the first `CAPTURED_PAGES` pages of each listing and the
  home page, where the week's new and corrected items are;

a capture every 20 seconds from 06:00 on the Monday after the edition, each
on one of the two host spellings (`www.` or not) in turn. Beside them, the odd
captures a real archive holds, declared in `ODD_CAPTURES`: the home page as
`index.php` too (the same digest under another URL), the own pages of one
item in ten, a second capture of an unchanged page (the same digest, which
`collapse=digest` drops), a 301 (the bare host's `index.php` moved to
`www.`), a 404, an image, an RSS feed under `news.php`, a 302 (`index.php` to
`index.html`, captured at the same moment) and, after the last week,
`articles.php` showing the new site's "page not found" (another layout).

No bytes here: a capture says what it holds, and `wayback.render` makes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from psgscraper.site import LISTING_SECTIONS, SITE_HOSTS

from ..site.plan import HOME_ITEMS, LAST_SUNDAY, PER_PAGE, Item, Site, plan_site

CAPTURED_PAGES = 2  # listing pages captured each week after week 0
ITEM_PAGES_EVERY = 10  # week 0 holds the own page of one item in ten
SLOT = datetime.timedelta(seconds=20)  # between two captures of a crawl
CRAWL_STARTS = datetime.time(6)  # UTC, on the Monday after the week's edition
HTML = "text/html"

# What a capture holds. A page of that week's site:
HOME_PAGE = "home page"
LISTING_PAGE = "listing page"  # `section`, page `page`
ITEM_PAGE = "item page"  # `item`'s own page
# the home page again, under the name a 302 sent the crawler to:
HOME_PAGE_AS_INDEX_HTML = "home page as index.html"
# or a body of its own (wayback.render):
NO_BODY = "no body"
FOUND_PAGE = "302 Found page"  # naming where it sends
NOT_FOUND_TEXT = "404 Not Found text"
LOGO_GIF = "logo image"
RSS_FEED = "RSS feed"
NEW_SITE_NOT_FOUND = "the new site's page not found"

# Two more an odd capture can declare, which `plan_weeks` spells out:
ITEM_PAGES = "item pages"  # ITEM_PAGE captures, of one item in ten
RECAPTURE = "recapture"  # the week's capture of the same path, again


@dataclass(frozen=True)
class OddCapture:
    """A capture beside the weekly crawl of the site, as real archives hold some.

    It is made in week `week` (None: the week after the last, when the site is
    another one), in slot `slot` of that week's crawl: counted on from the
    crawl's pages (0 is the slot right after its last listing page), or, with
    `from_start`, from its beginning (0 is the home page's slot). The slot
    gives its time and its host. `moved_to` is where a redirect sends: a path
    on the capture's own host, or a whole URL.
    """

    week: int | None
    path: str | None  # None for ITEM_PAGES: each at its item's own path
    holds: str
    slot: int = 0
    from_start: bool = False
    status: int = 200
    mimetype: str = HTML
    moved_to: str | None = None


ODD_CAPTURES = (
    # The home page under its other name: the same content, another URL.
    OddCapture(0, "/index.php", HOME_PAGE),
    # The own pages of one item in ten, one slot each.
    OddCapture(0, None, ITEM_PAGES, slot=1),
    # The same page again, unchanged, later that day: the same digest.
    OddCapture(1, "/news.php", RECAPTURE),
    # The bare host's index.php moved to www. (slot 1 of week 2 is on the bare host).
    OddCapture(
        2,
        "/index.php",
        NO_BODY,
        slot=1,
        from_start=True,
        status=301,
        moved_to=f"http://{SITE_HOSTS[0]}/",
    ),
    # A page that was not there, an image and a feed: no listing in any.
    OddCapture(3, "/news.php?position=99990", NOT_FOUND_TEXT, status=404),
    OddCapture(3, "/images/logo.gif", LOGO_GIF, slot=1, mimetype="image/gif"),
    OddCapture(
        3, "/news.php?format=rss", RSS_FEED, slot=2, mimetype="application/rss+xml"
    ),
    # A redirect to a page the listings do not name, captured at the same moment.
    OddCapture(4, "/index.php", FOUND_PAGE, status=302, moved_to="/index.html"),
    OddCapture(4, "/index.html", HOME_PAGE_AS_INDEX_HTML),
    # After the last week the site is another one: its old address shows the
    # new site's page, with no listing on it.
    OddCapture(None, "/articles.php?position=0", NEW_SITE_NOT_FOUND, from_start=True),
)


@dataclass(frozen=True)
class Capture:
    """One capture as the archive lists it, before its bytes."""

    week: int
    slot: int  # its place in the week's crawl
    path: str
    holds: str
    status: int = 200
    mimetype: str = HTML
    location: str | None = None  # where a redirect sends, a whole URL
    section: str | None = None  # LISTING_PAGE: which listing
    page: int = 0  # LISTING_PAGE: which of its pages, 0 the newest
    item: Item | None = None  # ITEM_PAGE: whose page
    shows: tuple[Item, ...] = ()  # the items it lists, for the answer key

    @property
    def host(self) -> str:
        return capture_host(self.week, self.slot)

    @property
    def original(self) -> str:
        """The URL captured."""
        return f"http://{self.host}{self.path}"

    @property
    def moment(self) -> datetime.datetime:
        """When it was captured (UTC)."""
        day = LAST_SUNDAY + datetime.timedelta(days=7 * self.week + 1)
        start = datetime.datetime.combine(day, CRAWL_STARTS, datetime.timezone.utc)
        return start + self.slot * SLOT

    @property
    def timestamp(self) -> str:
        """Its time as the CDX server writes it: `20190325060020`."""
        return self.moment.strftime("%Y%m%d%H%M%S")

    @property
    def archived_at(self) -> str:
        """Its time as the archive writes times: `2019-03-25T06:00:20+00:00`."""
        return self.moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class ArchivedWeek:
    """A week's site and the captures made of it, in the order they were made."""

    week: int
    site: Site | None  # None after the last week: the site is another one
    captures: list[Capture]


def plan_weeks(
    weeks: int = 30, items: int = 1600, seed: int = 0
) -> Iterator[ArchivedWeek]:
    """Weeks 0 to weeks-1, then the week after the last."""
    for week in range(weeks):
        site = plan_site(items, seed, week)
        crawl = weekly_crawl(site, week)
        yield ArchivedWeek(week, site, crawl + odd_captures(week, weeks, crawl, site))
    yield ArchivedWeek(weeks, None, odd_captures(weeks, weeks, [], None))


def weekly_crawl(site: Site, week: int) -> list[Capture]:
    """The home page, then the listing pages of the week (all of them in week 0)."""
    crawl = [Capture(week, 0, "/", HOME_PAGE, shows=tuple(site.latest(HOME_ITEMS)))]
    for section in LISTING_SECTIONS:
        pages = site.pages(section)
        if week:
            pages = pages[:CAPTURED_PAGES]
        for number, page_items in enumerate(pages):
            position = number * PER_PAGE
            query = f"?position={position}" if position else ""
            crawl.append(
                Capture(
                    week,
                    len(crawl),
                    f"/{section}.php{query}",
                    LISTING_PAGE,
                    section=section,
                    page=number,
                    shows=tuple(page_items),
                )
            )
    return crawl


def odd_captures(
    week: int, weeks: int, crawl: list[Capture], site: Site | None
) -> list[Capture]:
    """The captures `ODD_CAPTURES` declares for `week` (`weeks`: the week after
    the last), beside the week's `crawl`."""
    declared_week = None if week == weeks else week
    after_pages = len(crawl)
    captures: list[Capture] = []
    for odd in ODD_CAPTURES:
        if odd.week != declared_week:
            continue
        slot = odd.slot if odd.from_start else after_pages + odd.slot
        if odd.holds == ITEM_PAGES:
            captures += _item_page_captures(site, week, slot)
        elif odd.holds == RECAPTURE:
            first = next(capture for capture in crawl if capture.path == odd.path)
            captures.append(replace(first, slot=slot))
        else:
            captures.append(_odd_capture(odd, week, slot, crawl))
    return captures


def _item_page_captures(site: Site, week: int, first_slot: int) -> list[Capture]:
    """The own pages of the linked items whose number `ITEM_PAGES_EVERY` divides."""
    chosen = [
        item
        for item in sorted(site.items, key=lambda item: item.number)
        if item.linked and item.number % ITEM_PAGES_EVERY == 0
    ]
    return [
        Capture(week, first_slot + n, f"/{item.path}", ITEM_PAGE, item=item)
        for n, item in enumerate(chosen)
    ]


def _odd_capture(
    odd: OddCapture, week: int, slot: int, crawl: list[Capture]
) -> Capture:
    """The capture `odd` declares, in `slot` of the week's crawl."""
    location = None
    if odd.moved_to is not None:
        location = odd.moved_to
        if "://" not in location:
            location = f"http://{capture_host(week, slot)}{location}"
    # A copy of the home page shows what the week's home page shows.
    home = odd.holds in (HOME_PAGE, HOME_PAGE_AS_INDEX_HTML)
    return Capture(
        week,
        slot,
        odd.path,
        odd.holds,
        status=odd.status,
        mimetype=odd.mimetype,
        location=location,
        shows=crawl[0].shows if home else (),
    )


def capture_host(week: int, slot: int) -> str:
    """The host spelling a capture is under: `www.` or not, slot by slot."""
    return SITE_HOSTS[(week + slot) % 2]


def urlkey(url: str) -> str:
    """The key the CDX server sorts and matches captures on (a SURT): the host
    backwards, without `www.`, then `)` and the path and query in lower case,
    `uk,org,perusupportgroup)/news.php?position=10`. The scheme and port do not
    count, so both host spellings, over http or https, are one key.
    """
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return ",".join(reversed(host.split("."))) + ")" + target.lower()
