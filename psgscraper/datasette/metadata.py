"""Datasette metadata for the archive: descriptions, facets, canned queries, charts.

Built in Python rather than kept as a JSON file because the database's name
(from the file name) keys every entry, because the SQL here shares the live
site's address with the parser, and because the tables' and columns' names
are the archive schema's: this module describes them, and says so when it
describes one the schema lacks or lacks one the schema has.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ..archive.schema import FTS_TABLE, TABLES, VIEWS, columns_of
from ..site import LIVE_SITE

TITLE = "Peru Support Group newsletter archive"

# The item's page on the live site, in SQL (the parser's `original_url`).
ORIGINAL_URL_SQL = (
    f"CASE WHEN items.id GLOB 'article-[0-9]*' "
    f"THEN '{LIVE_SITE}' || items.id || '.html' END"
)

# A date of any precision as an Atom timestamp.
ATOM_UPDATED_SQL = """CASE items.date_precision
    WHEN 'day' THEN items.date || 'T00:00:00+00:00'
    WHEN 'month' THEN items.date || '-01T00:00:00+00:00'
    WHEN 'year' THEN items.date || '-01-01T00:00:00+00:00'
    ELSE items.first_seen END"""

ITEM_COLUMNS = {
    "id": "article-N from the item's detail link; for an item without a link, "
    "SECTION-HASH of its section, title and date line",
    "url": "The detail page as crawled (a web-archive prefix removed). The cell "
    "links the page on the live site and its captures in the Wayback Machine",
    "section": "news, articles, or home (seen only on the home page so far)",
    "title": "Plain text, as published",
    "date": "ISO date of the precision below; empty when the site printed no "
    "real date (the CMS's 31 December 1969 placeholder, or an impossible date)",
    "date_precision": "day, month or year",
    "date_text": "The date line exactly as printed",
    "update_number": "Number of the printed newsletter, Peru Update, the piece "
    "appeared in",
    "byline": "From an opening paragraph such as (Written by ... from Lima)",
    "summary": "Plain text; paragraphs separated by a blank line",
    "image_caption": "Caption of the item's picture (never its title)",
    "position": "Rank on the listing page where it was last seen, from 1",
    "page_url": "Listing page where it was last seen",
    "year": "Year of the date",
    "first_seen": "When a crawl first saw it (UTC)",
    "last_seen": "When a crawl last saw it (UTC)",
    "first_crawl": "Crawl that first saw it",
    "last_crawl": "Crawl that last saw it",
    "duplicate_of": "For a piece the site listed twice under two ids: the first",
    "listing_key": "Internal: hash of section, folded title and date line",
    "fingerprint": "Internal: hash of the item's text, for boilerplate learning",
    "body": "Full text from the item's own page (psg crawl --full-text); "
    "paragraphs separated by a blank line",
    "body_fetched": "When the full text was captured (UTC)",
    "body_error": "Why the item's own page gave no text at its last fetch",
}


def build_metadata(database: str) -> dict:
    """Metadata for a Datasette serving the archive under the name `database`."""
    return {
        "title": TITLE,
        "description_html": _description_html(database),
        "source": "Peru Support Group website, 2003 to 2019",
        "source_url": LIVE_SITE,
        "license": "Newsletter text © Peru Support Group; quote with attribution "
        "to the PSG and the item's original URL",
        "license_url": LIVE_SITE,
        "databases": {
            database: {
                "description": "The newsletter's items, where and when crawls "
                "saw them, and what changed.",
                "tables": _tables(),
                "queries": _queries(),
            }
        },
        "plugins": {"datasette-dashboards": _dashboards(database)},
    }


def _description_html(database: str) -> str:
    return (
        "<p>Every item of the weekly news newsletter the Peru Support Group "
        "published on its website, once each, with the date, summary, byline and "
        "Peru Update number as printed.</p><ul>"
        f'<li><a href="/{database}/items">Items</a>: browse, facet and search</li>'
        f'<li><a href="/{database}/search">Search, best matches first</a></li>'
        f'<li><a href="/{database}/newsletters">Newsletters</a>: one row per '
        "printed edition</li>"
        f'<li><a href="/{database}/item_regions">Items by region</a> of Peru '
        "(facet on the region), and the items of "
        f'<a href="/{database}/region?code=PE-CUS">one region</a></li>'
        '<li><a href="/-/dashboards/archive">Items per month</a>, and per region '
        "and year (charts)</li>"
        f'<li><a href="/{database}/feed.atom">Atom feed</a> of the newest items</li>'
        "</ul>"
    )


def _tables() -> dict:
    """Each table and view of the archive, described; its columns in the
    schema's order. ValueError when the descriptions and the schema differ."""
    described = _table_descriptions()
    _must_match("tables and views", described, [*TABLES, *VIEWS])
    tables = {}
    for name, table in described.items():
        columns = columns_of(name)
        _must_match(f"columns of {name}", table["columns"], columns)
        _must_be_in(f"columns of {name}", _named(table), columns)
        ordered = {column: table["columns"][column] for column in columns}
        tables[name] = {**table, "columns": ordered}
    return tables


def _named(table: dict) -> list[str]:
    """The columns a table's options name: its label, sort and facets."""
    options = (table.get(key) for key in ("label_column", "sort", "sort_desc"))
    return [*filter(None, options), *table.get("facets", ())]


def _must_match(what: str, described: Collection[str], schema: list[str]) -> None:
    """Every name of the schema described, and none other."""
    _must_be_in(what, described, schema)
    missing = [name for name in schema if name not in described]
    if missing:
        raise ValueError(
            f"the Datasette metadata leaves undescribed the {what} {', '.join(missing)}"
        )


def _must_be_in(what: str, names: Iterable[str], schema: list[str]) -> None:
    unknown = [name for name in names if name not in schema]
    if unknown:
        raise ValueError(
            f"the Datasette metadata names {what} that the archive's schema "
            f"lacks: {', '.join(unknown)}"
        )


def _table_descriptions() -> dict:
    return {
        "items": {
            "description": "One row per published item.",
            "label_column": "title",
            "sort_desc": "date",
            "facets": ["section", "year", "update_number", "byline"],
            "fts_table": FTS_TABLE,
            "fts_pk": "rowid",
            "columns": ITEM_COLUMNS,
        },
        "newsletters": {
            "description": "One row per printed edition (date line): its date, "
            "Peru Update number, sections and number of items. The count links "
            "to the items.",
            "sort_desc": "date",
            "columns": {
                "date_text": "The date line as printed",
                "date": "Its date (of the precision the line gives)",
                "update_number": "Peru Update number, if the line gives one",
                "sections": "Sections the edition's items are in",
                "items": "Items of the edition (each piece once)",
            },
        },
        "item_places": {
            "description": "The regions of Peru each item's title, summary and "
            "full text name, by the region's own name or a main city or "
            "province in it. Lima alone is the capital (PE-LMA); the region of "
            "Lima (PE-LIM) only when the text says region or department. "
            "Found by simple rules: San Martín the Liberator, La Libertad the "
            "word, Amazonas the river are left out, but check the matched text.",
            "facets": ["region", "kind"],
            "columns": {
                "item_id": "The item",
                "code": "ISO 3166-2:PE code of the region (PE-CUS)",
                "region": "The region's ISO name",
                "name": "The place named: the region, or a city or province in it",
                "kind": "region, city or province",
                "matched": "The forms the text used, as written (Cuzco; Cusco)",
                "mentions": "How often the item's text names it",
            },
        },
        "item_regions": {
            "description": "One row per item and region of Peru it names (each "
            "piece once): facet on the region, the year or the section.",
            "sort_desc": "date",
            "facets": ["region", "year", "section"],
            "columns": {
                "code": "ISO 3166-2:PE code of the region",
                "region": "The region's ISO name",
                "item_id": "The item",
                "date": "The item's date",
                "year": "Year of the date",
                "section": "news, articles, home or posts",
                "title": "The item's title",
                "places": "The places in the region it names: the region, cities, "
                "provinces",
                "mentions": "How often it names them",
            },
        },
        "sightings": {
            "description": "Every appearance of an item on a page in a crawl.",
            "columns": {
                "id": "Row number",
                "item_id": "The item",
                "crawl_id": "The crawl",
                "page_url": "Listing page it appeared on",
                "position": "Rank on the page, from 1",
                "seen_at": "When (UTC)",
            },
        },
        "item_versions": {
            "description": "An item's earlier text, saved each time a crawl saw "
            "the item changed.",
            "columns": {
                "id": "Row number",
                "item_id": "The item",
                "crawl_id": "The crawl that saw the change",
                "replaced_at": "When (UTC)",
                "title": "Title before the change",
                "date_text": "Date line before the change",
                "summary": "Summary before the change",
                "byline": "Byline before the change",
                "image_caption": "Picture caption before the change",
            },
        },
        "boilerplate": {
            "description": "Blocks the site printed on every listing page (aims, "
            "appeals, notices), set aside rather than archived as news.",
            "columns": {
                "fingerprint": "Hash of the block's folded title and text",
                "title": "The block's heading",
                "text": "The block's text",
                "reason": "Why it was set aside: no detail link and no date line, "
                "or repeated on several pages of a crawl",
                "first_seen": "When a crawl first saw it (UTC)",
                "last_seen": "When a crawl last saw it (UTC)",
                "first_crawl": "Crawl that first saw it",
                "last_crawl": "Crawl that last saw it",
            },
        },
        "boilerplate_sightings": {
            "description": "Each page and crawl that showed a block.",
            "columns": {
                "id": "Row number",
                "fingerprint": "The block",
                "crawl_id": "The crawl",
                "page_url": "Listing page that showed it",
                "seen_at": "When (UTC)",
            },
        },
        "captures": {
            "description": "Every capture of the old site's listings that a crawl "
            "of the Wayback Machine listed, and what became of it: read, the same "
            "content as a capture read before (fetched once), a redirect, or "
            "skipped (an error page, not HTML, another layout).",
            "sort": "captured",
            "facets": ["outcome", "section", "crawl_id"],
            "columns": {
                "id": "Row number",
                "original": "The URL captured, as the archive lists it",
                "timestamp": "The capture's timestamp (YYYYMMDDhhmmss, UTC)",
                "captured": "When it was captured (UTC): the time its sightings carry",
                "section": "news, articles or home",
                "status": "The HTTP status the capture recorded",
                "mimetype": "Its type, as the archive lists it",
                "digest": "SHA-1 of its content (base32): the same content, "
                "the same digest",
                "url": "Where its bytes are replayed (the sightings' page_url)",
                "crawl_id": "The crawl that listed it",
                "fetched_at": "When it was fetched (UTC); empty if it needed no fetch",
                "outcome": "parsed, same content, redirect or skipped",
                "items_found": "Items read from it",
                "same_as": "The capture of the same content that was read",
                "note": "Why it was skipped, or where it redirects",
                "web_archive": "The web archive that holds it (its crawl's)",
            },
        },
        "wordpress_posts": {
            "description": "The current site's posts, read through its WordPress "
            "API: each one's item (keyed by the path of its link), WordPress id "
            "and dates.",
            "sort_desc": "modified_gmt",
            "columns": {
                "item_id": "The item: the path of the post's link",
                "wp_id": "The post's id in WordPress",
                "link": "The post's page",
                "date_gmt": "When it was published (UTC)",
                "modified_gmt": "When it was last modified (UTC); an incremental "
                "crawl stops at posts it holds as last modified",
                "first_crawl": "Crawl that first read it",
                "last_crawl": "Crawl that last read it",
            },
        },
        "crawls": {
            "description": "One row per crawl, with its source, status and figures.",
            "sort_desc": "id",
            "columns": {
                "id": "Crawl number",
                "started": "Start (UTC)",
                "ended": "End (UTC); empty while running or if the process died",
                "source": "site (the listing pages), wayback (every capture in "
                "the Wayback Machine) or wordpress (the current site's posts)",
                "web_archive": "For wayback, the web archive it read (--archive-name)",
                "base_url": "The site's root it crawled (for wayback, the replay's)",
                "sections": "Sections crawled",
                "incremental": "1 if it stopped each listing at known pages",
                "status": "running, ok, failed or interrupted",
                "pages": "Listing pages (or captures, or pages of posts) written",
                "requests": "HTTP requests made (robots.txt and CDX queries included)",
                "items_seen": "Distinct items on its pages",
                "items_new": "Items it added",
                "items_changed": "Items whose text it saw changed",
                "blocks_set_aside": "Distinct boilerplate blocks it set aside",
                "item_pages": "Item pages it fetched for their full text",
                "item_page_errors": "Item pages that gave no text (missing, "
                "broken); they do not fail a crawl",
                "errors": "Requests that failed for good, and layout changes",
                "message": "What failed, with the URLs",
                "warc": "The WARC file that keeps its requests and responses, "
                "from the archive's directory",
                "modified_through": "For wordpress, the latest time a post it "
                "read was modified (UTC); the next --incremental crawl asks for "
                "posts modified since",
            },
        },
    }


def _queries() -> dict:
    return {
        "search": {
            "title": "Search, best matches first",
            "description": "Full-text search of titles, summaries, bylines and "
            "full texts, ranked (a match in the title counts most, one only in "
            "the full text least). Words are matched whole; accents are ignored.",
            "sql": f"""SELECT items.id, items.date, items.section, items.title,
       snippet(items_fts, -1, '[', ']', ' … ', 20) AS excerpt,
       items.byline, {ORIGINAL_URL_SQL} AS original_url
FROM items_fts JOIN items ON items.rowid = items_fts.rowid
WHERE items_fts MATCH escape_fts(:text) AND items.duplicate_of IS NULL
ORDER BY bm25(items_fts, 10.0, 1.0, 5.0, 0.5)
LIMIT 200""",
        },
        "items_per_year": {
            "title": "Items per year and section",
            "sql": """SELECT year, section, COUNT(*) AS items
FROM items WHERE duplicate_of IS NULL
GROUP BY year, section ORDER BY year, section""",
        },
        "mentions_per_year": {
            "title": "Mentions of a word per year",
            "description": "Items whose title, summary, byline or full text "
            "contain the word(s), per year: how often Conga, Bagua or Fujimori "
            "came up.",
            "sql": """SELECT items.year, COUNT(*) AS items
FROM items_fts JOIN items ON items.rowid = items_fts.rowid
WHERE items_fts MATCH escape_fts(:word) AND items.duplicate_of IS NULL
GROUP BY items.year ORDER BY items.year""",
        },
        "date_range": {
            "title": "Items between two dates",
            "description": "Dates as YYYY-MM-DD. An item dated only by month or "
            "year is included when its month or year overlaps the range.",
            "sql": """SELECT id, date, date_text, section, title, summary
FROM items
WHERE duplicate_of IS NULL AND date IS NOT NULL
  AND date >= substr(:since, 1, length(date))
  AND date <= substr(:until, 1, length(date))
ORDER BY date, id""",
        },
        "region": {
            "title": "Items naming a region of Peru, newest first",
            "description": "The region's ISO 3166-2:PE code, with or without "
            "PE-: CUS (Cusco), PUN (Puno), LMA (Lima, the capital), LIM (the "
            "region of Lima), CAL (Callao)... Places are the region's own name "
            "or a main city or province in it.",
            "sql": f"""SELECT items.id, items.date, items.section, items.title,
       group_concat(item_places.name, '; ') AS places,
       items.summary, {ORIGINAL_URL_SQL} AS original_url
FROM item_places JOIN items ON items.id = item_places.item_id
WHERE item_places.code IN (upper(:code), 'PE-' || upper(:code))
  AND items.duplicate_of IS NULL
GROUP BY items.id
ORDER BY items.date DESC, items.id DESC""",
        },
        "places_by_year": {
            "title": "Items per region of Peru and year",
            "description": "Each piece once per region it names; items without "
            "a year are left out.",
            "sql": """SELECT code, region, year, COUNT(*) AS items
FROM item_regions WHERE year IS NOT NULL
GROUP BY code, year ORDER BY code, year""",
        },
        "latest_crawls": {
            "title": "Latest crawls and their status",
            "sql": """SELECT id, started, ended, status, source, base_url, sections,
       incremental, pages, requests, items_seen, items_new, items_changed,
       blocks_set_aside, item_pages, item_page_errors, errors, message, warc
FROM crawls ORDER BY id DESC LIMIT 100""",
        },
        "changed_items": {
            "title": "Items whose text changed between crawls",
            "sql": """SELECT item_versions.item_id, items.title,
       item_versions.crawl_id, item_versions.replaced_at,
       item_versions.title AS previous_title,
       item_versions.summary AS previous_summary,
       items.summary AS current_summary
FROM item_versions JOIN items ON items.id = item_versions.item_id
ORDER BY item_versions.replaced_at DESC, item_versions.id DESC""",
        },
        "feed": {
            "title": "Newest items (Atom feed)",
            "description": "Add .atom to this page's address for the feed.",
            "sql": f"""SELECT items.id AS atom_id, items.title AS atom_title,
       {ATOM_UPDATED_SQL} AS atom_updated,
       items.summary AS atom_content,
       coalesce({ORIGINAL_URL_SQL}, '{LIVE_SITE}') AS atom_link,
       items.byline AS atom_author_name
FROM items WHERE items.duplicate_of IS NULL
ORDER BY items.date DESC, items.id DESC LIMIT 50""",
        },
    }


def _dashboards(database: str) -> dict:
    """The charts of items per month, per year and per region and year
    (datasette-dashboards, Vega-Lite)."""
    return {
        "archive": {
            "title": "The archive over the years",
            "description": "Items per month, each piece once; items dated only "
            "by year, or not at all, are left out.",
            "layout": [["items-per-month"], ["items-per-year"], ["regions-per-year"]],
            "charts": {
                "items-per-month": {
                    "title": "Items per month",
                    "db": database,
                    "query": """SELECT substr(date, 1, 7) || '-01' AS month,
       COUNT(*) AS items
FROM items
WHERE duplicate_of IS NULL AND date_precision IN ('day', 'month')
GROUP BY month ORDER BY month""",
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {
                                "field": "month",
                                "type": "temporal",
                                "timeUnit": "yearmonth",
                                "title": "Month",
                            },
                            "y": {
                                "field": "items",
                                "type": "quantitative",
                                "title": "Items",
                            },
                        },
                    },
                },
                "items-per-year": {
                    "title": "Items per year and section",
                    "db": database,
                    "query": """SELECT year, section, COUNT(*) AS items
FROM items WHERE duplicate_of IS NULL AND year IS NOT NULL
GROUP BY year, section ORDER BY year""",
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal"},
                            "y": {"field": "items", "type": "quantitative"},
                            "color": {"field": "section", "type": "nominal"},
                        },
                    },
                },
                "regions-per-year": {
                    "title": "Items per region of Peru and year",
                    "db": database,
                    "query": """SELECT region, year, COUNT(*) AS items
FROM item_regions WHERE year IS NOT NULL
GROUP BY code, year ORDER BY region, year""",
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "rect", "tooltip": True},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal"},
                            "y": {"field": "region", "type": "nominal"},
                            "color": {"field": "items", "type": "quantitative"},
                        },
                    },
                },
            },
        }
    }
