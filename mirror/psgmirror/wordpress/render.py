"""A WordPress site's answers for the planned posts (`wordpress.plan`): the
REST API's JSON objects and the HTML pages, as WordPress renders them.

Titles and text carry WordPress's entities (`&#038;`, `&#8217;`...); an
excerpt is cut at 55 words and marked with `[&hellip;]` or a "Continue
reading" link or, for a summary of several paragraphs, is the editor's own.
Where the site answers (`SiteAddress`) names its links and its API: with
pretty permalinks the API is at `/wp-json/`, without them at `?rest_route=`.
"""

from __future__ import annotations

import datetime
import html
import json
from dataclasses import dataclass

from psgscraper.site import ARTICLES, NEWS

from .plan import EXCERPT_WORDS, LONDON, UTC, WordPressPost

CATEGORIES = {NEWS: 2, ARTICLES: 3}
API_REL = "https://api.w.org/"

# Characters WordPress prints as entities (wptexturize, convert_chars).
_ENTITIES = {
    "&": "&#038;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;",
    "\u2018": "&#8216;", "\u2019": "&#8217;", "\u201c": "&#8220;",
    "\u201d": "&#8221;", "\u2013": "&#8211;", "\u2014": "&#8212;",
    "\u2026": "&hellip;",
}  # fmt: skip


@dataclass(frozen=True)
class SiteAddress:
    """Where the site answers: its root URL (`http://127.0.0.1:PORT/`), and
    whether it has pretty permalinks (its web server rewriting `/wp-json/` and
    the posts' paths to index.php)."""

    url: str
    pretty_permalinks: bool = True

    def link(self, post: WordPressPost) -> str:
        """The post's page: its path, or `/?p=ID` without pretty permalinks."""
        if self.pretty_permalinks:
            return self.url.rstrip("/") + post.path
        return f"{self.url}?p={post.wp_id}"

    def api_url(self, route: str) -> str:
        """Where the API answers `route` (`/wp/v2/posts`), as WordPress's rest_url."""
        if self.pretty_permalinks:
            return f"{self.url}wp-json{route}"
        return f"{self.url}index.php?rest_route={route}"


# -- the API's JSON ------------------------------------------------------------


def post_object(post: WordPressPost, at: SiteAddress) -> dict:
    """The post as `/wp/v2/posts` gives it, in WordPress's key order."""
    link = at.link(post)
    return {
        "id": post.wp_id,
        "date": wordpress_time(post.published, LONDON),
        "date_gmt": wordpress_time(post.published, UTC),
        "guid": {"rendered": f"{at.url}?p={post.wp_id}"},
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
            "self": [{"href": at.api_url(f"/wp/v2/posts/{post.wp_id}")}],
            "collection": [{"href": at.api_url("/wp/v2/posts")}],
        },
    }


def api_index(at: SiteAddress) -> dict:
    """The API's root: what a client discovers first."""
    return {
        "name": "Peru Support Group",
        "description": "News from Peru",
        "url": at.url.rstrip("/"),
        "home": at.url.rstrip("/"),
        "namespaces": ["wp/v2"],
        "routes": {
            "/wp/v2/posts": {
                "namespace": "wp/v2",
                "methods": ["GET"],
                "_links": {"self": [{"href": at.api_url("/wp/v2/posts")}]},
            }
        },
    }


def wordpress_json(value: object) -> bytes:
    """JSON as PHP's json_encode writes it: ASCII only, and `/` escaped as `\\/`.

    `/` only ever stands inside strings in JSON, so escaping every one is safe.
    """
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode()


def wordpress_time(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    """`2019-03-24T09:00:00`: WordPress's dates carry no offset."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


# -- text and HTML ---------------------------------------------------------------


def wordpress_html(text: str) -> str:
    """Plain text as WordPress renders it: `&` as `&#038;`, quotes as `&#8217;`..."""
    return "".join(_ENTITIES.get(char, char) for char in text)


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


def content_html(post: WordPressPost) -> str:
    """`content.rendered`: the summary, the "more" anchor, then the rest."""
    rendered = [f"<p>{wordpress_html(text)}</p>\n" for text in post.paragraphs]
    for n, text in enumerate(post.more):
        anchor = f'<span id="more-{post.wp_id}"></span>' if n == 0 else ""
        rendered.append(f"<p>{anchor}{wordpress_html(text)}</p>\n")
    return "".join(rendered)


# -- the site's pages ------------------------------------------------------------


def home_page(latest: list[WordPressPost], at: SiteAddress) -> bytes:
    """The home page: the latest posts, each with its excerpt."""
    entries = "".join(
        f'<article><h2><a href="{at.link(post)}">{wordpress_html(post.title)}'
        f"</a></h2>\n{excerpt_html(post, at.link(post))}</article>\n"
        for post in latest
    )
    return _page("Peru Support Group", entries, at)


def post_page(post: WordPressPost, at: SiteAddress) -> bytes:
    """A post's own page, naming its JSON as an alternate."""
    when = post.published.isoformat()
    day = f"{post.published.day} {post.published:%B %Y}"
    alternate = at.api_url(f"/wp/v2/posts/{post.wp_id}")
    return _page(
        post.title,
        f"<article><h1>{wordpress_html(post.title)}</h1>\n"
        f'<time datetime="{when}">{day}</time>\n'
        f'<div class="entry-content">\n{content_html(post)}</div></article>\n',
        at,
        f'<link rel="alternate" type="application/json" href="{alternate}" />\n',
    )


def not_found_page(at: SiteAddress) -> bytes:
    return _page(
        "Page not found", "<h1>Oops! That page can&rsquo;t be found.</h1>\n", at
    )


def _page(title: str, main: str, at: SiteAddress, head: str = "") -> bytes:
    """A page of the theme; every one names the API's root."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n'
        '<meta charset="UTF-8" />\n'
        f"<title>{html.escape(title)} &#8211; Peru Support Group</title>\n"
        f'<link rel="{API_REL}" href="{at.api_url("/")}" />\n{head}'
        f'</head>\n<body>\n<main id="main">\n{main}</main>\n</body>\n</html>\n'
    ).encode()
