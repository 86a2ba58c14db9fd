"""Being found: robots.txt, the sitemap, and what an item's page tells search
engines (a description, OpenGraph, its canonical address, schema.org JSON-LD).

Search engines may read the items' pages, the issues and the regions; the
tables, searches, queries and every CSV, JSON or citation download are for
people and programs, and robots.txt keeps crawlers off them.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape as xml_escape

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup

from ..archive.schema import ITEMS
from ..cite import news_article
from .metadata import TITLE
from .plugin import opening_words
from .reading_room import issue_key

SITEMAP_URLS = 50_000  # the most a sitemap file may list
DESCRIPTION_CHARACTERS = 300

# When each piece last changed: the last time a crawl replaced its text, or
# when it was first seen. A crawl that sees it unchanged changes nothing.
_CHANGED = """
WITH changed AS (
  SELECT items.id, items.update_number, items.date, items.date_text,
         COALESCE(MAX(item_versions.replaced_at), items.first_seen) AS modified
  FROM items LEFT JOIN item_versions ON item_versions.item_id = items.id
  WHERE items.duplicate_of IS NULL
  GROUP BY items.id
)
"""
_ITEMS_CHANGED = (
    _CHANGED + "SELECT id, modified FROM changed ORDER BY id LIMIT ? OFFSET ?"
)
# Each issue (as the reading room names them) and when its last piece changed.
_ISSUES_CHANGED = (
    _CHANGED
    + """
SELECT 'update-' || update_number, MAX(modified) FROM changed
WHERE update_number IS NOT NULL GROUP BY update_number
UNION ALL
SELECT date, MAX(modified) FROM changed
WHERE update_number IS NULL AND date_text IS NOT NULL AND date IS NOT NULL
GROUP BY date
"""
)


@hookimpl
def register_routes():
    return [
        (r"^/robots\.txt$", robots_txt),
        (r"^/sitemap\.xml$", sitemap_index),
        (r"^/sitemap-(?P<database>[^/]+)-issues\.xml$", issues_sitemap),
        (r"^/sitemap-(?P<database>[^/]+)-items-(?P<part>\d+)\.xml$", items_sitemap),
    ]


async def _archives(datasette) -> list[str]:
    """The archives served (databases with an items table)."""
    return [
        name
        for name, db in datasette.databases.items()
        if not db.is_memory and await db.table_exists(ITEMS)
    ]


async def robots_txt(datasette, request):
    lines = [
        "# Search engines may read the items, the issues and the regions; not",
        "# the tables, searches and queries, nor CSV, JSON or citation files.",
        "User-agent: *",
        "Disallow: /",
        "Allow: /$",
        "Allow: /-/static/",
    ]
    for database in await _archives(datasette):
        base = datasette.urls.database(database)
        for page in (f"{base}/items/", f"{base}/newsletter", f"{base}/places"):
            # a longer rule wins: the pages, but none of their formats or queries
            lines += [f"Allow: {page}", f"Disallow: {page}*.", f"Disallow: {page}*?"]
    lines.append(f"Sitemap: {datasette.absolute_url(request, '/sitemap.xml')}")
    return Response.text("\n".join(lines) + "\n")


async def sitemap_index(datasette, request):
    files = []
    for database in await _archives(datasette):
        db = datasette.get_database(database)
        (items,) = (
            await db.execute(f"SELECT COUNT(*) FROM {ITEMS} WHERE duplicate_of IS NULL")
        ).first()
        files.append(f"/sitemap-{database}-issues.xml")
        parts = max(1, -(-items // SITEMAP_URLS))
        files += [f"/sitemap-{database}-items-{n}.xml" for n in range(1, parts + 1)]
    entries = "".join(
        f"<sitemap><loc>{xml_escape(datasette.absolute_url(request, path))}</loc>"
        "</sitemap>\n"
        for path in files
    )
    return _xml(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    )


async def items_sitemap(datasette, request):
    database, part = request.url_vars["database"], int(request.url_vars["part"])
    if database not in await _archives(datasette) or part < 1:
        return Response.text("No such sitemap.", status=404)
    db = datasette.get_database(database)
    rows = await db.execute(
        _ITEMS_CHANGED,
        [SITEMAP_URLS, (part - 1) * SITEMAP_URLS],
        custom_time_limit=10_000,
    )
    urls = [
        (datasette.urls.row(database, ITEMS, item_id), modified)
        for item_id, modified in rows
    ]
    if not urls and part > 1:
        return Response.text("No such sitemap.", status=404)
    return _urlset(datasette, request, urls)


async def issues_sitemap(datasette, request):
    database = request.url_vars["database"]
    if database not in await _archives(datasette):
        return Response.text("No such sitemap.", status=404)
    db = datasette.get_database(database)
    base = datasette.urls.database(database)
    rows = await db.execute(_ISSUES_CHANGED, custom_time_limit=10_000)
    urls = [(f"{base}/newsletter", None)]
    urls += [(f"{base}/newsletter/{key}", modified) for key, modified in rows]
    return _urlset(datasette, request, urls)


def _urlset(datasette, request, urls: list[tuple[str, str | None]]) -> Response:
    entries = []
    for path, modified in urls:
        lastmod = f"<lastmod>{xml_escape(modified)}</lastmod>" if modified else ""
        loc = xml_escape(datasette.absolute_url(request, path))
        entries.append(f"<url><loc>{loc}</loc>{lastmod}</url>\n")
    return _xml(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(entries)
        + "</urlset>\n"
    )


def _xml(body: str) -> Response:
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        content_type="application/xml; charset=utf-8",
    )


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """For an item's page: its canonical address, description and JSON-LD."""
    if view_name != "row" or table != ITEMS:
        return {}

    async def findable():
        item_id = tilde_decode(request.url_vars["pks"])
        db = datasette.get_database(database)
        row = (
            await db.execute(f"SELECT * FROM {ITEMS} WHERE id = ?", [item_id])
        ).first()
        if row is None:
            return {}
        row = dict(row)
        canonical = datasette.absolute_url(
            request, datasette.urls.row(database, ITEMS, item_id)
        )
        key = issue_key(row)
        issue_page = f"{datasette.urls.database(database)}/newsletter/{key}"
        article = news_article(
            row, canonical, datasette.absolute_url(request, issue_page) if key else None
        )
        return {
            "findable": {
                "canonical": canonical,
                "description": opening_words(
                    " ".join((row.get("summary") or row.get("title") or "").split()),
                    DESCRIPTION_CHARACTERS,
                ),
                "site_name": TITLE,
                "published": article.get("datePublished"),
                "json_ld": _script_json(article),
            }
        }

    return findable


def _script_json(value: dict) -> Markup:
    """JSON to go inside <script>: no "</script>" or "<!--" can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    for character, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escaped)
    return Markup(text)
