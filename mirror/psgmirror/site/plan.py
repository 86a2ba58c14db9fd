"""The mirror's site as data: every item, with its quirks, before any HTML.

`plan_site` lays out the weekly editions from January 2003 to March 2019,
spreads the requested number of items over them (fewer a week in the early
years, as on the real site), puts the twenty seed items at their real 2018
dates, writes each item's text, and gives a few items the rarer quirks of
SITE.md by quota so that every build has them. `week=K` then adds K weeks of
new items and edits as the live site did.

Week 0 draws every choice from `random.Random(seed)` in one fixed order; week k
draws from a generator of its own, so adding weeks never changes the items that
existed before.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from psgscraper.site import ARTICLES, LISTING_SECTIONS, NEWS

from ..rules import fold_key, linkless_item_id
from . import dating
from .content import Mark, Piece, Writer
from .dating import DateLine
from .seeds import SEED_ITEMS, SeedItem

PER_PAGE = 10  # items on a listing page
HOME_ITEMS = 6  # the latest items, on the home page

FIRST_SUNDAY = datetime.date(2003, 1, 5)
LAST_SUNDAY = datetime.date(2019, 3, 24)  # the last edition of week 0
WEEK = datetime.timedelta(days=7)
BREAK = datetime.timedelta(days=13)  # a week without a newsletter, at least

# Eras of the site's markup and house style.
XHTML_FROM = datetime.date(2009, 1, 1)
MODERN_FROM = datetime.date(2014, 1, 1)
PADDED_DAYS = (datetime.date(2013, 7, 1), datetime.date(2018, 12, 31))
UPDATE_PIECES_UNTIL = datetime.date(2012, 12, 31)
PLACEHOLDER_YEARS = (2005, 2012)
STRAY_FROM = datetime.date(2012, 1, 1)
# Items this close to the end of week 0 are on the home page or may be edited in
# a later week: they keep to the plain forms.
QUIET_END = LAST_SUNDAY - 8 * WEEK
CITATION = "See also our earlier report."


@dataclass
class Item:
    """One published item, as the site printed it and the archive should read it."""

    number: int
    section: str
    published: datetime.date
    line: DateLine
    title: str
    paragraphs: list[str]
    more: list[str]
    byline: str | None = None
    caption: str | None = None
    read_more: str | None = None
    linked: bool = True
    listed_twice: bool = False  # a second listing follows, under the next id
    duplicate_of: int | None = None  # on the second listing: the first's number
    marks: list[Mark] = field(default_factory=list)
    seed: bool = False
    notice: bool = False
    week: int = 0

    @property
    def id(self) -> str:
        """The archive's id: from the detail link, or from section, title and date."""
        if self.linked:
            return f"article-{self.number}"
        return linkless_item_id(self.section, self.title, self.line.text)

    @property
    def path(self) -> str | None:
        return f"article-{self.number}.html" if self.linked else None

    def listing_key(self) -> tuple[str, str, str]:
        """Section, title and date line: what makes two listings one piece."""
        return (self.section, fold_key(self.title), fold_key(self.line.text))


@dataclass
class Site:
    """All items (any order) and what the last added week changed."""

    items: list[Item]
    week: int = 0
    added: list[Item] = field(default_factory=list)
    edited: list[Item] = field(default_factory=list)

    def section(self, section: str) -> list[Item]:
        """The section's items as its listing prints them: newest (highest id) first."""
        chosen = [item for item in self.items if item.section == section]
        return sorted(chosen, key=lambda item: item.number, reverse=True)

    def pages(self, section: str) -> list[list[Item]]:
        listing = self.section(section)
        return [
            listing[start : start + PER_PAGE]
            for start in range(0, len(listing), PER_PAGE)
        ]

    def latest(self, count: int) -> list[Item]:
        return sorted(self.items, key=lambda item: item.number, reverse=True)[:count]


@dataclass
class Edition:
    """One weekly newsletter: its date and how many items of each section."""

    day: datetime.date
    news: int = 0
    articles: int = 0
    seeds: list[SeedItem] = field(default_factory=list)
    notice: str | None = None  # "holiday" or "christmas"


def plan_site(items: int = 1600, seed: int = 0, week: int = 0) -> Site:
    """The whole site, `week` weeks after the March 2019 of week 0."""
    rng = random.Random(seed)
    editions = plan_editions(rng, items)
    site = Site(write_items(rng, editions))
    give_quirks(rng, site.items)
    site.items = number_items(rng, site.items)
    cite_earlier_items(rng, site.items)
    for k in range(1, week + 1):
        add_week(site, k, seed)
    return site


# -- editions -----------------------------------------------------------------


def plan_editions(rng: random.Random, items: int) -> list[Edition]:
    """The weekly editions of week 0 and the items each carries."""
    seeds_by_week: dict[datetime.date, list[SeedItem]] = {}
    for seed_item in SEED_ITEMS:
        seeds_by_week.setdefault(_week_ending(seed_item.date), []).append(seed_item)
    editions = []
    sunday = FIRST_SUNDAY
    while sunday <= LAST_SUNDAY:
        if not _no_edition(sunday):
            seeds = seeds_by_week.get(sunday, [])
            if seeds:
                day = datetime.date.fromisoformat(seeds[0].date)
            else:
                day = sunday - datetime.timedelta(days=rng.random() < 0.2)
            editions.append(Edition(day, seeds=seeds))
        sunday += WEEK
    _share_out(rng, editions, max(items - len(SEED_ITEMS), 0))
    _mark_notices(editions)
    return editions


def _week_ending(iso_day: str) -> datetime.date:
    day = datetime.date.fromisoformat(iso_day)
    return day + datetime.timedelta(days=6 - day.weekday())


def _no_edition(sunday: datetime.date) -> bool:
    """Christmas and the week of the UK August bank holiday had no newsletter."""
    if (sunday.month, sunday.day) >= (12, 24) or (sunday.month, sunday.day) <= (1, 3):
        return True
    return sunday == _august_bank_holiday(sunday.year) - datetime.timedelta(days=1)


def _august_bank_holiday(year: int) -> datetime.date:
    last = datetime.date(year, 8, 31)
    return last - datetime.timedelta(days=last.weekday())


def _share_out(rng: random.Random, editions: list[Edition], total: int) -> None:
    """Spread `total` items over the editions, about 3.5 times as many in 2019 as
    in 2003; seven in ten are news. Seed editions take only articles beside them."""
    span = (LAST_SUNDAY - FIRST_SUNDAY).days
    weights = [0.9 + 2.1 * (e.day - FIRST_SUNDAY).days / span for e in editions]
    scale = total / sum(weights) if weights else 0
    for edition, weight in zip(editions, weights, strict=True):
        expected = weight * scale
        if edition.seeds:
            edition.articles = _round_randomly(rng, expected * 0.3)
            continue
        count = _round_randomly(rng, expected)
        edition.news = sum(rng.random() < 0.7 for _ in range(count))
        edition.articles = count - edition.news


def _round_randomly(rng: random.Random, value: float) -> int:
    return math.floor(value) + (rng.random() < value - math.floor(value))


def _mark_notices(editions: list[Edition]) -> None:
    """The edition before a break carries a short notice of it, as one news item."""
    for edition, following in itertools.pairwise(editions):
        if edition.seeds or edition.news == 0 or following.day - edition.day < BREAK:
            continue
        if edition.day.month == 8 and 2009 <= edition.day.year <= 2017:
            edition.notice = "holiday"
        elif edition.day.month == 12 and edition.day.year >= 2004:
            edition.notice = "christmas"


# -- items --------------------------------------------------------------------


def write_items(rng: random.Random, editions: list[Edition]) -> list[Item]:
    """Every item of week 0, in publication order, without ids yet."""
    writer = Writer(rng)
    items: list[Item] = []
    keys: set[tuple[str, str, str]] = set()
    for index, edition in enumerate(editions):
        sections = [NEWS] * edition.news + [ARTICLES] * edition.articles
        rng.shuffle(sections)
        notice = edition.notice
        following = editions[index + 1].day if index + 1 < len(editions) else None
        for section in sections:
            if section == NEWS and notice:
                item = _notice_item(writer, edition.day, notice, following)
                notice = None
            else:
                item = new_item(writer, section, edition.day, keys)
            keys.add(item.listing_key())
            items.append(item)
        for seed_item in reversed(edition.seeds):
            item = _seed_item(seed_item)
            keys.add(item.listing_key())
            items.append(item)
    return items


def new_item(
    writer: Writer,
    section: str,
    day: datetime.date,
    taken: set[tuple[str, str, str]],
    week: int = 0,
) -> Item:
    """A generated item with the common quirks drawn at their usual rates.

    A title that the section already printed under the same date line is
    written again: two such listings would be one piece listed twice.
    """
    rng = writer.rng
    while True:
        paragraphs = _paragraph_count(rng, section, day)
        if section == NEWS:
            piece = writer.news(day, paragraphs)
        else:
            piece = writer.article(day, paragraphs)
        item = _item_from_piece(piece, section, day, _date_line(rng, section, day))
        if item.listing_key() not in taken:
            break
    item.week = week
    byline_rate = 0.25 if section == ARTICLES else 0.035
    if rng.random() < byline_rate:
        item.byline = writer.byline()
    picture_rate = 0.09 if day < XHTML_FROM else 0.18
    if rng.random() >= picture_rate:
        item.caption = None
    if rng.random() < 0.3:
        item.read_more = rng.choice(_read_more_labels(day))
    return item


def _item_from_piece(
    piece: Piece, section: str, day: datetime.date, line: DateLine
) -> Item:
    return Item(
        number=0,
        section=section,
        published=day,
        line=line,
        title=piece.title,
        paragraphs=piece.paragraphs,
        more=piece.more,
        caption=piece.caption,
        marks=piece.marks,
    )


def _paragraph_count(rng: random.Random, section: str, day: datetime.date) -> int:
    if section == ARTICLES:
        return rng.choices((1, 2, 3), (30, 45, 25))[0]
    if day >= MODERN_FROM:
        return rng.choices((1, 2), (85, 15))[0]
    return rng.choices((1, 2, 3), (65, 28, 7))[0]


def _date_line(rng: random.Random, section: str, day: datetime.date) -> DateLine:
    """The usual date line: a day, or for half the older articles an Update issue."""
    padded = padded_days(day)
    if section == ARTICLES and day <= UPDATE_PIECES_UNTIL and rng.random() < 0.5:
        return dating.update_issue(day, padded)
    return dating.plain(day, padded)


def padded_days(day: datetime.date) -> bool:
    return PADDED_DAYS[0] <= day <= PADDED_DAYS[1]


def _read_more_labels(day: datetime.date) -> tuple[str, ...]:
    if day < XHTML_FROM:
        return ("Read more...", "More »", "Read more...")
    if day < MODERN_FROM:
        return ("Read more", "Read more »", "Full story")
    return ("Read more", "Read more »")


def _notice_item(
    writer: Writer, day: datetime.date, kind: str, following: datetime.date | None
) -> Item:
    if kind == "holiday":
        piece = writer.holiday_notice()
    else:
        piece = writer.christmas_notice(day, following or day + 3 * WEEK)
    item = _item_from_piece(piece, NEWS, day, dating.plain(day, padded_days(day)))
    item.caption = None
    item.notice = True
    return item


def _seed_item(seed_item: SeedItem) -> Item:
    day = datetime.date.fromisoformat(seed_item.date)
    line = DateLine(seed_item.date_line, seed_item.date, "day")
    return Item(
        number=0,
        section=NEWS,
        published=day,
        line=line,
        title=seed_item.title,
        paragraphs=[seed_item.summary],
        more=[],
        caption=seed_item.caption,
        read_more=seed_item.read_more,
        seed=True,
    )


# -- the rarer quirks, by quota -------------------------------------------------


def give_quirks(rng: random.Random, items: list[Item]) -> None:
    """Give the rare quirks of SITE.md to a few items each, chosen by `rng`.

    Each quirk has a quota in proportion to the items, at least one, and a pool
    of items it suits; an item gets at most one of them. Seed items, notices and
    the last weeks of week 0 keep to the plain forms. A new date line that would
    give two items the same title and date line (two "Letter from Puno" with the
    placeholder date) is not given: the archive would take them for one piece.
    """
    generated = [i for i, item in enumerate(items) if not (item.seed or item.notice)]
    keys = {item.listing_key() for item in items}
    taken: set[int] = set()
    quirks: list[tuple[float, Callable[[Item], bool], Callable[[Item], None]]] = [
        (0.0032, _settled, _list_twice),
        (0.007, _settled, _lose_link),
        (0.005, _can_have_a_placeholder, lambda item: _placeholder(rng, item)),
        (0.003, _can_have_stray_punctuation, _stray_punctuation),
        (0.004, _is_update_piece, _bare_number),
        (0.008, _can_be_two_month_issue, lambda item: _two_month(rng, item)),
    ]
    for rate, suits, apply in quirks:
        pool = [i for i in generated if i not in taken and suits(items[i])]
        rng.shuffle(pool)
        quota = max(1, round(len(generated) * rate))
        for i in pool:
            if quota == 0:
                break
            item = items[i]
            before, line = item.listing_key(), item.line
            apply(item)
            after = item.listing_key()
            if after != before and after in keys:
                item.line = line
                continue
            keys.discard(before)
            keys.add(after)
            taken.add(i)
            quota -= 1


def _settled(item: Item) -> bool:
    """Not among the last weeks of week 0 (the home page, next week's edits)."""
    return item.published <= QUIET_END


def _list_twice(item: Item) -> None:
    item.listed_twice = True


def _lose_link(item: Item) -> None:
    """A heading without a link: no picture, no "Read more", no page of its own."""
    item.linked = False
    item.caption = None
    item.read_more = None


def _can_have_a_placeholder(item: Item) -> bool:
    low, high = PLACEHOLDER_YEARS
    return low <= item.published.year <= high


def _placeholder(rng: random.Random, item: Item) -> None:
    item.line = dating.placeholder(rng.randrange(2), padded_days(item.published))


def _can_have_stray_punctuation(item: Item) -> bool:
    return (
        item.published >= STRAY_FROM
        and _settled(item)
        and item.line.update_number is None
    )


def _stray_punctuation(item: Item) -> None:
    item.line = dating.stray_punctuation(item.published, padded_days(item.published))


def _is_update_piece(item: Item) -> bool:
    return item.line.update_number is not None and item.line.precision == "day"


def _bare_number(item: Item) -> None:
    padded = padded_days(item.published)
    item.line = dating.update_issue(item.published, padded, worded=False)


def _can_be_two_month_issue(item: Item) -> bool:
    return _is_update_piece(item) and dating.two_month_issue(item.published) is not None


def _two_month(rng: random.Random, item: Item) -> None:
    upper, reverse = rng.random() < 0.5, rng.random() < 0.5
    line = dating.two_month_issue(item.published, upper=upper, reverse=reverse)
    assert line is not None
    item.line = line


def number_items(rng: random.Random, items: list[Item]) -> list[Item]:
    """Ids ascending with publication, with gaps where the CMS deleted an item.

    A piece listed twice is followed by its second listing, under the very
    next id, with `duplicate_of` naming the first: nothing comes between them.
    """
    numbered = []
    number = rng.randint(1, 9)
    for item in items:
        number += 1 + (rng.randint(1, 4) if rng.random() < 0.08 else 0)
        item.number = number
        numbered.append(item)
        if item.listed_twice:
            number += 1
            second = replace(
                item,
                number=number,
                listed_twice=False,
                duplicate_of=item.number,
                paragraphs=list(item.paragraphs),
                more=list(item.more),
                marks=list(item.marks),
            )
            numbered.append(second)
    return numbered


def cite_earlier_items(rng: random.Random, items: list[Item]) -> None:
    """Now and then a summary ends by citing an earlier item, with a link.

    A link inside a summary is never the item's own detail link: half the
    link-less items and one linked item in fifty carry one, so that a parser
    that took it for the detail link would show.
    """
    last_linked: dict[str, Item] = {}
    for item in items:
        earlier = last_linked.get(item.section)
        rate = 0.5 if not item.linked else 0.02
        quiet = item.seed or item.notice or item.listed_twice or item.duplicate_of
        if earlier is not None and not quiet and rng.random() < rate:
            item.paragraphs[-1] = f"{item.paragraphs[-1]} {CITATION}"
            phrase = "our earlier report"
            index = len(item.paragraphs) - 1
            item.marks.append(Mark(index, phrase, earlier.path))
        if item.linked:
            last_linked[item.section] = item


# -- later weeks ----------------------------------------------------------------


def add_week(site: Site, week: int, seed: int) -> None:
    """Week `week` after March 2019: new items on top, and one or two corrections.

    Two or three news items and one article a week; then one or two items
    already on the first page of their listing (not this week's new ones) get a
    corrected or longer summary. Both stay on the first pages, so a crawl that
    knows last week's site needs only the first two pages of each listing.
    """
    rng = random.Random(f"{seed}:week:{week}")
    writer = Writer(rng)
    day = LAST_SUNDAY + week * WEEK
    sections = [NEWS] * rng.choice((2, 3)) + [ARTICLES]
    rng.shuffle(sections)
    taken = {item.listing_key() for item in site.items}
    number = max((item.number for item in site.items), default=0)
    added = []
    for section in sections:
        item = new_item(writer, section, day, taken, week=week)
        number += 1 + (rng.randint(1, 3) if rng.random() < 0.1 else 0)
        item.number = number
        taken.add(item.listing_key())
        added.append(item)
    site.items.extend(added)
    site.week, site.added, site.edited = week, added, []
    candidates = [
        item
        for section in LISTING_SECTIONS
        for item in site.section(section)[:PER_PAGE]
        if item.week != week and not (item.listed_twice or item.duplicate_of)
    ]
    for item in rng.sample(candidates, min(len(candidates), rng.choice((1, 2)))):
        item.paragraphs = writer.correction(item.paragraphs, day)
        site.edited.append(item)
