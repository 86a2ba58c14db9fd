"""The site as WordPress serves it now, as data: which posts there are.

The PSG's site became a WordPress site around 2019. `plan_posts` makes its
posts from the mirror's own model (`site.plan.plan_site`): the last `posts`
items of the site `week` weeks on, each a post

- with the WordPress id 1000 + the item's number, published on the item's day
  (London time) and modified in the week the model corrected it, if it did;
- with a slug, given once over the whole site from the title it was first
  published with;
- with its title and text as WordPress prints them: curly quotes
  (`texturize`); an item the old site filed under a Peru Update issue is
  titled `Peru Update N: ...` or `Update No. N: ...`.

`expected_record` is the answer key: the record `parse_posts` should read
from a post, worked out from the model's item, never by parsing.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..rules import fold
from ..site.plan import LAST_SUNDAY, WEEK, Item, Site, add_week, plan_site

LONDON = ZoneInfo("Europe/London")
UTC = datetime.timezone.utc
FIRST_ID = 1000  # a post's WordPress id is FIRST_ID + its item's number
EXCERPT_WORDS = 55  # where WordPress cuts an excerpt it makes itself
PUBLISHED_AT = datetime.time(9)  # the first post of a day; the next 10 minutes on
EDITED_AT = datetime.time(17, 30)


@dataclass(frozen=True)
class WordPressPost:
    """One item of the model as a WordPress post.

    `title` and `paragraphs` are plain text as WordPress prints it (curly
    quotes); `published` and `modified` are London times.
    """

    wp_id: int
    number: int
    section: str
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    more: tuple[str, ...]
    published: datetime.datetime
    modified: datetime.datetime
    update_number: int | None = None

    @property
    def path(self) -> str:
        return f"/{self.published:%Y}/{self.published:%m}/{self.slug}/"

    @property
    def manual_excerpt(self) -> bool:
        """The editor wrote the excerpt: the whole summary, paragraph by paragraph."""
        return len(self.paragraphs) > 1

    @property
    def continue_link(self) -> bool:
        """The theme ends this excerpt with a "Continue reading" link, not `[…]`.

        Half the posts each way, so that both forms are always served.
        """
        return self.wp_id % 2 == 0


def plan_posts(
    items: int = 1600, seed: int = 0, week: int = 0, posts: int = 250
) -> list[WordPressPost]:
    """The last `posts` items of the site at `week` as posts, oldest first.

    A second listing of one piece (`duplicate_of`) is no post of its own.
    """
    site, edited_in, first_titles = site_with_edits(items, seed, week)
    every = sorted(
        (item for item in site.items if item.duplicate_of is None),
        key=lambda item: item.number,
    )
    # A post's slug and time are given once, when it is published: over the
    # whole site, from the title it was published with, so that they stay the
    # same whatever the week and however many posts are shown.
    slugs: set[str] = set()
    slug_of_item: dict[int, str] = {}
    minutes_of_item: dict[int, int] = {}
    earlier_that_day: Counter[datetime.date] = Counter()
    for item in every:
        slug_of_item[item.number] = unique_slug(
            _published_title(item, first_titles[item.number]), slugs
        )
        minutes_of_item[item.number] = 10 * earlier_that_day[item.published]
        earlier_that_day[item.published] += 1
    planned = []
    for item in every[max(len(every) - posts, 0) :]:
        wp_id = FIRST_ID + item.number
        minutes = minutes_of_item[item.number]
        published = datetime.datetime.combine(
            item.published, PUBLISHED_AT, LONDON
        ) + datetime.timedelta(minutes=minutes)
        modified = published
        if item.number in edited_in:
            edit_day = LAST_SUNDAY + edited_in[item.number] * WEEK
            modified = datetime.datetime.combine(edit_day, EDITED_AT, LONDON)
        issue = item.line.update_number
        title = _published_title(item, item.title)
        planned.append(
            WordPressPost(
                wp_id=wp_id,
                number=item.number,
                section=item.section,
                slug=slug_of_item[item.number],
                title=title,
                paragraphs=tuple(texturize(fold(text)) for text in item.paragraphs),
                more=tuple(texturize(fold(text)) for text in item.more),
                published=published,
                modified=modified,
                update_number=issue,
            )
        )
    return planned


def site_with_edits(
    items: int, seed: int, week: int
) -> tuple[Site, dict[int, int], dict[int, str]]:
    """The site at `week`, as `plan_site` makes it, the last week each item
    was corrected in, and the title each was first published with, by number.

    `plan_site` adds the weeks one by one and keeps only the last week's edits;
    adding them here the same way keeps every week's.
    """
    site = plan_site(items, seed, 0)
    edited_in: dict[int, int] = {}
    first_titles = {item.number: item.title for item in site.items}
    for k in range(1, week + 1):
        add_week(site, k, seed)
        edited_in.update((item.number, k) for item in site.edited)
        for item in site.items:
            first_titles.setdefault(item.number, item.title)
    return site, edited_in, first_titles


def _published_title(item: Item, title: str) -> str:
    """A title as the post shows it; a Peru Update's names its issue."""
    title = texturize(fold(title))
    issue = item.line.update_number
    if issue is not None:
        label = "Peru Update" if (FIRST_ID + item.number) % 2 else "Update No."
        title = f"{label} {issue}: {title}"
    return title


# -- WordPress's way with text -----------------------------------------------


def texturize(text: str) -> str:
    """Straight quotes made curly, as WordPress's wptexturize prints them."""
    text = re.sub(r"(^|[\s(\[])\"", "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|[\s(\[])'(?=\w)", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def slug_of(title: str) -> str:
    """WordPress's slug: lower-case ASCII, apostrophes dropped, hyphens between."""
    text = unicodedata.normalize("NFKD", title.lower())
    text = re.sub(r"['\u2018\u2019]", "", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def unique_slug(title: str, taken: set[str]) -> str:
    """The title's slug, with `-2`, `-3`... when an earlier post has it."""
    base = slug_of(title) or "post"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


# -- the answer key ------------------------------------------------------------


def expected_record(post: WordPressPost, link: str) -> dict:
    """The record `parse_posts` should read from the post at `link`: its item is
    the link's path, or `wp-ID` for a link without one (`/?p=ID`)."""
    path = urlsplit(link).path
    return {
        "id": path if path not in ("", "/") else f"wp-{post.wp_id}",
        "url": link,
        "section": "posts",
        "title": post.title,
        "date": post.published.date().isoformat(),
        "date_precision": "day",
        "date_text": None,
        "update_number": post.update_number,
        "byline": None,
        "summary": expected_summary(post),
        "image_caption": None,
        "wp_id": post.wp_id,
        "date_gmt": post.published.astimezone(UTC).isoformat(),
        "modified_gmt": post.modified.astimezone(UTC).isoformat(),
    }


def expected_summary(post: WordPressPost) -> str:
    """The summary an archive should read from the post's excerpt."""
    if post.manual_excerpt:
        return "\n\n".join(post.paragraphs)
    return " ".join(" ".join(post.paragraphs).split()[:EXCERPT_WORDS])
