"""psg crawl's parameters: crawl_options checks them and builds the crawl's
CrawlOptions; wrong usage exits 2 before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import psg

from psgscraper.cli.crawl import PASSED_ON, crawl, crawl_options
from psgscraper.site import LIVE_SITE, SECTIONS, WAYBACK_CDX, WAYBACK_REPLAY


def options_for(*args: str):
    """The CrawlOptions of `psg crawl ARGS`, parsed as the command parses them."""
    given = crawl.make_context("crawl", list(args)).params
    given.pop("quiet")  # the command's own: a line per page or not
    return crawl_options(given)


def test_the_defaults_crawl_the_live_site_keeping_a_warc_beside_the_archive():
    options = options_for("--db", "data/psg.db")

    assert options.source == "site"
    assert options.base_url == LIVE_SITE
    assert options.db == Path("data/psg.db")
    assert options.sections == SECTIONS
    assert options.warc_dir == Path("data/warc")
    assert (options.delay, options.timeout, options.concurrency) == (1.0, 30.0, None)
    assert (options.incremental, options.full_text, options.verbose) == (False,) * 3
    assert (options.since, options.until) == (None, None)
    assert (options.cdx_url, options.cdx_page_size) == (WAYBACK_CDX, 1000)


def test_every_parameter_reaches_the_options():
    options = options_for(
        "--db", "a/b.db", "--base-url", "http://127.0.0.1:8000/",
        "--sections", " articles, news ", "--incremental", "--delay", "0",
        "--concurrency", "4", "--max-pages", "3", "--timeout", "5", "--full-text",
        "--warc-dir", "w", "-v",
    )  # fmt: skip

    assert options.base_url == "http://127.0.0.1:8000/"
    assert options.db == Path("a/b.db")
    assert options.sections == ("articles", "news")
    assert options.incremental and options.full_text and options.verbose
    assert (options.delay, options.concurrency, options.max_pages) == (0, 4, 3)
    assert options.timeout == 5
    assert options.warc_dir == Path("w")
    assert options_for("--db", "a/b.db", "--no-warc").warc_dir is None


def test_wayback_options_and_its_replay_root_as_the_base_url():
    options = options_for(
        "--db", "psg.db", "--source", "wayback", "--from", "2005", "--to",
        "20090415", "--cdx-url", "http://127.0.0.1:9/cdx", "--cdx-page-size", "50",
    )  # fmt: skip

    assert options.source == "wayback"
    assert options.base_url == WAYBACK_REPLAY
    assert (options.since, options.until) == ("2005", "20090415")
    assert (options.cdx_url, options.cdx_page_size) == ("http://127.0.0.1:9/cdx", 50)
    replay = "http://127.0.0.1:8002/"
    assert options_for("--source", "wayback", "--replay-url", replay).base_url == replay


def test_a_wordpress_site_is_one_list_of_posts():
    options = options_for("--source", "wordpress", "--base-url", "http://x.org/")

    assert (options.source, options.base_url) == ("wordpress", "http://x.org/")
    assert options.sections == ("posts",)


def test_no_parameter_is_left_out():
    """Each parameter is handed on as it is, or read by crawl_options itself."""
    read = {"base_url", "replay_url", "sections", "warc_dir", "no_warc", "cdx_url",
            "web_archive"}  # fmt: skip
    parameters = {param.name for param in crawl.params} - {"quiet"}

    assert parameters == set(PASSED_ON) | read
    assert not set(PASSED_ON) & read


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sections", "news,events"], "events"),
        (["--base-url", "ftp://example.org/"], "http"),
        (["--delay", "-1"], "delay"),
        (["--max-pages", "0"], "max-pages"),
        (["--source", "gopher"], "source"),
        (["--from", "2005"], "only with --source wayback"),
        (["--cdx-url", "http://127.0.0.1:9/cdx"], "only with --source wayback"),
        (["--archive-name", "ukwa"], "only with --source wayback"),
        (["--cdx-dialect", "pywb"], "only with --source wayback"),
        (["--cdx-delay", "0"], "only with --source wayback"),
        (["--source", "wayback", "--archive-name", " "], "not blank"),
        (["--source", "wayback", "--from", "last year"], "4 to 14 digits"),
        (["--source", "wayback", "--to", "200"], "4 to 14 digits"),
        (["--source", "wayback", "--base-url", "http://x.org/"], "--replay-url"),
        (["--source", "wayback", "--replay-url", "web.archive.org"], "http"),
        (["--source", "wayback", "--cdx-url", "cdx"], "http"),
        (["--source", "wordpress"], "needs the site's --base-url"),
        (
            ["--source", "wordpress", "--base-url", "http://x.org/", "--full-text"],
            "not for --source wordpress",
        ),
        (
            [
                "--source",
                "wordpress",
                "--base-url",
                "http://x.org/",
                "--sections",
                "news",
            ],
            "one list",
        ),
    ],
)
def test_wrong_usage_exits_2(tmp_path, args, message):
    result = psg("crawl", "--db", str(tmp_path / "psg.db"), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "psg.db").exists()
