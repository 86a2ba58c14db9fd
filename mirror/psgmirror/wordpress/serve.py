"""The site as WordPress serves it now: its REST API's posts list, offline.

The PSG's site became a WordPress site around 2019, and WordPress lists its
posts as JSON. `WordPressServer` answers on 127.0.0.1 as such a site does, with
posts made from the mirror's own model (`plan_site`): the last `posts` items of
the site `week` weeks on, each a post

- with the WordPress id 1000 + the item's number, published on the item's day
  (`date` in London time, `date_gmt` in UTC) and modified in the week the model
  corrected it, if it did;
- at `http://HOST/YYYY/MM/slug/` on the server's own host, so that a crawler
  can follow the links as on a real site;
- with its title and excerpt rendered the WordPress way: curly quotes, dashes
  and `&` as numeric entities; the excerpt cut at 55 words and marked with
  `[&hellip;]` or a "Continue reading" link, or, for a summary of several
  paragraphs, the editor's own excerpt. An item the old site filed under a
  Peru Update issue is titled `Peru Update N: ...` or `Update No. N: ...`.

It answers

    /wp-json/wp/v2/posts          the posts list: per_page, page, _fields,
                                  orderby, order, after, before,
                                  modified_after, modified_before
    /wp-json/wp/v2/posts/ID       one post
    /?rest_route=/wp/v2/posts     the same API the way that needs no pretty
                                  permalinks (also /index.php?rest_route=...)
    /                             the home page, naming the API's root
    /YYYY/MM/slug/                a post's own page

With `pretty_permalinks=False`, `/wp-json/` answers 404, as on a site whose web
server does not rewrite it, and the pages name the `rest_route` form instead.

`expected_records()` is the answer key: for each post, the record that
`parse_posts` should read, worked out from the model's item, never by parsing.
"""

from __future__ import annotations

import datetime
import html
import json
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from ..loopback import AnswerHandler, LoopbackServer
from ..rules import fold
from ..site.plan import ARTICLES, LAST_SUNDAY, NEWS, WEEK, Site, add_week, plan_site

LONDON = ZoneInfo("Europe/London")
UTC = datetime.timezone.utc
FIRST_ID = 1000  # a post's WordPress id is FIRST_ID + its item's number
EXCERPT_WORDS = 55  # where WordPress cuts an excerpt it makes itself
PUBLISHED_AT = datetime.time(9)  # the first post of a day; the next 10 minutes on
EDITED_AT = datetime.time(17, 30)
DEFAULT_PER_PAGE, MAX_PER_PAGE = 10, 100
ORDERBY = ("date", "modified", "id", "title", "slug")
CATEGORIES = {NEWS: 2, ARTICLES: 3}
JSON_TYPE = "application/json; charset=UTF-8"
HTML_TYPE = "text/html; charset=UTF-8"
API_REL = "https://api.w.org/"

# Characters WordPress prints as entities (wptexturize, convert_chars).
_ENTITIES = {
    "&": "&#038;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;",
    "\u2018": "&#8216;", "\u2019": "&#8217;", "\u201c": "&#8220;",
    "\u201d": "&#8221;", "\u2013": "&#8211;", "\u2014": "&#8212;",
    "\u2026": "&hellip;",
}  # fmt: skip


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


def _published_title(item, title: str) -> str:
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


def wordpress_html(text: str) -> str:
    """Plain text as WordPress renders it: `&` as `&#038;`, quotes as `&#8217;`..."""
    return "".join(_ENTITIES.get(char, char) for char in text)


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


def excerpt_html(post: WordPressPost, link: str) -> str:
    """`excerpt.rendered`: cut at 55 words and marked, or the editor's own."""
    more_link = f'<a href="{link}" class="more-link">Continue reading'
    if post.manual_excerpt:
        rendered = "".join(
            f"<p>{wordpress_html(text)}</p>\n" for text in post.paragraphs
        )
        if post.continue_link:  # as Twenty Seventeen prints it
            title = wordpress_html(post.title)
            rendered += (
                f'<p class="link-more">{more_link}<span class="screen-reader-text">'
                f" &#8220;{title}&#8221;</span></a></p>\n"
            )
        return rendered
    words = " ".join(post.paragraphs).split()
    cut = len(words) > EXCERPT_WORDS
    text = wordpress_html(" ".join(words[:EXCERPT_WORDS]))
    if post.continue_link:
        return f"<p>{text}{'&hellip;' if cut else ''} {more_link}</a></p>\n"
    return f"<p>{text} [&hellip;]</p>\n" if cut else f"<p>{text}</p>\n"


def expected_summary(post: WordPressPost) -> str:
    """The summary an archive should read from the post's excerpt."""
    if post.manual_excerpt:
        return "\n\n".join(post.paragraphs)
    return " ".join(" ".join(post.paragraphs).split()[:EXCERPT_WORDS])


def content_html(post: WordPressPost) -> str:
    """`content.rendered`: the summary, the "more" anchor, then the rest."""
    rendered = [f"<p>{wordpress_html(text)}</p>\n" for text in post.paragraphs]
    for n, text in enumerate(post.more):
        anchor = f'<span id="more-{post.wp_id}"></span>' if n == 0 else ""
        rendered.append(f"<p>{anchor}{wordpress_html(text)}</p>\n")
    return "".join(rendered)


def wordpress_time(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    """`2019-03-24T09:00:00`: WordPress's dates carry no offset."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def wordpress_json(value: object) -> bytes:
    """JSON as PHP's json_encode writes it: ASCII only, and `/` escaped as `\\/`.

    `/` only ever stands inside strings in JSON, so escaping every one is safe.
    """
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode()


# -- the server --------------------------------------------------------------


class _BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


class WordPressServer(LoopbackServer):
    """The model's latest items as a WordPress site on 127.0.0.1."""

    def __init__(
        self,
        port: int = 0,
        items: int = 1600,
        seed: int = 0,
        week: int = 0,
        posts: int = 250,
        pretty_permalinks: bool = True,
    ) -> None:
        self.posts = plan_posts(items, seed, week, posts)  # oldest first
        self.by_path = {post.path: post for post in self.posts}
        self.by_id = {post.wp_id: post for post in self.posts}
        self.pretty_permalinks = pretty_permalinks
        self.requests: list[str] = []  # the targets asked for, in order
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _WordPressHandler)

    def note(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)

    # -- what the site says about its posts --

    def link(self, post: WordPressPost) -> str:
        return self.url.rstrip("/") + post.path

    def api_url(self, route: str) -> str:
        """Where the API answers `route` (`/wp/v2/posts`), as WordPress's rest_url."""
        if self.pretty_permalinks:
            return f"{self.url}wp-json{route}"
        return f"{self.url}index.php?rest_route={route}"

    def expected_records(self) -> dict[str, dict]:
        """The answer key: per post, by its link's path, the record's fields as
        `parse_posts` should read them, from the model's item."""
        return {
            post.path: {
                "id": post.path,
                "url": self.link(post),
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
            for post in self.posts
        }

    def post_object(self, post: WordPressPost) -> dict:
        """The post as `/wp/v2/posts` gives it, in WordPress's key order."""
        link = self.link(post)
        return {
            "id": post.wp_id,
            "date": wordpress_time(post.published, LONDON),
            "date_gmt": wordpress_time(post.published, UTC),
            "guid": {"rendered": f"{self.url}?p={post.wp_id}"},
            "modified": wordpress_time(post.modified, LONDON),
            "modified_gmt": wordpress_time(post.modified, UTC),
            "slug": post.slug,
            "status": "publish",
            "type": "post",
            "link": link,
            "title": {"rendered": wordpress_html(post.title)},
            "content": {"rendered": content_html(post), "protected": False},
            "excerpt": {"rendered": excerpt_html(post, link), "protected": False},
            "author": 1,
            "featured_media": 0,
            "comment_status": "closed",
            "ping_status": "closed",
            "sticky": False,
            "template": "",
            "format": "standard",
            "meta": [],
            "categories": [CATEGORIES.get(post.section, 1)],
            "tags": [],
            "_links": {
                "self": [{"href": self.api_url(f"/wp/v2/posts/{post.wp_id}")}],
                "collection": [{"href": self.api_url("/wp/v2/posts")}],
            },
        }

    # -- answering --

    def answer(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a GET of `target`."""
        parts = urlsplit(target)
        path = parts.path
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path in ("/", "/index.php") and "rest_route" in params:
            route = params.pop("rest_route")
            return self._json(*self.rest(route, params))
        if path == "/wp-json" or path.startswith("/wp-json/"):
            if not self.pretty_permalinks:
                return self._not_found()
            return self._json(*self.rest(path.removeprefix("/wp-json"), params))
        if path in ("/", "/index.php"):
            if params.get("p", "").isdigit() and int(params["p"]) in self.by_id:
                return self._moved(self.link(self.by_id[int(params["p"])]))
            return self._html(200, self.home_page())
        if path in self.by_path:
            return self._html(200, self.post_page(self.by_path[path]))
        if path + "/" in self.by_path:
            return self._moved(self.url.rstrip("/") + path + "/")
        return self._not_found()

    def rest(self, route: str, params: dict[str, str]) -> tuple[int, dict, object]:
        """Status, headers and JSON value of the API's answer for `route`."""
        route = "/" + route.strip("/")
        if route == "/":
            return 200, {}, self.index()
        if route == "/wp/v2/posts":
            try:
                return self.list_posts(params)
            except _BadParameter as bad:
                return 400, {}, invalid_parameter(bad.name, bad.message)
        if match := re.fullmatch(r"/wp/v2/posts/(\d+)", route):
            post = self.by_id.get(int(match[1]))
            if post is None:
                return 404, {}, NO_SUCH_POST
            return 200, {}, self.post_object(post)
        return 404, {}, NO_ROUTE

    def index(self) -> dict:
        """The API's root: what a client discovers first."""
        return {
            "name": "Peru Support Group",
            "description": "News from Peru",
            "url": self.url.rstrip("/"),
            "home": self.url.rstrip("/"),
            "namespaces": ["wp/v2"],
            "routes": {
                "/wp/v2/posts": {
                    "namespace": "wp/v2",
                    "methods": ["GET"],
                    "_links": {"self": [{"href": self.api_url("/wp/v2/posts")}]},
                }
            },
        }

    def list_posts(self, params: dict[str, str]) -> tuple[int, dict, object]:
        """`/wp/v2/posts`: a page of the posts, filtered and ordered as asked."""
        per_page = _integer(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        page = _integer(params, "page", 1, 1)
        orderby = _choice(params, "orderby", "date", ORDERBY)
        order = _choice(params, "order", "desc", ("asc", "desc"))
        # WordPress's date bounds are strict: `after` a post's own date excludes it.
        after, before = _moment(params, "after"), _moment(params, "before")
        modified_after = _moment(params, "modified_after")
        modified_before = _moment(params, "modified_before")
        chosen = [
            post
            for post in self.posts
            if (after is None or post.published > after)
            and (before is None or post.published < before)
            and (modified_after is None or post.modified > modified_after)
            and (modified_before is None or post.modified < modified_before)
        ]
        chosen.sort(key=_ORDER_KEYS[orderby], reverse=order == "desc")
        total = len(chosen)
        pages = math.ceil(total / per_page)
        if page > pages and total > 0:
            return 400, {}, PAST_THE_LAST_PAGE
        shown = chosen[(page - 1) * per_page : page * per_page]
        objects = [
            _only(self.post_object(post), params.get("_fields")) for post in shown
        ]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        if page > 1:
            links.append(
                f'<{self._page_url(params, min(page - 1, pages))}>; rel="prev"'
            )
        if page < pages:
            links.append(f'<{self._page_url(params, page + 1)}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return 200, headers, objects

    def _page_url(self, params: dict[str, str], page: int) -> str:
        """The same query on another page, as WordPress writes its Link header."""
        query = urlencode({**params, "page": str(page)})
        base = self.api_url("/wp/v2/posts")
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def home_page(self) -> bytes:
        latest = sorted(self.posts, key=_ORDER_KEYS["date"], reverse=True)[:10]
        entries = "".join(
            f'<article><h2><a href="{self.link(post)}">{wordpress_html(post.title)}'
            f"</a></h2>\n{excerpt_html(post, self.link(post))}</article>\n"
            for post in latest
        )
        return self._page("Peru Support Group", entries)

    def post_page(self, post: WordPressPost) -> bytes:
        when = post.published.isoformat()
        day = f"{post.published.day} {post.published:%B %Y}"
        alternate = self.api_url(f"/wp/v2/posts/{post.wp_id}")
        return self._page(
            post.title,
            f"<article><h1>{wordpress_html(post.title)}</h1>\n"
            f'<time datetime="{when}">{day}</time>\n'
            f'<div class="entry-content">\n{content_html(post)}</div></article>\n',
            f'<link rel="alternate" type="application/json" href="{alternate}" />\n',
        )

    def _page(self, title: str, main: str, head: str = "") -> bytes:
        return (
            '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n'
            '<meta charset="UTF-8" />\n'
            f"<title>{html.escape(title)} &#8211; Peru Support Group</title>\n"
            f'<link rel="{API_REL}" href="{self.api_url("/")}" />\n{head}'
            f'</head>\n<body>\n<main id="main">\n{main}</main>\n</body>\n</html>\n'
        ).encode()

    def _json(
        self, status: int, headers: dict, value: object
    ) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": JSON_TYPE, **headers}, wordpress_json(value)

    def _html(self, status: int, body: bytes) -> tuple[int, dict[str, str], bytes]:
        # WordPress names its API's root on every page, in a header too.
        api_root = f'<{self.api_url("/")}>; rel="{API_REL}"'
        headers = {"Content-Type": HTML_TYPE, "Link": api_root}
        return status, headers, body

    def _moved(self, location: str) -> tuple[int, dict[str, str], bytes]:
        return 301, {"Location": location, "Content-Type": HTML_TYPE}, b""

    def _not_found(self) -> tuple[int, dict[str, str], bytes]:
        body = self._page(
            "Page not found", "<h1>Oops! That page can&rsquo;t be found.</h1>\n"
        )
        return self._html(404, body)


# WordPress's error objects, word for word.
PAST_THE_LAST_PAGE = {
    "code": "rest_post_invalid_page_number",
    "message": "The page number requested is larger than the number of pages "
    "available.",
    "data": {"status": 400},
}
NO_SUCH_POST = {
    "code": "rest_post_invalid_id",
    "message": "Invalid post ID.",
    "data": {"status": 404},
}
NO_ROUTE = {
    "code": "rest_no_route",
    "message": "No route was found matching the URL and request method.",
    "data": {"status": 404},
}

_ORDER_KEYS = {
    "date": lambda post: (post.published, post.wp_id),
    "modified": lambda post: (post.modified, post.wp_id),
    "id": lambda post: post.wp_id,
    "title": lambda post: (post.title.casefold(), post.wp_id),
    "slug": lambda post: (post.slug, post.wp_id),
}


def invalid_parameter(name: str, message: str) -> dict:
    """WordPress's 400 for a parameter it refuses."""
    return {
        "code": "rest_invalid_param",
        "message": f"Invalid parameter(s): {name}",
        "data": {"status": 400, "params": {name: message}},
    }


def _integer(
    params: dict[str, str], name: str, default: int, low: int, high: int | None = None
) -> int:
    if name not in params:
        return default
    value = params[name].strip()
    if not re.fullmatch(r"-?\d+", value):
        raise _BadParameter(name, f"{name} is not of type integer.")
    number = int(value)
    if high is not None and not low <= number <= high:
        raise _BadParameter(
            name, f"{name} must be between {low} (inclusive) and {high} (inclusive)"
        )
    if number < low:
        raise _BadParameter(name, f"{name} must be greater than or equal to {low}")
    return number


def _choice(params: dict[str, str], name: str, default: str, allowed) -> str:
    value = params.get(name, default)
    if value not in allowed:
        raise _BadParameter(name, f"{name} is not one of {', '.join(allowed)}.")
    return value


def _moment(params: dict[str, str], name: str) -> datetime.datetime | None:
    """An ISO 8601 parameter as a time, London's when it names no offset; None
    when not given."""
    if name not in params:
        return None
    text = params[name].strip().replace("Z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _BadParameter(name, "Invalid date.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _only(post: dict, fields: str | None) -> dict:
    """The post with only the top-level keys `_fields` names (`title.rendered`
    keeps all of `title`)."""
    if not fields:
        return post
    wanted = {name.strip().split(".")[0] for name in fields.split(",")}
    return {key: value for key, value in post.items() if key in wanted}


class _WordPressHandler(AnswerHandler):
    server: WordPressServer

    def do_GET(self) -> None:
        self.server.note(self.path)
        self.send_answer(*self.server.answer(self.path))
