"""`parse_posts`: one page of WordPress's REST API posts list in, its records out.

The site the newsletter moved to is a WordPress site, and WordPress lists its
posts as JSON (`/wp-json/wp/v2/posts?per_page=100&page=N`, or
`/?rest_route=/wp/v2/posts&...` where pretty permalinks are off). Each post
gives its id, dates, link, and its title and excerpt as rendered HTML. This
module reads such a page into the same `Record`s as `parse_listing`:

- the id is the path of the post's link (`/2019/05/peru-update-123/`), so a
  post reached over http or https, on another host, or imported again under new
  WordPress ids is one item;
- the title and excerpt are turned into the archive's plain text, the excerpt
  in paragraphs as the listing parser reads a summary, without the ellipsis
  and "Continue reading" link WordPress puts at the end of a cut excerpt;
- the date is the post's own (local) day.

A body that is no list of posts, or WordPress's error object (as it answers a
page past the last one), gives no items and a `reason`.

`api_root` reads where a site's API is from any page of it: WordPress names
it in a `Link` header (`rel="https://api.w.org/"`) and in the page's head,
as `/wp-json/` or, where the web server does not rewrite that path,
`/index.php?rest_route=/`.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from .boilerplate import fingerprint
from .dates import DAY, parse_date_line
from .listing import READ_MORE, block_paragraphs, element_text, has_class
from .records import BINARY, EMPTY_BODY, Listing, Record
from .text import fold, looks_binary

# The section of a post's record: the current site's posts are one list.
POSTS = "posts"

# Why a page gave no posts.
NOT_JSON = "not JSON"
NOT_POSTS = "not a list of posts"
NO_POSTS = "no posts on this page"
PAST_THE_END = "past the last page"
WORDPRESS_ERROR = "WordPress error"

# WordPress's answer to a page number past the last page.
PAST_THE_END_CODE = "rest_post_invalid_page_number"

# The link relation by which WordPress names its REST API's root.
API_REL = "https://api.w.org/"
_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.I)

_MORE_LINK_CLASS = re.compile(r"^(?:more-link|read-more|more)$", re.I)
_CONTINUE_READING = re.compile(r"^continue\s+reading\b", re.I)
_BRACKETED_ELLIPSIS = re.compile(r"\s*\[\s*(?:\u2026|\.\.\.)\s*\]$")
_ELLIPSIS = re.compile(r"\s*(?:\u2026|\.\.\.)$")
_UPDATE_WORD = re.compile(r"\b(?:peru\s+)?update\s*(?:no\.?\s*)?\d", re.I)


@dataclass(frozen=True, slots=True)
class Post:
    """One post of the list: its WordPress identity and dates, and its record.

    `wp_id` and `link` are None when the page was asked for without them
    (`_fields=...`); the dates are UTC, as `2019-05-02T09:30:00+00:00`.
    """

    wp_id: int | None
    link: str | None
    path: str | None
    date_gmt: str | None
    modified_gmt: str | None
    record: Record


@dataclass(frozen=True, slots=True)
class Posts:
    """What `parse_posts` read from one page.

    `listing.items` are the posts' records in the API's order; `listed` is
    how many post objects the page held, those without a record included (a
    post with neither title nor text), as the API counts them; `code` is the
    error code when the body is WordPress's error object.
    """

    listing: Listing
    posts: tuple[Post, ...] = ()
    code: str | None = None
    listed: tuple[int | str, ...] = ()  # each listed post's id (or its position)


def parse_posts(body: bytes | str, page_url: str, section: str = POSTS) -> Posts:
    """Parse one page of the posts list; never raises on bad input.

    `page_url` is where the page was fetched: it makes relative links absolute
    and is each record's `page_url`. A page without posts comes back with no
    items and a `reason`.
    """
    data, unreadable_because = _json(body)
    if unreadable_because is not None:
        return Posts(Listing(page_url, section, reason=unreadable_because))
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        code = data["code"]
        return Posts(Listing(page_url, section, reason=_error_reason(code)), code=code)
    if not isinstance(data, list) or (
        data and not any(isinstance(entry, dict) for entry in data)
    ):
        return Posts(Listing(page_url, section, reason=NOT_POSTS))
    posts: list[Post] = []
    listed: list[int | str] = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        wp_id = _wordpress_id(entry.get("id"))
        listed.append(wp_id if wp_id is not None else f"{page_url}#{len(listed)}")
        post = read_post(entry, page_url, section, len(posts) + 1)
        if post is not None:
            posts.append(post)
    records = tuple(post.record for post in posts)
    reason = None if posts else NO_POSTS
    listing = Listing(page_url, section, items=records, reason=reason)
    return Posts(listing, tuple(posts), listed=tuple(listed))


def api_root(link_header: str | None, body: bytes, page_url: str) -> str | None:
    """The root of the REST API a WordPress page names (absolute), from its
    `Link` header or else its head's `<link rel="https://api.w.org/">`; None
    if it names none."""
    for target, parameters in _LINK_VALUE.findall(link_header or ""):
        for quoted, bare in _REL.findall(parameters):
            if API_REL in (quoted or bare).split():
                return _absolute(target, page_url)
    if not body or looks_binary(body):
        return None
    head = BeautifulSoup(body, "lxml").head
    for link in head.find_all("link", href=True) if head else ():
        if API_REL in (link.get("rel") or []):
            return _absolute(link["href"], page_url)
    return None


def _json(body: bytes | str) -> tuple[object, str | None]:
    """The body's JSON value, or None and why the body holds none."""
    if isinstance(body, bytes):
        if looks_binary(body):
            return None, BINARY
        body = body.decode("utf-8-sig", errors="replace")
    if not body.strip():
        return None, EMPTY_BODY
    try:
        return json.loads(body), None
    except (ValueError, RecursionError):
        return None, NOT_JSON


def _error_reason(code: str) -> str:
    if code == PAST_THE_END_CODE:
        return f"{PAST_THE_END} ({code})"
    return f"{WORDPRESS_ERROR} ({code})"


def read_post(entry: dict, page_url: str, section: str, position: int) -> Post | None:
    """One post object as a `Post`, or None if it has no title, no text or no
    identity (neither a link nor an id)."""
    wp_id = _wordpress_id(entry.get("id"))
    link = _absolute(entry.get("link"), page_url)
    path = urlsplit(link).path if link else None
    title = html_text(_rendered(entry.get("title")))
    summary = excerpt_text(_rendered(entry.get("excerpt")))
    if not (title or summary):
        return None
    if path not in (None, "", "/"):
        item_id = path
    elif wp_id is not None:
        item_id = f"wp-{wp_id}"
    else:
        return None
    day = _day(entry.get("date")) or _day(entry.get("date_gmt"))
    record = Record(
        id=item_id,
        url=link,
        section=section,
        title=title,
        date=day,
        date_precision=DAY if day else None,
        date_text=None,
        update_number=update_number(title),
        byline=None,
        summary=summary,
        image_caption=None,
        position=position,
        page_url=page_url,
        fingerprint=fingerprint(title, f"\n{summary}"),
    )
    return Post(
        wp_id=wp_id,
        link=link,
        path=path,
        date_gmt=_utc(entry.get("date_gmt")),
        modified_gmt=_utc(entry.get("modified_gmt")),
        record=record,
    )


def _absolute(link: object, page_url: str) -> str | None:
    """The post's link as an absolute URL; None for none, or one no URL parser
    reads (`http://[bad`)."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        absolute = urljoin(page_url, link.strip())
        urlsplit(absolute)
    except ValueError:
        return None
    return absolute


def _wordpress_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _rendered(value: object) -> str:
    """`{"rendered": "..."}` as WordPress gives a title or an excerpt, or a bare
    string."""
    if isinstance(value, dict):
        value = value.get("rendered", value.get("raw"))
    return value if isinstance(value, str) else ""


def _day(value: object) -> str | None:
    """`2019-05-02` from WordPress's `2019-05-02T09:30:00`."""
    moment = _moment(value)
    return moment.date().isoformat() if moment else None


def _utc(value: object) -> str | None:
    """A `*_gmt` date as ISO with its offset: `2019-05-02T09:30:00+00:00`."""
    moment = _moment(value)
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "+00:00"


def _moment(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            return datetime.datetime.fromisoformat(text[:10])
        except ValueError:
            return None  # 0000-00-00, or 31 February


def html_text(html: str) -> str:
    """A rendered title as plain text: tags dropped, entities decoded, folded."""
    if "<" not in html and "&" not in html:
        return fold(html)
    return " ".join(block_paragraphs(_soup(html), set()))


def excerpt_text(html: str) -> str:
    """A rendered excerpt as the archive's summary: paragraphs joined by a blank
    line, without WordPress's "[…]" or "… Continue reading" at the end."""
    if not html.strip():
        return ""
    soup = _soup(html)
    more_links = [link for link in soup.find_all("a") if _is_more_link(link)]
    paragraphs = block_paragraphs(soup, {id(link) for link in more_links})
    while paragraphs:
        last = _without_ellipsis(paragraphs[-1], after_a_link=bool(more_links))
        if last:
            paragraphs[-1] = last
            break
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _is_more_link(link: Tag) -> bool:
    """WordPress's link to the rest of the post at the end of an excerpt."""
    if has_class(link, _MORE_LINK_CLASS):
        return True
    label = element_text(link)
    return bool(_CONTINUE_READING.match(label) or READ_MORE.match(label))


def _without_ellipsis(text: str, after_a_link: bool) -> str:
    """The last paragraph without the ellipsis that marks a cut excerpt.

    `[…]` and `[...]` are always WordPress's; a bare `…` only when a "Continue
    reading" link followed it, as a sentence may end in one of its own.
    """
    text = _BRACKETED_ELLIPSIS.sub("", text)
    if after_a_link:
        text = _ELLIPSIS.sub("", text)
    return text.rstrip()


def update_number(title: str) -> int | None:
    """The N of a title that names a newsletter issue, as "Peru Update 123: ..."
    or "Update No. 123", read the way a date line's issue number is read.

    Only the worded form counts: a title opening with "2019: ..." names a
    year, not an issue.
    """
    match = _UPDATE_WORD.search(title)
    if match is None:
        return None
    return parse_date_line(title[match.start() :]).update_number
