"""The boilerplate blocks the site printed after the items, era by era.

Every block shares the item markup (a list item with a heading) but has no
detail link and no date line, so the parser's structural rule sets it aside,
except the 2011-2012 conference notice: it carries a `<p class="date">` line,
and only the learning detector (a block on three or more pages of a section in
one crawl) catches it. Which blocks a page shows depends on the date of its
newest item, as if each page had been saved in its own year.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

STRUCTURE, LEARNING = "structure", "learning"
# Pages of one section on which psgscraper.parse.BoilerplateDetector must see a
# block in one crawl before it knows it (its default `min_pages`).
LEARNED_AFTER = 3


@dataclass(frozen=True)
class Block:
    """A block: its heading, its inner markup (lower-case HTML) and its years."""

    title: str
    body: str
    start: datetime.date
    end: datetime.date
    date_line: str | None = None

    @property
    def caught_by(self) -> str:
        return LEARNING if self.date_line else STRUCTURE

    def shown_on(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def text(self) -> str:
        """The block's text without markup (for blocks.json)."""
        return " ".join(re.sub(r"<[^>]+>", " ", self.body).split())


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


FOREVER = _day("2099-12-31")

OLD_AIMS = Block(
    "PSG Aims",
    "<p>The Peru Support Group was founded in 1983 by people in Britain and Ireland "
    "concerned about human rights in Peru. It works to raise awareness of the "
    "situation in Peru, to support organisations there that defend human rights "
    "and promote development, and to press governments and institutions for "
    "policies that benefit the poor.</p>",
    _day("2003-01-01"),
    _day("2008-12-31"),
)
OLD_MEMBERSHIP = Block(
    "Join the Peru Support Group",
    "<p>Members receive <em>Peru Update</em> six times a year, invitations to our "
    "annual conference and meetings, and our briefings on mining, the Amazon and "
    "human rights. Membership costs £20 a year (£10 unwaged).</p>\n"
    '<p><a href="membership.php">Join now</a></p>',
    _day("2003-01-01"),
    _day("2008-12-31"),
)
EARTHQUAKE_APPEAL = Block(
    "Earthquake appeal",
    "<p>The earthquake that struck Ica, Pisco and Chincha on 15 August 2007 killed "
    "more than 500 people and left tens of thousands homeless. Our partners in "
    "the south are helping families to rebuild their homes. Please give what you "
    'can. <a href="donate.php">Donate to the appeal</a></p>',
    _day("2007-08-19"),
    _day("2008-06-30"),
)
CONFERENCE = Block(
    "Peru Support Group Conference 2012",
    "<p>“Peru after the elections: growth, conflict and the environment.” The "
    "PSG’s annual conference, with speakers from Peru and the UK, at Canning "
    "House, 14/15 Belgrave Square, London SW1X 8PS, from 10am to 5pm. "
    '<a href="events.php">Details and booking</a></p>',
    _day("2011-06-01"),
    _day("2012-12-31"),
    date_line="Saturday 12 May 2012",
)
AIMS = Block(
    "PSG Aims",
    "<p>The Peru Support Group exists to promote social inclusion, sustainable "
    "development and the observance of human rights in Peru. To that end the PSG "
    "highlights shortcomings in observance of established norms, whether "
    "international or local in nature, in its research, advocacy and "
    "publications. In so doing, it underscores the relationships that exist "
    "within the political system, how institutions work, and the effectiveness of "
    "policies that aim to reduce poverty and inequality within the context of "
    "sustainable development.</p>",
    _day("2009-01-01"),
    FOREVER,
)
HISTORY = Block(
    "Historical Overview",
    "<p>Over the past century Peru has suffered a series of autocratic governments "
    "and a civil war in which nearly 70,000 people died. Many of the country's "
    "ongoing political and social problems are\u00a0a legacy of its somewhat "
    "turbulent past.\u00a0</p>",
    _day("2014-01-01"),
    FOREVER,
)
HUMAN_RIGHTS = Block(
    "Human Rights",
    "<p>Human rights violations were widespread during the twenty years after the "
    "initiation of armed conflict in 1980. Efforts to convict perpetrators since "
    "the war's end have made only limited progress. Today, concerns remain over "
    "the treatment of those engaged in social protest, particularly against "
    "strategically important investment projects.</p>",
    _day("2014-01-01"),
    FOREVER,
)
WHY_JOIN = Block(
    "Why join the PSG?",
    "<ul>\n<li>Keep up to date with latest news and developments in Peru</li>\n"
    "<li>Learn about key issues of poverty, development and human rights in "
    "Peru</li>\n<li>Support the work of the Peru Support Group</li>\n</ul>\n"
    '<p><a href="membership.php">Become a member</a></p>',
    _day("2009-01-01"),
    FOREVER,
)
DONATION_APPEAL = Block(
    "Support the PSG",
    "<p>The Peru Support Group depends on the generosity of its members and "
    "friends. A gift of £25 keeps the Newsletter going for another month, and "
    'every gift helps. <a href="donate.php">Make a donation</a></p>',
    _day("2016-01-01"),
    _day("2016-12-31"),
)

# In the order a page prints them.
BLOCKS = (
    EARTHQUAKE_APPEAL,
    OLD_AIMS,
    OLD_MEMBERSHIP,
    CONFERENCE,
    AIMS,
    HISTORY,
    HUMAN_RIGHTS,
    WHY_JOIN,
    DONATION_APPEAL,
)


def blocks_on(day: datetime.date) -> list[Block]:
    """The blocks of a page whose newest item is from `day`."""
    return [block for block in BLOCKS if block.shown_on(day)]
