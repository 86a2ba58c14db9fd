"""`WordPressServer`: the planned posts (`wordpress.plan`) answered on
127.0.0.1 as a WordPress site answers, at `http://HOST/YYYY/MM/slug/` on the
server's own host, so that a crawler can follow the links as on a real site.

It answers

    /wp-json/wp/v2/posts          the posts list: per_page, page, _fields,
                                  orderby, order, after, before,
                                  modified_after, modified_before
    /wp-json/wp/v2/posts/ID       one post
    /?rest_route=/wp/v2/posts     the same API the way that needs no pretty
                                  permalinks (also /index.php?rest_route=...)
    /                             the home page, naming the API's root
    /YYYY/MM/slug/                a post's own page

With `pretty_permalinks=False`, the posts' pages are `/?p=ID` and the pages
name the `rest_route` form of the API; `/wp-json/` answers 404, as behind a
web server that does not rewrite it, or, with `front_controller=True`
(nginx's `try_files ... /index.php?$args`, WordPress's .htaccess), as
WordPress answers a path it has no rule for: a redirect adding a slash, then
the home page.

Posts whose sort key ties (a bulk edit gives many one `modified` time) come in
another order on each page, as MariaDB orders the rows of a `LIMIT` that tie,
so that two pages can share posts and miss others; ordered by id, they
cannot.

`expected_records()` is the answer key: for each post, the record that
`parse_posts` should read (`wordpress.plan.expected_record`).
"""

from __future__ import annotations

import datetime
import math
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..loopback import AnswerHandler, LoopbackServer
from . import render
from .plan import LONDON, WordPressPost, expected_record, plan_posts
from .render import API_REL, SiteAddress, wordpress_json

DEFAULT_PER_PAGE, MAX_PER_PAGE = 10, 100
ORDERBY = ("date", "modified", "id", "title", "slug")
JSON_TYPE = "application/json; charset=UTF-8"
HTML_TYPE = "text/html; charset=UTF-8"


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
        front_controller: bool = False,
    ) -> None:
        self.posts = plan_posts(items, seed, week, posts)  # oldest first
        self.by_path = {post.path: post for post in self.posts}
        self.by_id = {post.wp_id: post for post in self.posts}
        self.pretty_permalinks = pretty_permalinks
        # Pretty permalinks need a web server that sends every path to WordPress.
        self.front_controller = front_controller or pretty_permalinks
        self.requests: list[str] = []  # the targets asked for, in order
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _WordPressHandler)
        # Known once the port is: where the pages and the API say they are.
        self.address = SiteAddress(self.url, pretty_permalinks)

    def note(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)

    # -- what the site says about its posts --

    def link(self, post: WordPressPost) -> str:
        return self.address.link(post)

    def api_url(self, route: str) -> str:
        """Where the API answers `route` (`/wp/v2/posts`), as WordPress's rest_url."""
        return self.address.api_url(route)

    def expected_records(self) -> dict[str, dict]:
        """The answer key: per post, by its item's id, the record's fields as
        `parse_posts` should read them, from the model's item."""
        records = (expected_record(post, self.link(post)) for post in self.posts)
        return {record["id"]: record for record in records}

    # -- answering --

    def answer(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a GET of `target`."""
        parts = urlsplit(target)
        path = parts.path
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path in ("/", "/index.php") and "rest_route" in params:
            route = params.pop("rest_route")
            return self._json(*self.rest(route, params))
        if self.pretty_permalinks and (
            path == "/wp-json" or path.startswith("/wp-json/")
        ):
            return self._json(*self.rest(path.removeprefix("/wp-json"), params))
        if path in ("/", "/index.php"):
            post = (
                self.by_id.get(int(params["p"]))
                if params.get("p", "").isdigit()
                else None
            )
            if post is None:
                return self._html(200, self.home_page())
            if self.pretty_permalinks:
                return self._moved(self.link(post))
            return self._html(200, self.post_page(post))
        if self.pretty_permalinks and path in self.by_path:
            return self._html(200, self.post_page(self.by_path[path]))
        if self.pretty_permalinks and path + "/" in self.by_path:
            return self._moved(self.url.rstrip("/") + path + "/")
        if self.pretty_permalinks or not self.front_controller:
            return self._not_found()
        # WordPress without rewrite rules: any path is its home page, once
        # redirect_canonical has added a missing slash (query kept).
        if not path.endswith("/"):
            query = f"?{parts.query}" if parts.query else ""
            return self._moved(f"{self.url.rstrip('/')}{path}/{query}")
        return self._html(200, self.home_page())

    def rest(self, route: str, params: dict[str, str]) -> tuple[int, dict, object]:
        """Status, headers and JSON value of the API's answer for `route`."""
        route = "/" + route.strip("/")
        if route == "/":
            return 200, {}, render.api_index(self.address)
        if route == "/wp/v2/posts":
            try:
                return self.list_posts(params)
            except _BadParameter as bad:
                return 400, {}, invalid_parameter(bad.name, bad.message)
        if match := re.fullmatch(r"/wp/v2/posts/(\d+)", route):
            post = self.by_id.get(int(match[1]))
            if post is None:
                return 404, {}, NO_SUCH_POST
            return 200, {}, render.post_object(post, self.address)
        return 404, {}, NO_ROUTE

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
        chosen.sort(key=_order_key(orderby, page), reverse=order == "desc")
        total = len(chosen)
        pages = math.ceil(total / per_page)
        if page > pages and total > 0:
            return 400, {}, PAST_THE_LAST_PAGE
        shown = chosen[(page - 1) * per_page : page * per_page]
        objects = [
            _only(render.post_object(post, self.address), params.get("_fields"))
            for post in shown
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
        latest = sorted(self.posts, key=_order_key("date", 1), reverse=True)[:10]
        return render.home_page(latest, self.address)

    def post_page(self, post: WordPressPost) -> bytes:
        return render.post_page(post, self.address)

    def _json(
        self, status: int, headers: dict, value: object
    ) -> tuple[int, dict[str, str], bytes]:
        # The API names its root too, unless the answer links its pages.
        headers = {"Content-Type": JSON_TYPE, "Link": self._api_root_link(), **headers}
        return status, headers, wordpress_json(value)

    def _html(self, status: int, body: bytes) -> tuple[int, dict[str, str], bytes]:
        # WordPress names its API's root on every page, in a header too.
        return status, {"Content-Type": HTML_TYPE, "Link": self._api_root_link()}, body

    def _api_root_link(self) -> str:
        return f'<{self.api_url("/")}>; rel="{API_REL}"'

    def _moved(self, location: str) -> tuple[int, dict[str, str], bytes]:
        return 301, {"Location": location, "Content-Type": HTML_TYPE}, b""

    def _not_found(self) -> tuple[int, dict[str, str], bytes]:
        """WordPress's "page not found", or, for a path the web server does
        not hand to WordPress, the server's own."""
        if not self.front_controller:
            return 404, {"Content-Type": HTML_TYPE}, b"<h1>Not Found</h1>"
        return self._html(404, render.not_found_page(self.address))


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

_SORT_KEYS = {
    "date": lambda post: post.published,
    "modified": lambda post: post.modified,
    "id": lambda post: post.wp_id,
    "title": lambda post: post.title.casefold(),
    "slug": lambda post: post.slug,
}


def _order_key(orderby: str, page: int):
    """The order of `orderby` on page `page`: ties one way on odd pages, the
    other on even ones (ids are never tied)."""
    tie = 1 if page % 2 else -1
    return lambda post: (_SORT_KEYS[orderby](post), tie * post.wp_id)


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
