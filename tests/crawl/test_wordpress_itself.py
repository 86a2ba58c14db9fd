"""`psg crawl --source wordpress` against WordPress itself.

Debian's WordPress 6.1 on MariaDB (real_wordpress.py), its posts written with
WordPress's own functions, behind the web servers a site is run with: the
crawl reads every published post once, as a reader of the site sees it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import psg, query
from real_wordpress import FRONT_CONTROLLER, PLAIN, PRETTY, STOCK, WordPress, missing

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")

# Rendered by wptexturize: quotes curled, " -- " an em dash, "&" as "&#038;".
TEXTURIZED = 'Peru\'s "new" Congress -- a vote & a veto'
READ_AS = "Peru\u2019s \u201cnew\u201d Congress \u2014 a vote & a veto"
RECURRING = "Letter from Lima"
WORDS = (
    "The regional elections in Cusco and Puno turned on water, mining and "
    "the price of potatoes, and the new governors promised to listen."
)


def planned_posts() -> list[dict]:
    """The site's posts: 120 published (a sticky one, a recurring title, titles
    that WordPress rewrites, excerpts by hand and by WordPress), a draft and a
    private post."""
    posts = []
    for n in range(1, 121):
        day = f"2020-{1 + (n - 1) // 28:02d}-{1 + (n - 1) % 28:02d} 09:{n % 60:02d}:00"
        title = {
            1: TEXTURIZED,
            2: "Año nuevo en Cusco: ¿qué pasó?",
            3: "Mining – and water — in Cajamarca",
        }.get(n, f"Peru Update {n}: news of the week")
        fields = {
            "post_title": title,
            "post_content": f"<p>{WORDS} " * 4 + f"Post {n}.</p>",
            "post_excerpt": f'A hand-written excerpt, number {n} & its "quotes".'
            if n % 2
            else "",
            "post_status": "publish",
            "post_date": day,
        }
        posts.append({"fields": fields, "sticky": n == 7})
    # A recurring column: one title, two dates, two texts.
    for post, day, town in (
        (posts[21], "2020-01-11", "Miraflores"),
        (posts[22], "2020-02-08", "Barranco"),
    ):
        post["fields"].update(
            post_title=RECURRING,
            post_date=f"{day} 08:00:00",
            post_content=f"<p>This week in {town}.</p>",
            post_excerpt="",
        )
    for status in ("draft", "private"):
        posts.append(
            {
                "fields": {
                    "post_title": f"A {status} post",
                    "post_content": "<p>Not for readers.</p>",
                    "post_status": status,
                    "post_date": "2020-06-01 09:00:00",
                }
            }
        )
    return posts


INSERT = """
wp_set_current_user(1);  // an editor, as in wp-admin
$ids = [];
foreach ($input as $post) {
    $id = wp_insert_post(wp_slash($post['fields']), true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
    if (!empty($post['sticky'])) { stick_post($id); }
    $ids[] = $id;
}
echo json_encode($ids);
"""

# Each published post as the site shows it to a reader.
AS_READ = """
$shown = [];
foreach (get_posts(['numberposts' => -1, 'post_status' => 'publish']) as $post) {
    $text = fn($html) => html_entity_decode(
        wp_strip_all_tags($html), ENT_QUOTES | ENT_HTML5, 'UTF-8');
    $shown[] = [
        'id' => $post->ID,
        'link' => get_permalink($post),
        'title' => $text(get_the_title($post)),
        'excerpt' => $text(apply_filters('the_excerpt', get_the_excerpt($post))),
        'date' => get_the_date('Y-m-d', $post),
    ];
}
echo json_encode($shown);
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    wordpress = WordPress(tmp_path_factory.mktemp("wordpress"))
    wordpress.start()
    try:
        ids = wordpress.php(INSERT, planned_posts())
        assert len(ids) == 122
        yield wordpress
    finally:
        wordpress.stop()


def as_read(site: WordPress, url: str) -> dict[str, dict]:
    """The published posts as a reader sees them at `url`, by the item each is."""
    shown = site.php(AS_READ)
    return {_item_id(post, url): post for post in shown}


def _item_id(post: dict, url: str) -> str:
    """A post's item: its page's path, or its WordPress id where its link has
    none (`/?p=ID`, without pretty permalinks)."""
    path = urlsplit(post["link"]).path
    return path if path not in ("", "/") else f"wp-{post['id']}"


def wordpress_crawl(url: str, db: Path, *extra: str):
    return psg(
        "crawl", "--source", "wordpress", "--base-url", url,
        "--db", str(db), "--delay", "0", *extra, cwd=db.parent,
    )  # fmt: skip


def stored(db: Path) -> dict[str, tuple]:
    rows = query(db, "SELECT id, title, summary, date, duplicate_of FROM items")
    return {row[0]: row[1:] for row in rows}


def reader_text(excerpt: str) -> str:
    """An excerpt as the archive keeps it: without WordPress's "[…]"."""
    return " ".join(excerpt.split()).removesuffix(" [\u2026]").removesuffix("[\u2026]")


SETUPS = [
    pytest.param(PRETTY, FRONT_CONTROLLER, id="pretty-permalinks"),
    pytest.param(PLAIN, STOCK, id="plain-permalinks"),
    pytest.param(PLAIN, FRONT_CONTROLLER, id="plain-permalinks-front-controller"),
]


@pytest.mark.parametrize(("permalinks", "server"), SETUPS)
def test_every_published_post_once_as_a_reader_sees_it(
    site, tmp_path, permalinks, server
):
    db = tmp_path / "psg.db"
    with site.serving(permalinks, server) as url:
        result = wordpress_crawl(url, db)
        shown = as_read(site, url)
    assert result.returncode == 0, result.stderr
    assert len(shown) == 120
    items = stored(db)
    assert set(items) == set(shown)
    for item_id, post in shown.items():
        title, summary, date, duplicate_of = items[item_id]
        assert (title, date, duplicate_of) == (post["title"], post["date"], None)
        assert " ".join(summary.split()) == reader_text(post["excerpt"])
    titles = [row[0] for row in items.values()]
    assert READ_AS in titles
    assert titles.count(RECURRING) == 2
    assert not any(title.startswith("A ") and "post" in title for title in titles)
    assert query(db, "SELECT status, items_new FROM crawls") == [("ok", 120)]


# A bulk edit in wp-admin: every post saved again, in a second or two.
BULK_EDIT = """
$category = wp_create_category('Peru Update');
foreach (get_posts(['numberposts' => -1, 'post_status' => 'publish']) as $post) {
    wp_update_post(['ID' => $post->ID, 'post_category' => [$category]]);
}
echo json_encode(true);
"""
# Every post last modified at one time (as after an import).
ONE_MODIFIED_TIME = """
global $wpdb;
$wpdb->query($wpdb->prepare(
    "UPDATE $wpdb->posts SET post_modified = %s, post_modified_gmt = %s",
    $input, $input));
clean_post_cache(0);
wp_cache_flush();
echo json_encode(true);
"""


@pytest.mark.parametrize("edit", ["bulk edit", "one modified time"])
def test_posts_whose_modified_times_tie_are_each_read_once(site, tmp_path, edit):
    if edit == "bulk edit":
        site.php(BULK_EDIT)
    else:
        site.php(ONE_MODIFIED_TIME, "2021-03-01 10:00:00")
    db = tmp_path / "psg.db"
    with site.serving(PRETTY, FRONT_CONTROLLER) as url:
        result = wordpress_crawl(url, db)
        shown = as_read(site, url)
    assert result.returncode == 0, result.stderr
    assert set(stored(db)) == set(shown)
    assert query(db, "SELECT COUNT(*) FROM sightings") == [(120,)]


# Every post last modified when it was published, long ago.
MODIFIED_WHEN_PUBLISHED = """
global $wpdb;
$wpdb->query("UPDATE $wpdb->posts SET post_modified = post_date,
              post_modified_gmt = post_date_gmt");
wp_cache_flush();
echo json_encode(true);
"""

EDIT = """
wp_set_current_user(1);
$post = get_posts(['numberposts' => 1, 'title' => $input])[0];
wp_update_post(wp_slash(['ID' => $post->ID, 'post_title' => $input . ' (corrected)',
                         'post_excerpt' => 'A corrected excerpt.']));
echo json_encode($post->ID);
"""


def test_an_edit_becomes_a_version_on_the_next_incremental_crawl(site, tmp_path):
    site.php(MODIFIED_WHEN_PUBLISHED)
    db = tmp_path / "psg.db"
    title = "Peru Update 40: news of the week"
    with site.serving(PRETTY, FRONT_CONTROLLER) as url:
        assert wordpress_crawl(url, db).returncode == 0
        (before,) = query(db, "SELECT id, summary FROM items WHERE title = ?", title)
        site.php(EDIT, title)
        result = wordpress_crawl(url, db, "--incremental")
    assert result.returncode == 0, result.stderr
    item_id, summary = before
    assert query(db, "SELECT title, summary FROM items WHERE id = ?", item_id) == [
        (f"{title} (corrected)", "A corrected excerpt.")
    ]
    assert query(db, "SELECT item_id, title, summary FROM item_versions") == [
        (item_id, title, summary)
    ]
    # Only the posts modified since the first crawl's latest were asked for:
    # the edited one, and the latest before it, which the hour's margin takes.
    latest = "SELECT id FROM items ORDER BY date DESC, id LIMIT 1"
    seen = "SELECT DISTINCT item_id FROM sightings WHERE crawl_id = 2"
    assert {row[0] for row in query(db, seen)} == {
        item_id,
        *(row[0] for row in query(db, latest)),
    }
