"""`parse_posts`: a page of WordPress's REST API posts list, its records out."""

from __future__ import annotations

import json

import pytest
from helpers import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from psgscraper.parse import parse_listing
from psgscraper.parse.records import BINARY, EMPTY_BODY
from psgscraper.parse.wordpress import (
    NO_POSTS,
    NOT_JSON,
    NOT_POSTS,
    api_root,
    excerpt_text,
    html_text,
    parse_posts,
    update_number,
)

WORDPRESS = FIXTURES / "wordpress"
PAGE_URL = "https://perusupportgroup.org.uk/wp-json/wp/v2/posts?per_page=100&page=1"


def read(name: str) -> bytes:
    return (WORDPRESS / name).read_bytes()


def one_post(**fields) -> dict:
    """A post as `_fields=id,date,link,title,excerpt` gives it, with `fields` over."""
    post = {
        "id": 7,
        "date": "2019-05-02T10:30:00",
        "link": "https://perusupportgroup.org.uk/2019/05/a-post/",
        "title": {"rendered": "A post"},
        "excerpt": {"rendered": "<p>Its excerpt.</p>\n"},
    }
    post.update(fields)
    return {key: value for key, value in post.items() if value is not None}


def parse_one(**fields):
    posts = parse_posts(json.dumps([one_post(**fields)]), PAGE_URL)
    (post,) = posts.posts
    return post


def test_a_page_of_posts_gives_their_records_in_the_apis_order():
    posts = parse_posts(read("posts-page.json"), PAGE_URL)
    assert posts.listing.reason is None and posts.code is None
    assert posts.listing.page_url == PAGE_URL and posts.listing.section == "posts"
    assert [record.as_dict() for record in posts.listing.items] == [
        {
            "id": "/2019/05/peru-update-123-vizcarras-reform/",
            "url": "https://perusupportgroup.org.uk/2019/05/"
            "peru-update-123-vizcarras-reform/",
            "section": "posts",
            "title": "Peru Update 123: Vizcarra’s “reform” & the Congress",
            "date": "2019-05-02",
            "date_precision": "day",
            "date_text": None,
            "update_number": 123,
            "byline": None,
            "summary": "Congress voted on Thursday to approve the first of the "
            "President’s reforms, by 71 votes to 45",
            "image_caption": None,
            "position": 1,
            "page_url": PAGE_URL,
        },
        {
            "id": "/2019/04/tia-maria-the-view-from-the-ground/",
            "url": "https://perusupportgroup.org.uk/2019/04/"
            "tia-maria-the-view-from-the-ground/",
            "section": "posts",
            "title": "Tía María: the view from the ground",
            "date": "2019-04-28",
            "date_precision": "day",
            "date_text": None,
            "update_number": None,
            "byline": None,
            "summary": "Farmers in the Tambo valley fear for their water",
            "image_caption": None,
            "position": 2,
            "page_url": PAGE_URL,
        },
        {
            "id": "/2019/04/letter-from-puno/",
            "url": "https://perusupportgroup.org.uk/2019/04/letter-from-puno/",
            "section": "posts",
            "title": "Letter from Puno",
            "date": "2019-04-21",
            "date_precision": "day",
            "date_text": None,
            "update_number": None,
            "byline": None,
            "summary": "From our correspondent in Puno.\n\nThe lake is lower than "
            "anyone here can remember – and the fishermen say so.",
            "image_caption": None,
            "position": 3,
            "page_url": PAGE_URL,
        },
    ]


def test_each_post_keeps_its_wordpress_id_link_and_utc_dates():
    first, second, _ = parse_posts(read("posts-page.json"), PAGE_URL).posts
    assert (first.wp_id, first.path) == (
        2101,
        "/2019/05/peru-update-123-vizcarras-reform/",
    )
    assert first.link == first.record.url
    assert first.date_gmt == "2019-05-02T09:30:00+00:00"
    assert first.modified_gmt == "2019-05-09T16:30:00+00:00"
    assert second.date_gmt == "2019-04-28T08:00:00+00:00"


def test_the_section_is_the_callers():
    posts = parse_posts(read("posts-page.json"), PAGE_URL, section="news")
    assert posts.listing.section == "news"
    assert {record.section for record in posts.listing.items} == {"news"}


@pytest.mark.parametrize(
    ("rendered", "text"),
    [
        ("Rio Tinto &#038; BHP", "Rio Tinto & BHP"),
        ("Rio Tinto &amp; BHP", "Rio Tinto & BHP"),
        ("Peru&#8217;s economy", "Peru’s economy"),
        ("&#8220;A sham&#8221;, say communities", "“A sham”, say communities"),
        ("Lima&nbsp;and&nbsp;Cusco", "Lima and Cusco"),
        ("Waiting for justice&hellip;", "Waiting for justice…"),
        ("1980 &#8211; 2000", "1980 – 2000"),
        ("Letter from <em>Puno</em>", "Letter from Puno"),
        ("<strong>Mining</strong> and <a href='/x'>water</a>", "Mining and water"),
        ("  Folded \n\t white   space ", "Folded white space"),
        ("Line<br>two", "Line two"),
        ("No markup at all", "No markup at all"),
        ("<script>alert(1)</script>Safe", "Safe"),
        ("", ""),
    ],
)
def test_a_rendered_title_becomes_clean_text(rendered, text):
    assert html_text(rendered) == text
    assert parse_one(title={"rendered": rendered}).record.title == text


@pytest.mark.parametrize(
    ("rendered", "summary"),
    [
        (
            "<p>Congress voted on Thursday [&hellip;]</p>\n",
            "Congress voted on Thursday",
        ),
        ("<p>Congress voted on Thursday [...]</p>\n", "Congress voted on Thursday"),
        ("<p>Congress voted [&#8230;]</p>\n", "Congress voted"),
        (
            '<p>Congress voted&hellip; <a href="/x/" class="more-link">Continue '
            "reading</a></p>\n",
            "Congress voted",
        ),
        (
            '<p>Congress voted &hellip; <a href="/x/" class="more-link">Continue '
            'reading <span class="screen-reader-text">A post</span></a></p>\n',
            "Congress voted",
        ),
        (
            '<p>Congress voted.</p>\n<p class="link-more"><a href="/x/" '
            'class="more-link">Continue reading<span class="screen-reader-text"> '
            "&#8220;A post&#8221;</span></a></p>\n",
            "Congress voted.",
        ),
        ('<p>Congress voted... <a href="/x/">Read more</a></p>', "Congress voted"),
        ('<p>Congress voted <a href="/x/">Read more &raquo;</a></p>', "Congress voted"),
        (
            '<p>Congress voted <a class="read-more" href="/x/">More</a></p>',
            "Congress voted",
        ),
        # A sentence's own ellipsis stays when no "Continue reading" follows it.
        ("<p>He paused&hellip;</p>\n", "He paused…"),
        (
            "<p>First paragraph.</p>\n<p>Second&nbsp;one.</p>\n",
            "First paragraph.\n\nSecond one.",
        ),
        ("<p>First line<br><br>Second line</p>", "First line\n\nSecond line"),
        ("<p>One line<br>and the next</p>", "One line and the next"),
        (
            '<p>See <a href="/2018/01/earlier/">our earlier report</a>.</p>',
            "See our earlier report.",
        ),
        ("<p>First.</p>\n<p>[&hellip;]</p>\n", "First."),
        ("Rio Tinto &amp; BHP [&hellip;]", "Rio Tinto & BHP"),
        ("", ""),
        ("<p></p>\n", ""),
    ],
)
def test_a_rendered_excerpt_becomes_the_summary(rendered, summary):
    assert excerpt_text(rendered) == summary
    assert parse_one(excerpt={"rendered": rendered}).record.summary == summary


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("Peru Update 123: Vizcarra's reform", 123),
        ("Update No. 45: the elections", 45),
        ("Update no 45", 45),
        ("PERU UPDATE 7", 7),
        ("The PSG's Peru Update 150 is out", 150),
        ("Update on mining conflicts", None),
        ("2019: a year of protest", None),
        ("106. Letter from Puno", None),
        ("Block 88 and the Camisea gas", None),
        ("", None),
    ],
)
def test_a_title_naming_a_peru_update_gives_its_number(title, number):
    assert update_number(title) == number
    assert parse_one(title={"rendered": title or "x"}).record.update_number == (number)


@pytest.mark.parametrize(
    ("body", "reason", "code"),
    [
        (read("past-the-last-page.json"), "past the last page "
         "(rest_post_invalid_page_number)", "rest_post_invalid_page_number"),
        (b'{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page",'
         b'"data":{"status":400}}', "WordPress error (rest_invalid_param)",
         "rest_invalid_param"),
        (b'{"code":"rest_no_route","message":"No route","data":{"status":404}}',
         "WordPress error (rest_no_route)", "rest_no_route"),
        (read("not-json.html"), NOT_JSON, None),
        (b'[{"id": 1, "title": ', NOT_JSON, None),
        (b"[" * 100_000, NOT_JSON, None),
        (b"", EMPTY_BODY, None),
        (b"  \n", EMPTY_BODY, None),
        (b"\x00\x01\x02\x03\x04\x05" * 100, BINARY, None),
        (b"{}", NOT_POSTS, None),
        (b'{"posts": []}', NOT_POSTS, None),
        (b'{"code": 400}', NOT_POSTS, None),
        (b"[1, 2, 3]", NOT_POSTS, None),
        (b'"posts"', NOT_POSTS, None),
        (b"null", NOT_POSTS, None),
        (b"[]", NO_POSTS, None),
        (b'[{"id": 1}]', NO_POSTS, None),
        (b'[{"id": 1, "title": {"rendered": ""}, "excerpt": {"rendered": ""}}]',
         NO_POSTS, None),
    ],
)  # fmt: skip
def test_a_page_without_posts_says_why(body, reason, code):
    posts = parse_posts(body, PAGE_URL)
    assert posts.listing.items == () and posts.posts == ()
    assert posts.listing.reason == reason
    assert posts.code == code


@pytest.mark.parametrize(
    "link",
    [
        "https://perusupportgroup.org.uk/2019/05/a-post/",
        "http://perusupportgroup.org.uk/2019/05/a-post/",
        "http://www.perusupportgroup.org.uk/2019/05/a-post/",
        "http://127.0.0.1:8003/2019/05/a-post/",
        "/2019/05/a-post/",
    ],
)
def test_a_post_is_known_by_its_links_path_whatever_the_host_or_id(link):
    post = parse_one(link=link, id=99999)
    assert post.record.id == "/2019/05/a-post/"
    assert post.path == "/2019/05/a-post/"
    assert post.record.url.startswith(("http://", "https://"))  # made absolute


@pytest.mark.parametrize(
    "link",
    [
        "https://perusupportgroup.org.uk/?p=7",
        "https://perusupportgroup.org.uk",
        "",
        "http://[not-a-host/2019/05/a-post/",  # no URL parser reads it
    ],
)
def test_a_link_without_a_path_falls_back_to_the_wordpress_id(link):
    assert parse_one(link=link).record.id == "wp-7"


def test_a_post_with_neither_link_nor_id_is_skipped():
    page = [one_post(id=None, link=None), one_post(id=8, link=None)]
    posts = parse_posts(json.dumps(page), PAGE_URL)
    assert [record.id for record in posts.listing.items] == ["wp-8"]
    assert posts.listing.items[0].url is None and posts.posts[0].link is None


def test_empty_posts_are_skipped_and_positions_stay_consecutive():
    page = [
        one_post(id=1, link="/a/"),
        one_post(id=2, link="/b/", title={"rendered": " "}, excerpt={"rendered": ""}),
        "not a post",
        one_post(id=3, link="/c/", title={"rendered": ""}),
    ]
    posts = parse_posts(json.dumps(page), PAGE_URL)
    assert [(r.id, r.position) for r in posts.listing.items] == [("/a/", 1), ("/c/", 2)]
    assert posts.listing.items[1].title == ""
    assert posts.listing.items[1].summary == "Its excerpt."


@pytest.mark.parametrize(
    "fields",
    [
        ("id", "title"),
        ("link", "title"),
        ("id", "link", "excerpt"),
        ("id", "date_gmt", "title"),
        ("title", "excerpt", "date", "modified_gmt", "id"),
    ],
)
def test_a_fields_subset_gives_what_is_there(fields):
    full = one_post(date_gmt="2019-05-02T09:30:00", modified_gmt="2019-05-03T08:00:00")
    subset = {key: value for key, value in full.items() if key in fields}
    (post,) = parse_posts(json.dumps([subset]), PAGE_URL).posts
    record = post.record
    assert post.wp_id == (7 if "id" in fields else None)
    assert record.id == ("/2019/05/a-post/" if "link" in fields else "wp-7")
    assert record.title == ("A post" if "title" in fields else "")
    assert record.summary == ("Its excerpt." if "excerpt" in fields else "")
    has_a_date = "date" in fields or "date_gmt" in fields
    assert record.date == ("2019-05-02" if has_a_date else None)
    assert record.date_precision == ("day" if has_a_date else None)
    assert post.modified_gmt == (
        "2019-05-03T08:00:00+00:00" if "modified_gmt" in fields else None
    )


@pytest.mark.parametrize(
    ("value", "day", "utc"),
    [
        ("2019-05-02T09:30:00", "2019-05-02", "2019-05-02T09:30:00+00:00"),
        ("2019-05-02T09:30:00Z", "2019-05-02", "2019-05-02T09:30:00+00:00"),
        ("2019-05-02T23:30:00-02:00", "2019-05-02", "2019-05-03T01:30:00+00:00"),
        ("2019-05-02T09:30:00.250", "2019-05-02", "2019-05-02T09:30:00+00:00"),
        ("2019-05-02", "2019-05-02", "2019-05-02T00:00:00+00:00"),
        ("0000-00-00T00:00:00", None, None),
        ("2019-02-31T09:00:00", None, None),
        ("yesterday", None, None),
        (None, None, None),
        (20190502, None, None),
    ],
)
def test_dates_are_read_or_left_out_never_guessed(value, day, utc):
    post = parse_one(date=value, date_gmt=value, modified_gmt=value)
    assert post.record.date == day
    assert post.date_gmt == utc and post.modified_gmt == utc


@pytest.mark.parametrize(
    ("title", "excerpt"),
    [
        ({"raw": "Raw title", "rendered": "Rendered title"}, "Rendered title"),
        ("A bare string", "A bare string"),
        ({"raw": "Only raw"}, "Only raw"),
        ({"rendered": None}, ""),
        (["not", "a", "title"], ""),
    ],
)
def test_a_title_is_read_from_whatever_shape_it_has(title, excerpt):
    assert parse_one(title=title).record.title == excerpt


def test_the_wordpress_id_may_come_as_a_string_but_not_as_a_boolean():
    assert parse_one(id="42", link="").record.id == "wp-42"
    page = [one_post(id=True, link="")]
    assert parse_posts(json.dumps(page), PAGE_URL).posts == ()


def test_a_body_given_as_text_or_with_a_byte_order_mark_reads_the_same():
    as_bytes = parse_posts(read("posts-page.json"), PAGE_URL)
    as_text = parse_posts(read("posts-page.json").decode(), PAGE_URL)
    with_bom = parse_posts(b"\xef\xbb\xbf" + read("posts-page.json"), PAGE_URL)
    assert as_bytes == as_text == with_bom
    assert len(as_bytes.listing.items) == 3


def test_a_post_and_its_old_listing_share_the_fingerprint_of_title_and_text():
    """The same item read from the old site's listing and from WordPress."""
    html = (
        '<div id="main"><h1>News</h1><ul><li><h3><a href="article-1.html">'
        "Letter from Puno</a></h3><p>From our correspondent in Puno.</p>"
        "<p>The lake is lower than anyone here can remember – and the "
        "fishermen say so.</p></li></ul></div>"
    )
    (old,) = parse_listing(html, "http://www.perusupportgroup.org.uk/news.php").items
    new = parse_posts(read("posts-page.json"), PAGE_URL).listing.items[2]
    assert (old.title, old.summary) == (new.title, new.summary)
    assert old.date_text is None
    assert new.fingerprint == old.fingerprint
    first = parse_posts(read("posts-page.json"), PAGE_URL).listing.items[0]
    assert first.fingerprint != new.fingerprint


# Keys a post, a title or an error object has, so that hypothesis reaches them.
_KEYS = st.sampled_from(["id", "link", "date", "date_gmt", "modified_gmt", "title",
                         "excerpt", "rendered", "code"])  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=6)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), _JSON.map(json.dumps)))
def test_parse_posts_never_raises(body):
    posts = parse_posts(body, PAGE_URL)
    assert (posts.listing.reason is None) == bool(posts.listing.items)
    assert [record.position for record in posts.listing.items] == list(
        range(1, len(posts.listing.items) + 1)
    )


SITE_ROOT = "http://127.0.0.1:8080/"


@pytest.mark.parametrize(
    ("link", "head", "root"),
    [
        # The header, as WordPress sends it, alone or among other links.
        ('<http://127.0.0.1:8080/wp-json/>; rel="https://api.w.org/"', "",
         "http://127.0.0.1:8080/wp-json/"),
        ('<http://127.0.0.1:8080/index.php?rest_route=/>; rel="https://api.w.org/"',
         "", "http://127.0.0.1:8080/index.php?rest_route=/"),
        ('<http://127.0.0.1:8080/wp-json/wp/v2/pages/2>; rel="alternate"; '
         'type="application/json", <http://127.0.0.1:8080/wp-json/>; '
         'rel="https://api.w.org/"', "", "http://127.0.0.1:8080/wp-json/"),
        ("</wp-json/>; rel=https://api.w.org/", "", "http://127.0.0.1:8080/wp-json/"),
        # Without the header (a proxy dropped it): the page's head.
        (None, '<link rel="https://api.w.org/" href="/blog/wp-json/" />',
         "http://127.0.0.1:8080/blog/wp-json/"),
        # Other links, or none: no API named.
        ('<http://127.0.0.1:8080/?p=4>; rel="shortlink"', "", None),
        (None, '<link rel="stylesheet" href="/style.css" />', None),
        (None, "", None),
    ],
)  # fmt: skip
def test_a_wordpress_page_names_its_apis_root(link, head, root):
    body = f"<html><head>{head}</head><body></body></html>".encode()
    assert api_root(link, body, SITE_ROOT) == root


def test_a_page_that_is_not_html_names_no_api():
    assert api_root(None, b"\x00\x01\x02binary", SITE_ROOT) is None
    assert api_root(None, b"", SITE_ROOT) is None


def test_a_page_lists_each_post_object_even_one_without_a_record():
    body = json.dumps(
        [{"id": 7, "title": {"rendered": ""}, "excerpt": {"rendered": ""}},
         {"id": 8, "link": f"{SITE_ROOT}2020/01/a/", "title": {"rendered": "A"}},
         {"title": {"rendered": "No id"}}, "not a post"]
    ).encode()  # fmt: skip
    posts = parse_posts(body, f"{SITE_ROOT}wp-json/wp/v2/posts")
    assert [post.wp_id for post in posts.posts] == [8]
    assert len(posts.listed) == 3 and posts.listed[:2] == (7, 8)
