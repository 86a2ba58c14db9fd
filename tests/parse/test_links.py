"""Item ids and sections from URLs, whatever host, scheme or archive is in front."""

from urllib.parse import urljoin

import pytest

from psgscraper.parse.links import (
    absolute_url,
    archive_view_url,
    archived_at,
    capture_timestamp,
    item_id_from_url,
    item_page_url,
    replay_url,
    section_from_url,
    strip_archive_prefix,
    urlkey,
    wayback_capture_url,
)

SITE = "http://www.perusupportgroup.org.uk"


@pytest.mark.parametrize(
    "url",
    [
        "article-1220.html",
        "/article-1220.html",
        "http://www.perusupportgroup.org.uk/article-1220.html",
        "https://www.perusupportgroup.org.uk/article-1220.html",
        "http://perusupportgroup.org.uk/article-1220.html",
        "HTTP://WWW.PERUSUPPORTGROUP.ORG.UK/Article-1220.HTML",
        "http://127.0.0.1:8000/article-1220.html",
        "https://web.archive.org/web/20170101000000id_/"
        "http://www.perusupportgroup.org.uk/article-1220.html",
        "https://web.archive.org/web/2017/https://perusupportgroup.org.uk/article-1220.html",
        "/web/20170101000000/http://www.perusupportgroup.org.uk/article-1220.html",
        "http://www.perusupportgroup.org.uk/article-1220.html#comments",
        "http://www.perusupportgroup.org.uk/article-01220.html",
    ],
)
def test_every_address_of_an_item_gives_one_id(url):
    assert item_id_from_url(url) == "article-1220"


@pytest.mark.parametrize(
    "url",
    [
        "news.php?position=10",
        "membership.php",
        "http://www.perusupportgroup.org.uk/",
        "article-.html",
        "articles.php",
        "http://www.perusupportgroup.org.uk/article-1220.html/extra",
        "images/article-1220.jpg",
    ],
)
def test_other_addresses_are_no_item(url):
    assert item_id_from_url(url) is None


@pytest.mark.parametrize(
    ("url", "original"),
    [
        (
            "https://web.archive.org/web/20170101000000id_/"
            "http://www.perusupportgroup.org.uk/news.php?position=10",
            "http://www.perusupportgroup.org.uk/news.php?position=10",
        ),
        (
            "http://web.archive.org/web/20090301000000/http:/www.perusupportgroup.org.uk/",
            "http://www.perusupportgroup.org.uk/",
        ),
        (
            "https://web.archive.org/web/20090301000000/www.perusupportgroup.org.uk/",
            "http://www.perusupportgroup.org.uk/",
        ),
        (f"{SITE}/news.php", f"{SITE}/news.php"),
    ],
)
def test_strip_archive_prefix(url, original):
    assert strip_archive_prefix(url) == original


def test_absolute_url_resolves_against_the_page_and_drops_the_archive():
    archived_page = (
        "https://web.archive.org/web/20170101000000/"
        "http://www.perusupportgroup.org.uk/news.php"
    )
    assert absolute_url("article-7.html", archived_page) == f"{SITE}/article-7.html"
    assert absolute_url(" article-7.html ", f"{SITE}/news.php") == (
        f"{SITE}/article-7.html"
    )


@pytest.mark.parametrize(
    ("url", "section"),
    [
        (f"{SITE}/news.php", "news"),
        (f"{SITE}/news.php?position=390", "news"),
        (f"{SITE}/articles.php?position=0", "articles"),
        (f"{SITE}/", "home"),
        (f"{SITE}", "home"),
        (f"{SITE}/index.php", "home"),
        (
            "https://web.archive.org/web/2017/http://perusupportgroup.org.uk/news.php",
            "news",
        ),
        ("file:///saved/news_20.html", "news"),
        ("file:///saved/page.html", None),
        (f"{SITE}/membership.php", None),
    ],
)
def test_section_from_url(url, section):
    assert section_from_url(url) == section


@pytest.mark.parametrize(
    "page_url",
    [
        f"{SITE}/news.php",
        f"{SITE}/news.php?position=10",
        f"{SITE}/news.php?next=/a/b#top",
        f"{SITE}/",
        f"{SITE}",
        f"{SITE}/old/dir/",
        "file:///saved/pages/news.php",
        "http://127.0.0.1:8000/articles.php?position=20",
    ],
)
@pytest.mark.parametrize(
    "href", ["article-7.html", "news.php?position=20", "../article-7.html", "/a.html"]
)
def test_absolute_url_agrees_with_urljoin(page_url, href):
    assert absolute_url(href, page_url) == urljoin(page_url, href)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.perusupportgroup.org.uk/news.php?position=10",
         "uk,org,perusupportgroup)/news.php?position=10"),
        ("perusupportgroup.org.uk/", "uk,org,perusupportgroup)/"),
        ("https://perusupportgroup.org.uk/News.php",
         "uk,org,perusupportgroup)/news.php"),
    ],
)  # fmt: skip
def test_urlkey_is_one_for_both_host_spellings(url, key):
    assert urlkey(url) == key


@pytest.mark.parametrize(
    ("url", "when"),
    [
        ("https://web.archive.org/web/20050314060709id_/http://www.perusupportgroup"
         ".org.uk/news.php", "2005-03-14T06:07:09+00:00"),
        ("http://127.0.0.1:8766/web/20190325060000/http://perusupportgroup.org.uk/",
         "2019-03-25T06:00:00+00:00"),
        ("/web/20171231235959im_/http://www.perusupportgroup.org.uk/logo.gif",
         "2017-12-31T23:59:59+00:00"),
        # A shorter timestamp asks for the nearest capture: no capture time.
        ("https://web.archive.org/web/2018id_/http://www.perusupportgroup.org.uk/",
         None),
        ("https://web.archive.org/web/20181399000000id_/http://x.org/", None),
        ("http://www.perusupportgroup.org.uk/news.php?position=10", None),
    ],
)  # fmt: skip
def test_a_captures_time_comes_from_its_full_timestamp_only(url, when):
    assert archived_at(url) == when


def test_a_capture_is_replayed_raw_from_its_timestamp_and_original():
    url = replay_url("https://web.archive.org/", "20050314060709",
                     "http://perusupportgroup.org.uk/news.php?position=10")  # fmt: skip
    assert url == (
        "https://web.archive.org/web/20050314060709id_/"
        "http://perusupportgroup.org.uk/news.php?position=10"
    )
    assert strip_archive_prefix(url) == (
        "http://perusupportgroup.org.uk/news.php?position=10"
    )
    assert archived_at(url) == "2005-03-14T06:07:09+00:00"


PYWB_REPLAY = "http://127.0.0.1:8080/psg/"


@pytest.mark.parametrize(
    ("url", "original", "stamp"),
    [
        (f"{PYWB_REPLAY}20190101000000id_/http://www.perusupportgroup.org.uk/news.php",
         "http://www.perusupportgroup.org.uk/news.php", "20190101000000"),
        ("http://wa.test/ukwa/archive/20190101000000mp_/https://perusupportgroup.org.uk/",
         "https://perusupportgroup.org.uk/", "20190101000000"),
        (f"{PYWB_REPLAY}2019id_/http://www.perusupportgroup.org.uk/news.php?position=10",
         "http://www.perusupportgroup.org.uk/news.php?position=10", None),
        # A path that only looks dated is the site's own, not an archive's.
        ("http://www.perusupportgroup.org.uk/news/2019/article-3.html",
         "http://www.perusupportgroup.org.uk/news/2019/article-3.html", None),
    ],
)  # fmt: skip
def test_a_pywb_collections_capture_urls_are_read_too(url, original, stamp):
    assert strip_archive_prefix(url) == original
    assert capture_timestamp(url) == stamp


@pytest.mark.parametrize(
    ("root", "replayed"),
    [
        ("https://web.archive.org/", "https://web.archive.org/web/2019id_/http://x/"),
        ("http://127.0.0.1:8002", "http://127.0.0.1:8002/web/2019id_/http://x/"),
        (PYWB_REPLAY, "http://127.0.0.1:8080/psg/2019id_/http://x/"),
        (
            "http://wa.test/ukwa/archive",
            "http://wa.test/ukwa/archive/2019id_/http://x/",
        ),
    ],
)
def test_a_replay_root_with_a_path_is_a_pywb_collection(root, replayed):
    assert replay_url(root, "2019", "http://x/") == replayed


MIRROR = "http://127.0.0.1:8000/"
ARCHIVE = "http://archive/web/2018id_/http://www.perusupportgroup.org.uk/"


@pytest.mark.parametrize(
    ("url", "page_url", "base_url", "asked"),
    [
        # A link to the live host, either spelling, http or https, on the mirror.
        (f"{SITE}/article-5.html", f"{MIRROR}news.php?position=10", MIRROR,
         f"{MIRROR}article-5.html"),
        ("https://www.perusupportgroup.org.uk/article-5.html", MIRROR, MIRROR,
         f"{MIRROR}article-5.html"),
        ("http://perusupportgroup.org.uk/article-5.html", MIRROR, MIRROR,
         f"{MIRROR}article-5.html"),
        ("HTTP://PeruSupportGroup.org.uk/article-5.html?x=1", MIRROR, MIRROR,
         f"{MIRROR}article-5.html?x=1"),
        # A copy below a path of its own.
        (f"{SITE}/article-5.html", "http://copy/psg/news.php", "http://copy/psg/",
         "http://copy/psg/article-5.html"),
        # The mirror's own link stays as it is.
        (f"{MIRROR}article-5.html", MIRROR, MIRROR, f"{MIRROR}article-5.html"),
        # Another host is asked where it points.
        ("http://example.org/article-5.html", MIRROR, MIRROR,
         "http://example.org/article-5.html"),
        # A page replayed from a web archive: its prefix, whatever the base.
        (f"{SITE}/article-5.html", f"{ARCHIVE}news.php", ARCHIVE,
         f"{ARCHIVE}article-5.html"),
        (f"{SITE}/article-5.html",
         "http://127.0.0.1:8002/web/20050314060000id_/http://perusupportgroup.org.uk/",
         "http://127.0.0.1:8002/",
         f"http://127.0.0.1:8002/web/20050314060000id_/{SITE}/article-5.html"),
        # The live host crawled as itself.
        ("http://perusupportgroup.org.uk/article-5.html", SITE + "/", SITE + "/",
         f"{SITE}/article-5.html"),
    ],
)  # fmt: skip
def test_an_item_page_is_asked_of_the_copy_being_crawled(
    url, page_url, base_url, asked
):
    assert item_page_url(url, page_url, base_url) == asked


@pytest.mark.parametrize(
    ("url", "view"),
    [
        (
            "https://web.archive.org/web/20190325063720id_/http://www.perusupportgroup.org.uk/news.php",
            "https://web.archive.org/web/20190325063720/http://www.perusupportgroup.org.uk/news.php",
        ),
        (
            "http://127.0.0.1:8080/psg/20190325063720id_/http://www.perusupportgroup.org.uk/",
            "http://127.0.0.1:8080/psg/20190325063720/http://www.perusupportgroup.org.uk/",
        ),
        # Not a capture at a time of its own: no view of one.
        ("https://web.archive.org/web/2019id_/http://perusupportgroup.org.uk/", None),
        ("http://www.perusupportgroup.org.uk/news.php", None),
    ],
)  # fmt: skip
def test_a_capture_is_viewed_in_its_web_archive_at_its_own_time(url, view):
    assert archive_view_url(url) == view


@pytest.mark.parametrize(
    ("moment", "capture"),
    [
        ("2026-01-02T03:04:05+00:00", "20260102030405"),
        # Another zone is read as UTC, as the Wayback Machine's timestamps are.
        ("2026-01-02T03:04:05+01:00", "20260102020405"),
        ("2005-03-14T06:00:00", "20050314060000"),
        ("2005-03-14", "20050314000000"),
        ("not a time", None),
        ("", None),
        (None, None),
    ],
)
def test_a_capture_at_a_time_is_the_wayback_machines_at_its_timestamp(moment, capture):
    page = f"{SITE}/article-5.html"
    expected = capture and f"https://web.archive.org/web/{capture}/{page}"
    assert wayback_capture_url(page, moment) == expected
