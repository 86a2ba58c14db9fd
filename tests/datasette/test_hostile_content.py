"""Hostile text on the site: stored as text, shown escaped, exported intact.

The mirror's first news page is replaced with one whose items carry markup,
`javascript:` links, an RTL override, NUL bytes and a 100 KB title; a real
crawl archives it, a real Datasette shows it and `psg export` writes it out.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import urllib.request

import pytest
from helpers import crawl, datasette, psg, query, serving

RTL = "\u202e"
LONG_TITLE = "Long " * 20_000  # 100 KB
HOSTILE_PAGE = f"""<html><head><meta http-equiv="Content-Type"
 content="text/html; charset=utf-8"></head><body>
<div id="main"><h1>News</h1><ul class="list">
<li><h3><a href="article-9001.html">&lt;script&gt;alert(1)&lt;/script&gt;
 Mining in Cusco</a></h3>
<p class="date">1 May 2010</p>
<p>Click &quot;&gt;&lt;img src=x onerror=alert(1)&gt;
<a href="javascript:alert(2)">here</a>
nul:[&#0;] raw:[\x00] rtl:[{RTL}gpj.exe]</p><script>alert(3)</script></li>
<li><h3><a href="javascript:alert(4)">A &quot;javascript:&quot; link</a></h3>
<p class="date">2 May 2010</p><p>Its heading links nowhere safe.</p></li>
<li><h3><a href="article-9002.html">{LONG_TITLE}</a></h3>
<p class="date">3 May 2010</p><p>A very long title.</p></li>
</ul></div></body></html>
""".encode()

# What the archive must hold: the text as published, markup as characters; a
# NUL is read as U+FFFD, as browsers read it (WHATWG), never stored as NUL.
EXPECTED = {
    "article-9001": (
        "<script>alert(1)</script> Mining in Cusco",
        'Click "><img src=x onerror=alert(1)> here nul:[\ufffd] raw:[\ufffd] '
        f"rtl:[{RTL}gpj.exe]",
    ),
    "article-9002": (LONG_TITLE.strip(), "A very long title."),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, mirror_week0):
    mirror = tmp_path_factory.mktemp("hostile-mirror")
    shutil.copytree(mirror_week0, mirror, dirs_exist_ok=True)
    (mirror / "site" / "news-0.html").write_bytes(HOSTILE_PAGE)
    db = tmp_path_factory.mktemp("hostile") / "psg.db"
    with serving(mirror) as server:
        result = crawl(server, db, "--sections", "news", "--max-pages", "1")
    assert result.returncode == 0, result.stderr
    return db


def test_hostile_text_is_stored_as_text(hostile):
    stored = {
        item_id: (title, summary)
        for item_id, title, summary in query(
            hostile, "SELECT id, title, summary FROM items"
        )
    }
    for item_id, text in EXPECTED.items():
        assert stored[item_id] == text
    (linkless,) = [key for key in stored if not key.startswith("article-")]
    assert stored[linkless][0] == 'A "javascript:" link'
    assert query(hostile, "SELECT url FROM items WHERE id = ?", linkless) == [(None,)]
    assert query(hostile, "SELECT COUNT(*) FROM items WHERE instr(title, char(0)) "
                 "OR instr(summary, char(0))") == [(0,)]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "shows_the_title"),
    [
        ("/psg/items", True),
        ("/psg/items/article-9001", True),
        ("/psg/items?_search=Mining", True),
        # The reading room's pages too: its search, the issue, the indexes,
        # the region the title names.
        ("/psg/search?text=Mining", True),
        ("/psg/search?text=onerror", True),
        ("/psg/newsletter/2010-05-01", True),
        ("/psg/newsletter", False),
        ("/psg/places/PE-CUS", True),
        ("/psg/places", False),
    ],
)
def test_datasette_shows_hostile_text_escaped(hostile, path, shows_the_title):
    with datasette(hostile) as base, urllib.request.urlopen(base + path) as page:
        html = page.read().decode("utf-8")
    if shows_the_title:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert not re.search(r"""href=["']?\s*javascript:""", html, re.I)


def test_the_json_ld_for_search_engines_holds_hostile_text_inert(hostile):
    """The item page's schema.org script gives the title as published, and no
    "</script>" in it can end the script early."""
    with (
        datasette(hostile) as base,
        urllib.request.urlopen(f"{base}/psg/items/article-9001") as page,
    ):
        html = page.read().decode("utf-8")
    (script,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    assert "<" not in script and ">" not in script
    title, summary = EXPECTED["article-9001"]
    article = json.loads(script)
    assert article["headline"] == title
    assert article["description"] == summary


def test_datasette_gives_the_whole_long_title(hostile):
    with (
        datasette(hostile) as base,
        urllib.request.urlopen(
            f"{base}/psg/items/article-9002.json?_shape=objects"
        ) as answer,
    ):
        (row,) = json.loads(answer.read())["rows"]
    assert row["title"] == LONG_TITLE.strip()


def test_exports_carry_hostile_text_intact(hostile, tmp_path):
    for fmt in ("csv", "json"):
        out = tmp_path / f"items.{fmt}"
        result = psg("export", "--db", str(hostile), "--format", fmt, "-o", str(out),
                     cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        with open(out, encoding="utf-8", newline="") as written:
            rows = list(csv.DictReader(written)) if fmt == "csv" else json.load(written)
        exported = {row["id"]: (row["title"], row["summary"]) for row in rows}
        for item_id, text in EXPECTED.items():
            assert exported[item_id] == text, fmt
