"""The reading room: pages for researchers, beside Datasette's own.

An item's page (`/DB/items/ID`, Datasette's row page with templates/row.html)
reads as an article, then gives its provenance (`item_provenance`): every
crawl and page that showed it, each web-archive capture linked at its own
time, and its earlier texts as word differences from the text that followed.

`/DB/newsletter` is the index of the printed issues, year by year:
`/DB/newsletter/update-N` is Peru Update N's items (its pieces were posted
over several weeks), `/DB/newsletter/YYYY-MM-DD` the weekly news of one
date line that names no number; each in its printed order, with the issues
before and after it.

`/DB/search` is the search a historian starts from: a form, then the hits
as a list (the title linked to the item's page, its date, section, Peru
Update number and byline, and an excerpt with the matched words marked),
filters by date, section and region of Peru (`item_places`: with no words,
a region's items over time), the hits per year as a bar chart whose bars
narrow the range, sort by relevance or date, and pages of 50. Its JSON
(`/DB/search.json?text=...`) stays the canned query's, for programs.

Every value from the archive is escaped: the excerpt's marks are put in
after its text is escaped.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from ..archive.schema import CONTENT_FIELDS, ITEMS
from ..parse.links import (
    archive_view_url,
    original_url,
    strip_archive_prefix,
    wayback_url,
)
from ..parse.places import fold_accents, region_names
from ..search import SYNTAX_HELP, SearchError, date_bound, fts_query

PAGE_SIZE = 50
SORTS = {
    "relevance": "Best matches first",
    "newest": "Newest first",
    "oldest": "Oldest first",
}
# FTS5's snippet() marks a match with these control characters; each pair
# becomes <mark>...</mark> once the text around them is escaped, and a stray
# one (from a text that held it) is dropped, so the markup stays whole.
MARK_START, MARK_END = "\x02", "\x03"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
_RANK = "bm25(items_fts, 10.0, 1.0, 5.0, 0.5)"
# The summary's words around a match; where only another column matched (the
# title, the byline, the full text), that column's.
_SUMMARY_SNIPPET = "snippet(items_fts, 1, char(2), char(3), ' … ', 24)"
_EXCERPT = (
    f"CASE WHEN instr({_SUMMARY_SNIPPET}, char(2)) THEN {_SUMMARY_SNIPPET} "
    "ELSE snippet(items_fts, -1, char(2), char(3), ' … ', 24) END"
)


@hookimpl
def register_routes():
    return [
        (r"^/(?P<database>[^/]+)/search$", in_archive(search_page)),
        (r"^/(?P<database>[^/]+)/newsletter$", in_archive(newsletter_index)),
        (
            r"^/(?P<database>[^/]+)/newsletter/"
            r"(?P<key>update-\d+|\d{4}-\d{2}(?:-\d{2})?)$",
            in_archive(issue_page),
        ),
        (r"^/(?P<database>[^/]+)/places$", in_archive(places_index)),
        (
            r"^/(?P<database>[^/]+)/places/(?P<code>[A-Za-z]{2}-[A-Za-z]{3})$",
            in_archive(region_page),
        ),
    ]


def in_archive(page):
    """A reading-room page of the archive its URL names: `page(datasette,
    request, db)`. A URL naming no archive served here (another database, or
    none) is a 404 with a message, not a server error."""

    async def route(datasette, request):
        database = request.url_vars["database"]
        db = datasette.databases.get(database)
        if db is None or not await db.table_exists(ITEMS):
            message = f"No archive named {database} is published here."
            return await _not_found(datasette, request, message)
        return await page(datasette, request, db)

    return route


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """The reading room's links, for every page; an item's provenance, for its
    page."""
    links = {"reading_room": reading_room_links(datasette, database)}
    if view_name != "row" or table != ITEMS:
        return links

    async def provenance():
        item_id = tilde_decode(request.url_vars["pks"])  # as the URL encodes it
        db = datasette.get_database(database)
        return links | {"provenance": await item_provenance(db, item_id)}

    return provenance


def reading_room_links(datasette, database: str | None) -> list[tuple[str, str]]:
    """The reading room's pages (label, address) for the archive: the page's
    database, or on a page of none (the home page) the first one served."""
    if database is None:
        served = [name for name, db in datasette.databases.items() if not db.is_memory]
        if not served:
            return []
        database = served[0]
    base = datasette.urls.database(database)
    return [
        ("Search", f"{base}/search"),
        ("Issues year by year", f"{base}/newsletter"),
        ("Regions of Peru", f"{base}/places"),
        ("Every item (table)", datasette.urls.table(database, ITEMS)),
        ("Charts", datasette.urls.path("/-/dashboards/archive")),
    ]


@dataclass
class Sighting:
    crawl_id: int
    source: str | None
    web_archive: str | None
    seen_at: str
    page: str  # the page as the site named it
    view_url: str | None  # the capture in its web archive, at its own time


async def item_provenance(db, item_id: str) -> dict:
    """Where and when the archive saw the item, and its earlier texts."""
    rows = await db.execute(
        "SELECT sightings.crawl_id, crawls.source, crawls.web_archive, "
        "sightings.seen_at, sightings.page_url FROM sightings "
        "JOIN crawls ON crawls.id = sightings.crawl_id WHERE item_id = ? "
        "ORDER BY sightings.seen_at, sightings.id",
        [item_id],
    )
    sightings = [
        Sighting(
            crawl,
            source,
            web_archive,
            seen_at,
            strip_archive_prefix(page),
            archive_view_url(page),
        )
        for crawl, source, web_archive, seen_at, page in rows
    ]
    fields = ", ".join(CONTENT_FIELDS)
    versions = [
        dict(row)
        for row in await db.execute(
            f"SELECT replaced_at, crawl_id, {fields} FROM item_versions "
            "WHERE item_id = ? ORDER BY replaced_at, id",
            [item_id],
        )
    ]
    current = (
        await db.execute(f"SELECT {fields} FROM items WHERE id = ?", [item_id])
    ).first()
    texts = [*versions, dict(current) if current else {}]
    changes = [
        {
            "replaced_at": older["replaced_at"],
            "fields": [
                (field, word_diff(older[field], newer.get(field)))
                for field in CONTENT_FIELDS
                if older[field] != newer.get(field)
            ],
        }
        for older, newer in pairwise(texts)
    ]
    places = [
        dict(row)
        for row in await db.execute(
            "SELECT code, region, name, kind, matched FROM item_places "
            "WHERE item_id = ? ORDER BY region, name",
            [item_id],
        )
    ]
    original = original_url(item_id)
    return {
        "places": places,
        "sightings": sightings,
        "crawls": len({sighting.crawl_id for sighting in sightings}),
        "versions": changes,
        "original_url": original,
        "calendar_url": wayback_url(original) if original else None,
    }


def word_diff(old: str | None, new: str | None) -> Markup:
    """`old` changed into `new`, word by word: removed words in <del>, added
    ones in <ins>, every word escaped."""
    before, after = (old or "").split(), (new or "").split()
    parts: list[str] = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(str(escape(" ".join(before[a1:a2]))))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(' '.join(before[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(' '.join(after[b1:b2]))}</ins>")
    return Markup(" ".join(parts))


@dataclass
class Search:
    """A search as the form asks it: text, date range, section, region, sort,
    page. The dates are kept as typed; `start` and `end` read them."""

    text: str = ""
    typed_from: str = ""
    typed_to: str = ""
    section: str = ""
    region: str = ""  # an ISO 3166-2:PE code (PE-CUS)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Search:
        sort = args.get("sort", "")
        page = args.get("page", "1")
        return cls(
            text=args.get("text", "").strip(),
            typed_from=args.get("from", "").strip(),
            typed_to=args.get("to", "").strip(),
            section=args.get("section", "").strip(),
            region=args.get("region", "").strip().upper(),
            sort=sort if sort in SORTS else "relevance",
            page=_page_number(page),
        )

    @property
    def start(self) -> str | None:
        """The first day asked for; SearchError for a date that is none."""
        return date_bound(self.typed_from, end=False)

    @property
    def end(self) -> str | None:
        return date_bound(self.typed_to, end=True)

    def where(self) -> tuple[str, dict]:
        """The WHERE clause and its parameters (`items` joined to its index
        when there is text to match)."""
        clauses = ["items.duplicate_of IS NULL"]
        params: dict[str, object] = {}
        if self.text:
            clauses.append("items_fts MATCH :query")
            params["query"] = fts_query(self.text)
        if self.start:
            clauses.append("items.date >= :start")
            params["start"] = self.start
        if self.end:
            clauses.append("items.date <= :end")
            params["end"] = self.end
        if self.section:
            clauses.append("items.section = :section")
            params["section"] = self.section
        if self.region:
            clauses.append(
                "items.id IN (SELECT item_id FROM item_places WHERE code = :region)"
            )
            params["region"] = self.region
        return " AND ".join(clauses), params

    def source(self) -> str:
        if self.text:
            return "items_fts JOIN items ON items.rowid = items_fts.rowid"
        return ITEMS

    def order(self) -> str:
        if self.sort == "relevance" and self.text:
            return _RANK
        if self.sort == "oldest":
            return "items.date IS NULL, items.date, items.id"
        return "items.date IS NULL, items.date DESC, items.id"

    def link(self, **changes) -> str:
        """This search's query string with some of its fields changed."""
        fields = {
            "text": self.text,
            "from": self.typed_from,
            "to": self.typed_to,
            "section": self.section,
            "region": self.region,
            "sort": self.sort,
        }
        fields.update(changes)
        return "?" + urlencode({k: v for k, v in fields.items() if v})


async def search_page(datasette, request, db):
    database = request.url_vars["database"]
    search, error = Search.from_args(request.args), None
    try:
        hits, total, years = await _run(db, search)
    except SearchError as why:
        hits, total, years, error = [], 0, [], str(why)
    sections = [
        row[0]
        for row in await db.execute(
            "SELECT DISTINCT section FROM items WHERE section IS NOT NULL "
            "ORDER BY section"
        )
    ]
    regions = [
        (row[0], row[1])
        for row in await db.execute(
            "SELECT code, region FROM item_places GROUP BY code ORDER BY region"
        )
    ]
    html = await datasette.render_template(
        "psg_search.html",
        {
            "database": database,
            **_listed(datasette, database, search, hits, total, years),
            "total": total,
            "sections": sections,
            "regions": regions,
            "sorts": SORTS,
            "error": error,
            "syntax_help": SYNTAX_HELP,
            "json_url": datasette.urls.database(database)
            + "/search.json?"
            + urlencode({"text": search.text}),
        },
        request=request,
    )
    return Response.html(html, status=400 if error else 200)


def _listed(datasette, database, search, hits, total, years) -> dict:
    """What the hit list and the year bars (_psg_hits.html, _psg_years.html)
    show of a search's page of hits."""
    return {
        "search": search,
        "hits": hits,
        "years": years,
        "most": max((count for _, count in years), default=0),
        "pages": max(1, -(-total // PAGE_SIZE)),
        "page_size": PAGE_SIZE,
        "search_url": datasette.urls.database(database) + "/search",
    }


def _page_number(typed: str) -> int:
    return int(typed) if typed.isdigit() and int(typed) > 0 else 1


async def _run(db, search: Search) -> tuple[list[dict], int, list[tuple[int, int]]]:
    """The page of hits, how many there are, and how many each year has."""
    where, params = search.where()
    source = search.source()
    excerpt = _EXCERPT if search.text else "substr(items.summary, 1, 300)"
    hits_sql = (
        f"SELECT items.id, items.date, items.date_text, items.section, "
        f"items.title, items.update_number, items.byline, {excerpt} AS excerpt "
        f"FROM {source} WHERE {where} ORDER BY {search.order()} "
        f"LIMIT {PAGE_SIZE} OFFSET {(search.page - 1) * PAGE_SIZE}"
    )
    # Hits without a year count in the total, in no bar.
    years_sql = f"SELECT items.year, COUNT(*) FROM {source} WHERE {where} GROUP BY 1"
    try:  # the two at once, on two of Datasette's connections
        rows, per_year = await asyncio.gather(
            db.execute(hits_sql, params), db.execute(years_sql, params)
        )
    except Exception as error:  # FTS5 refuses a query it cannot parse
        if "fts5" in str(error).lower():
            raise SearchError(f"The search could not be read ({error}).") from None
        raise
    counts = [(row[0], row[1]) for row in per_year]
    years = sorted((year, count) for year, count in counts if year is not None)
    hits = [dict(row) | {"excerpt": marked(row["excerpt"])} for row in rows]
    return hits, sum(count for _, count in counts), years


def marked(excerpt: str | None) -> Markup:
    """An excerpt escaped, its matches marked."""
    text = _MARKED.sub(r"<mark>\1</mark>", str(escape(excerpt or "")))
    return Markup(text.replace(MARK_START, "").replace(MARK_END, ""))


# -- the printed issues ------------------------------------------------------------

# An issue is a printed Peru Update (the items its number names, whatever
# their dates: its pieces were posted over weeks), or, for the weekly news
# that names no number, the items of one date line's day (or month).
_ISSUES = """
SELECT 'update-' || update_number AS key, MIN(date) AS date, update_number,
       COUNT(*) AS items
FROM items WHERE update_number IS NOT NULL AND duplicate_of IS NULL
GROUP BY update_number
UNION ALL
SELECT date AS key, date, NULL, COUNT(*)
FROM items
WHERE update_number IS NULL AND date_text IS NOT NULL AND date IS NOT NULL
  AND duplicate_of IS NULL
GROUP BY date
ORDER BY date, key
"""
_ORDER = (
    "ORDER BY date, CASE section WHEN 'news' THEN 0 WHEN 'articles' THEN 1 "
    "ELSE 2 END, position, id"
)
_ITEM_COLUMNS = "id, section, title, date, date_text, update_number, byline, summary"


@dataclass
class Issue:
    key: str  # its page's name: update-153, or 2012-09-09
    date: str | None
    update_number: int | None
    items: int

    @property
    def label(self) -> str:
        if self.update_number is not None:
            return f"Peru Update {self.update_number}"
        return self.date or self.key


def issue_key(item) -> str | None:
    """The name of the issue page an item is on (update-153, 2012-09-09), as
    _ISSUES names them; None for an item with neither a number nor a date line."""
    if item.get("update_number") is not None:
        return f"update-{item['update_number']}"
    if item.get("date_text") and item.get("date"):
        return item["date"]
    return None


async def _issues(db) -> list[Issue]:
    return [Issue(*row) for row in await db.execute(_ISSUES)]


async def newsletter_index(datasette, request, db):
    database = request.url_vars["database"]
    issues = await _issues(db)
    years: dict[str, list[Issue]] = {}
    for issue in issues:
        years.setdefault((issue.date or "")[:4] or "undated", []).append(issue)
    html = await datasette.render_template(
        "psg_newsletters.html",
        {"database": database, "years": years, "issues": len(issues)},
        request=request,
    )
    return Response.html(html)


async def issue_page(datasette, request, db):
    """One issue's items in their printed order, with the issues around it."""
    database = request.url_vars["database"]
    key = request.url_vars["key"]
    if key.startswith("update-"):
        where, params = "update_number = ?", [int(key.removeprefix("update-"))]
    else:
        where = "date = ? AND update_number IS NULL AND date_text IS NOT NULL"
        params = [key]
    rows = await db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM items WHERE {where} "
        f"AND duplicate_of IS NULL {_ORDER}",
        params,
    )
    items = [dict(row) for row in rows]
    if not items:
        return await _not_found(datasette, request, f"No issue {key} in the archive.")
    issues = await _issues(db)
    keys = [issue.key for issue in issues]
    at = keys.index(key) if key in keys else None
    html = await datasette.render_template(
        "psg_issue.html",
        {
            "database": database,
            "issue": issues[at] if at is not None else None,
            "items": items,
            "dates": sorted({item["date_text"] or "" for item in items} - {""}),
            "previous": issues[at - 1] if at else None,
            "next": issues[at + 1] if at is not None and at + 1 < len(issues) else None,
        },
        request=request,
    )
    return Response.html(html)


# -- the regions of Peru ---------------------------------------------------------

# Each region's items (each piece once) and the first and last year they have.
_REGIONS = """
SELECT item_places.code, COUNT(DISTINCT items.id) AS items,
       MIN(items.year) AS first_year, MAX(items.year) AS last_year
FROM item_places JOIN items ON items.id = item_places.item_id
WHERE items.duplicate_of IS NULL
GROUP BY item_places.code
"""
# The places in one region its items name, the most named first.
_PLACES_IN_REGION = """
SELECT item_places.name, item_places.kind, COUNT(*) AS pieces
FROM item_places JOIN items ON items.id = item_places.item_id
WHERE item_places.code = :region AND items.duplicate_of IS NULL
GROUP BY item_places.name, item_places.kind
ORDER BY pieces DESC, item_places.name
"""


@dataclass
class Region:
    code: str  # ISO 3166-2:PE
    name: str
    items: int = 0
    first_year: int | None = None
    last_year: int | None = None


async def places_index(datasette, request, db):
    """Every region of Peru, with how many items name it."""
    database = request.url_vars["database"]
    found = {row[0]: tuple(row)[1:] for row in await db.execute(_REGIONS)}
    regions = sorted(
        (
            Region(code, name, *found.get(code, ()))
            for code, name in region_names().items()
        ),
        key=lambda region: fold_accents(region.name),
    )
    html = await datasette.render_template(
        "psg_places.html",
        {
            "database": database,
            "regions": regions,
            "most": max((region.items for region in regions), default=0),
        },
        request=request,
    )
    return Response.html(html)


async def region_page(datasette, request, db):
    """A region's items over time: the hits per year, the places in it that
    they name, and its items newest first."""
    database = request.url_vars["database"]
    code = request.url_vars["code"]
    names = region_names()
    if code.upper() != code and code.upper() in names:
        return Response.redirect(
            datasette.urls.database(database) + f"/places/{code.upper()}", status=301
        )
    if code not in names:
        message = f"{code} is not a region of Peru (ISO 3166-2:PE)."
        return await _not_found(datasette, request, message)
    page = _page_number(request.args.get("page", "1"))
    search = Search(region=code, sort="newest", page=page)
    (hits, total, years), places = await asyncio.gather(
        _run(db, search),
        db.execute(_PLACES_IN_REGION, {"region": code}),
    )
    html = await datasette.render_template(
        "psg_region.html",
        {
            "database": database,
            "region": Region(code, names[code], total),
            "places": [dict(row) for row in places],
            **_listed(datasette, database, search, hits, total, years),
        },
        request=request,
    )
    return Response.html(html)


async def _not_found(datasette, request, message: str) -> Response:
    html = await datasette.render_template(
        "error.html",
        {"ok": False, "error": message, "title": "Not found", "status": 404},
        request=request,
    )
    return Response.html(html, status=404)
