"""The site as WordPress serves it: the REST API's posts list over real HTTP."""

from __future__ import annotations

import datetime
import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import OneModifiedTime

from psgmirror.cli import mirror
from psgmirror.site.plan import plan_site
from psgmirror.wordpress.plan import FIRST_ID, plan_posts
from psgmirror.wordpress.serve import WordPressServer
from psgscraper.parse.wordpress import parse_posts

ITEMS, WEEK, POSTS = 1600, 3, 250
POSTS_PATH = "/wp-json/wp/v2/posts"
FULL_POST_KEYS = {
    "id", "date", "date_gmt", "guid", "modified", "modified_gmt", "slug",
    "status", "type", "link", "title", "content", "excerpt", "author",
    "categories", "tags",
}  # fmt: skip
LIST_FIELDS = "id,date,date_gmt,modified,modified_gmt,link,title,excerpt"


@pytest.fixture(scope="module")
def server():
    with WordPressServer(items=ITEMS, week=WEEK, posts=POSTS) as running:
        yield running


@pytest.fixture(scope="module")
def plain():
    """A site without pretty permalinks: the API only through `rest_route`."""
    with WordPressServer(items=300, posts=40, pretty_permalinks=False) as running:
        yield running


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test looks at the redirect itself


OPENER = urllib.request.build_opener(_NoRedirects)


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with OPENER.open(url) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_path(server, target: str) -> tuple[int, dict, bytes]:
    return get(server.url.rstrip("/") + target)


def api(server, **params) -> tuple[int, dict, object]:
    query = urllib.parse.urlencode(params)
    status, headers, body = get_path(server, f"{POSTS_PATH}?{query}")
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    return status, headers, json.loads(body)


def links(headers: dict) -> dict[str, str]:
    """The Link header's URLs by rel, as a client reads them."""
    return {
        rel: url
        for url, rel in re.findall(
            r'<([^>]+)>;\s*rel="([^"]+)"', headers.get("Link", "")
        )
    }


def every_page(first_url: str) -> list[tuple[str, bytes]]:
    """Each page of the list, from `first_url` by the Link header's rel="next"."""
    pages, url = [], first_url
    while url:
        status, headers, body = get(url)
        assert status == 200, body
        pages.append((url, body))
        url = links(headers).get("next")
    return pages


# -- the posts list --------------------------------------------------------------


def test_pages_and_wordpress_headers(server):
    status, headers, first = api(server, per_page=100)
    assert status == 200
    assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == (str(POSTS), "3")
    assert len(first) == 100
    assert set(links(headers)) == {"next"}
    assert (
        links(headers)["next"] == f"{server.url}wp-json/wp/v2/posts?per_page=100&page=2"
    )
    _, headers, second = api(server, per_page=100, page=2)
    assert set(links(headers)) == {"prev", "next"}
    assert "page=1" in links(headers)["prev"] and "page=3" in links(headers)["next"]
    _, headers, third = api(server, per_page=100, page=3)
    assert set(links(headers)) == {"prev"} and len(third) == POSTS - 200
    ids = [post["id"] for post in first + second + third]
    assert len(set(ids)) == POSTS
    dates = [post["date"] for post in first + second + third]
    assert dates == sorted(dates, reverse=True)  # newest first by default


def test_the_default_page_is_ten_posts(server):
    _, headers, posts = api(server)
    assert len(posts) == 10
    assert headers["X-WP-TotalPages"] == str(-(-POSTS // 10))


def test_a_full_post_has_wordpress_shape(server):
    _, _, (post,) = api(server, per_page=1)
    assert set(post) >= FULL_POST_KEYS
    assert post["status"] == "publish" and post["type"] == "post"
    assert set(post["content"]) == {"rendered", "protected"}
    assert set(post["excerpt"]) == {"rendered", "protected"}
    assert post["content"]["rendered"].startswith("<p>")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", post["date_gmt"])
    assert post["link"] == f"{server.url}{post['date'][:4]}/{post['date'][5:7]}/" + (
        f"{post['slug']}/"
    )


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        ("id,link,title", {"id", "link", "title"}),
        (LIST_FIELDS, set(LIST_FIELDS.split(","))),
        ("title.rendered,id", {"title", "id"}),
        ("id,no_such_field", {"id"}),
    ],
)
def test_fields_keeps_only_the_keys_asked_for(server, fields, keys):
    _, _, posts = api(server, per_page=20, _fields=fields)
    assert len(posts) == 20
    assert all(set(post) == keys for post in posts)


def test_past_the_last_page_is_wordpress_error(server):
    status, _, error = api(server, per_page=100, page=4)
    assert status == 400
    assert error == {
        "code": "rest_post_invalid_page_number",
        "message": "The page number requested is larger than the number of pages "
        "available.",
        "data": {"status": 400},
    }
    assert parse_posts(json.dumps(error), "x").code == "rest_post_invalid_page_number"


@pytest.mark.parametrize(
    ("per_page", "count"), [("1", 1), ("100", 100), ("37", 37)]
)  # fmt: skip
def test_per_page_within_its_limits(server, per_page, count):
    status, _, posts = api(server, per_page=per_page)
    assert status == 200 and len(posts) == count


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"per_page": "0"}, "per_page",
         "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ({"per_page": "101"}, "per_page",
         "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ({"per_page": "-5"}, "per_page",
         "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ({"per_page": "ten"}, "per_page", "per_page is not of type integer."),
        ({"page": "0"}, "page", "page must be greater than or equal to 1"),
        ({"orderby": "rand"}, "orderby",
         "orderby is not one of date, modified, id, title, slug."),
        ({"order": "up"}, "order", "order is not one of asc, desc."),
        ({"modified_after": "last week"}, "modified_after", "Invalid date."),
    ],
)  # fmt: skip
def test_a_refused_parameter_is_rest_invalid_param(server, params, name, message):
    status, _, error = api(server, **params)
    assert status == 400
    assert error == {
        "code": "rest_invalid_param",
        "message": f"Invalid parameter(s): {name}",
        "data": {"status": 400, "params": {name: message}},
    }


def _changed_since_week_0() -> set[int]:
    """Items of week WEEK that are new or whose text differs from week 0, by
    WordPress id: read from the model, not from the server."""
    before = {item.number: item.paragraphs for item in plan_site(ITEMS, 0, 0).items}
    after = plan_site(ITEMS, 0, WEEK).items
    return {
        FIRST_ID + item.number
        for item in after
        if item.number not in before or before[item.number] != item.paragraphs
    }


def test_modified_after_and_orderby_modified_give_the_weeks_changes(server):
    week_0_ends = "2019-03-25T00:00:00"
    status, _, posts = api(
        server, orderby="modified", order="desc", modified_after=week_0_ends,
        per_page=100, _fields="id,modified,modified_gmt,date",
    )  # fmt: skip
    assert status == 200
    changed = _changed_since_week_0()
    assert {post["id"] for post in posts} == changed
    assert len(changed) > WEEK * 4  # added each week, and some edited
    modified = [post["modified"] for post in posts]
    assert modified == sorted(modified, reverse=True)
    edited = [post for post in posts if post["modified"] != post["date"]]
    assert edited and all(post["modified"] > post["date"] for post in edited)
    # Strictly after: a post's own modified time leaves it out.
    newest = posts[0]
    _, _, later = api(server, modified_after=newest["modified_gmt"] + "Z")
    assert newest["id"] not in {post["id"] for post in later}


def test_after_and_order_asc(server):
    status, _, posts = api(server, after="2019-01-01T00:00:00", order="asc",
                           per_page=100)  # fmt: skip
    assert status == 200
    dates = [post["date"] for post in posts]
    assert dates == sorted(dates) and dates[0] > "2019-01-01"
    _, headers, _ = api(server)
    _, headers_before, _ = api(server, before="2019-01-01T00:00:00")
    assert int(headers["X-WP-Total"]) == len(posts) + int(headers_before["X-WP-Total"])


def test_orderby_id_asc_lists_the_oldest_post_first(server):
    _, _, posts = api(server, orderby="id", order="asc", per_page=5, _fields="id")
    lowest = sorted(post.wp_id for post in server.posts)[:5]
    assert [post["id"] for post in posts] == lowest


def _listed_page_by_page(server, orderby: str) -> list[int]:
    ids = []
    for page in (1, 2, 3):
        _, _, posts = api(server, orderby=orderby, per_page=100, page=page,
                          _fields="id")  # fmt: skip
        ids += [post["id"] for post in posts]
    return ids


def test_posts_that_tie_come_in_another_order_on_each_page():
    """As WordPress on MariaDB lists them: page 2 of 250 posts saved at once
    repeats page 1's, and misses as many; ordered by id, none is missed."""
    with OneModifiedTime(items=300, posts=250) as tied:
        by_modified = _listed_page_by_page(tied, "modified")
        by_id = _listed_page_by_page(tied, "id")
    assert len(by_modified) == len(by_id) == 250
    assert len(set(by_modified)) < 250
    assert sorted(by_id) == sorted({post.wp_id for post in tied.posts})


def test_dates_are_london_time_and_utc(server):
    by_id = {post.wp_id: post for post in server.posts}
    summer = next(p for p in server.posts if p.published.month == 7)
    winter = next(p for p in server.posts if p.published.month == 1)
    for post, hours in ((summer, 1), (winter, 0)):
        status, _, body = get_path(server, f"{POSTS_PATH}/{post.wp_id}")
        data = json.loads(body)
        local = datetime.datetime.fromisoformat(data["date"])
        utc = datetime.datetime.fromisoformat(data["date_gmt"])
        assert status == 200 and local - utc == datetime.timedelta(hours=hours)
        assert by_id[data["id"]] is post


def test_the_json_is_written_as_php_writes_it(server):
    _, _, body = get_path(server, f"{POSTS_PATH}?per_page=100")
    assert body.isascii()  # non-ASCII as \u escapes
    assert b'"link":"http:\\/\\/127.0.0.1:' in body  # and every / as \/
    text = json.loads(body)
    assert any("í" in post["title"]["rendered"] for post in text)


def test_titles_and_excerpts_are_rendered_the_wordpress_way(server):
    first = f"{server.url}wp-json/wp/v2/posts?per_page=100&_fields=title,excerpt"
    posts = [post for _, body in every_page(first) for post in json.loads(body)]
    titles = " ".join(post["title"]["rendered"] for post in posts)
    excerpts = [post["excerpt"]["rendered"] for post in posts]
    assert "&#8217;" in titles and "&#038;" in titles
    assert not re.search(r"['\"]|&(?!#\d+;|[a-z]+;)", titles)
    assert any(e.endswith(" [&hellip;]</p>\n") for e in excerpts)
    assert any('&hellip; <a href="' in e and 'class="more-link"' in e for e in excerpts)
    assert any(e.count("<p>") > 1 for e in excerpts)  # an editor's excerpt


# -- every post, read back ------------------------------------------------------


def _read_back(server, first_url: str) -> dict[str, dict]:
    records = {}
    for url, body in every_page(first_url):
        posts = parse_posts(body, url)
        assert posts.listing.reason is None
        for post in posts.posts:
            assert post.record.id not in records, f"{post.record.id} twice"
            record = post.record.as_dict()
            del record["position"], record["page_url"]
            record.update(
                wp_id=post.wp_id,
                date_gmt=post.date_gmt,
                modified_gmt=post.modified_gmt,
            )
            records[post.record.id] = record
    return records


def test_every_post_read_back_is_the_answer_key(server):
    key = server.expected_records()
    read = _read_back(server, f"{server.url}wp-json/wp/v2/posts?per_page=100&"
                      f"_fields={LIST_FIELDS}")  # fmt: skip
    assert len(key) == POSTS
    assert read == key
    assert any(r["modified_gmt"] != r["date_gmt"] for r in key.values())
    assert any(r["summary"].count("\n\n") for r in key.values())
    assert any("’" in r["title"] or "“" in r["title"] for r in key.values())


def test_every_post_of_the_whole_site_read_back_through_rest_route():
    """Every item of a small site, the old Peru Update pieces too, without
    pretty permalinks and with the full post objects."""
    with WordPressServer(items=300, posts=400, pretty_permalinks=False) as whole:
        key = whole.expected_records()
        read = _read_back(whole, f"{whole.url}?rest_route=/wp/v2/posts&per_page=100")
    assert read == key
    numbered = [r for r in key.values() if r["update_number"] is not None]
    assert numbered and all(
        re.match(rf"(?:Peru Update|Update No\.) {r['update_number']}: ", r["title"])
        for r in numbered
    )
    assert len(key) == len(
        [item for item in plan_site(300).items if item.duplicate_of is None]
    )


# -- the posts follow the model ---------------------------------------------------


def _without_quotes(text: str) -> str:
    """Text with its quotes left out, straight or curly, and spacing folded."""
    return " ".join(re.sub("[\"'\u2018\u2019\u201c\u201d]", "", text).split())


def test_the_posts_are_the_models_latest_items_at_that_week():
    """Edits and all: the posts' summaries are those of `plan_site` at WEEK."""
    site = plan_site(ITEMS, 0, WEEK)
    latest = sorted(
        (item for item in site.items if item.duplicate_of is None),
        key=lambda item: item.number,
    )[-POSTS:]
    posts = plan_posts(ITEMS, 0, WEEK, POSTS)
    assert [post.wp_id for post in posts] == [FIRST_ID + i.number for i in latest]
    assert [_without_quotes(" ".join(post.paragraphs)) for post in posts] == [
        _without_quotes(" ".join(item.paragraphs)) for item in latest
    ]
    assert [post.published.date() for post in posts] == [i.published for i in latest]


def test_a_posts_link_and_time_are_given_once_whatever_the_week_or_window():
    """WordPress fixes a post's slug when it is published: edits, later posts
    and how many posts are shown never change a post's link."""
    week0 = {p.wp_id: (p.path, p.published) for p in plan_posts(ITEMS, 0, 0, 400)}
    later = {p.wp_id: (p.path, p.published) for p in plan_posts(ITEMS, 0, 6, 250)}
    fewer = {p.wp_id: (p.path, p.published) for p in plan_posts(ITEMS, 0, 0, 100)}
    shared = set(week0) & set(later)
    assert len(shared) > 200
    assert {i: week0[i] for i in shared} == {i: later[i] for i in shared}
    assert {i: week0[i] for i in fewer} == fewer


def test_slugs_are_lower_case_ascii_and_unique(server):
    slugs = [post.slug for post in server.posts]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) for slug in slugs)
    assert any(slug.endswith("-2") for slug in slugs)  # two posts of one title


def test_no_posts_is_an_empty_list_not_an_error():
    with WordPressServer(items=50, posts=0) as empty:
        status, headers, posts = api(empty, page=1)
        assert (status, posts) == (200, [])
        assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == ("0", "0")
        assert (
            parse_posts(json.dumps(posts), "x").listing.reason
            == "no posts on this page"
        )


# -- without pretty permalinks ----------------------------------------------------


def test_rest_route_reaches_the_api_when_wp_json_is_not_rewritten(plain):
    status, headers, body = get_path(plain, f"{POSTS_PATH}?per_page=5")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    status, headers, body = get_path(plain, "/?rest_route=/wp/v2/posts&per_page=5")
    assert status == 200 and len(json.loads(body)) == 5
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert links(headers)["next"] == (
        f"{plain.url}index.php?rest_route=/wp/v2/posts&per_page=5&page=2"
    )
    same = get_path(plain, "/index.php?rest_route=%2Fwp%2Fv2%2Fposts&per_page=5")
    assert same[0] == 200 and same[2] == body
    status, _, body = get(links(headers)["next"])
    assert status == 200 and len(json.loads(body)) == 5


def test_the_home_page_names_the_apis_root(server, plain):
    status, headers, page = get(server.url)
    assert status == 200
    assert (
        f'<link rel="https://api.w.org/" href="{server.url}wp-json/" />'.encode()
        in page
    )
    assert headers["Link"] == f'<{server.url}wp-json/>; rel="https://api.w.org/"'
    _, _, page = get(plain.url)
    root = f"{plain.url}index.php?rest_route=/"
    assert f'<link rel="https://api.w.org/" href="{root}" />'.encode() in page
    status, _, body = get(root)
    assert status == 200 and "wp/v2" in json.loads(body)["namespaces"]
    status, _, body = get(f"{server.url}wp-json/")
    assert status == 200 and "/wp/v2/posts" in json.loads(body)["routes"]


# -- the rest of the site ---------------------------------------------------------


def test_each_post_has_its_own_page_and_unknown_paths_are_404(server):
    post = server.posts[-1]
    status, headers, page = get(server.link(post))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert BeautifulSoup(page, "lxml").h1.get_text() == post.title
    status, headers, _ = get(server.link(post).rstrip("/"))
    assert status == 301 and headers["Location"] == server.link(post)
    status, headers, _ = get_path(server, f"/?p={post.wp_id}")
    assert status == 301 and headers["Location"] == server.link(post)
    assert get_path(server, "/2019/03/no-such-post/")[0] == 404
    assert get_path(server, "/news.php")[0] == 404


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("/wp-json/wp/v2/posts/1", 404, "rest_post_invalid_id"),
        ("/wp-json/wp/v2/pages", 404, "rest_no_route"),
        ("/wp-json/wp/v2/posts/", 200, None),
    ],
)
def test_other_routes_answer_as_wordpress(server, target, status, code):
    answered, headers, body = get_path(server, target)
    assert answered == status
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert (json.loads(body).get("code") if code else None) == code


def test_one_post_by_its_id(server):
    post = server.posts[0]
    status, _, body = get_path(server, f"{POSTS_PATH}/{post.wp_id}")
    assert status == 200 and json.loads(body)["link"] == server.link(post)


def test_links_are_on_the_servers_own_host_and_requests_are_noted(server):
    _, _, posts = api(server, per_page=100, _fields="link")
    assert all(post["link"].startswith(server.url) for post in posts)
    assert f"{POSTS_PATH}?per_page=100&_fields=link" in server.requests


# -- the command -----------------------------------------------------------------


def test_psg_mirror_wordpress_serve_until_ctrl_c():
    process = subprocess.Popen(
        [sys.executable, "-m", "psgmirror", "wordpress", "serve",
         "--port", "0", "--items", "200", "--posts", "30", "--week", "1",
         "--no-pretty-permalinks"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        match = re.fullmatch(
            r"Serving 30 posts as WordPress at (http://[\d.:]+/)\n", first
        )
        assert match, first
        status, headers, _ = get(match[1] + "?rest_route=/wp/v2/posts")
        assert status == 200 and headers["X-WP-Total"] == "30"
        assert get(match[1] + "wp-json/wp/v2/posts")[0] == 404
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err and out == ""


def test_psg_mirror_wordpress_serve_refuses_a_busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            mirror, ["wordpress", "serve", "--port", str(port), "--items", "50"]
        )
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output
