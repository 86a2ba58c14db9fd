"""The project's Datasette plugin: read-only serving, and links from items.

Items link to their page on the site and its captures in the Wayback Machine,
and a full text shows as its opening words in a table; every other cell is
left to Datasette, which escapes it: nothing the site published is ever
rendered as HTML.
"""

from __future__ import annotations

from contextvars import ContextVar
from urllib.parse import urlencode

from asgi_gzip import GZipMiddleware
from datasette import hookimpl
from markupsafe import Markup, escape

from ..archive.schema import ITEMS, NEWSLETTERS
from ..parse.links import original_url, wayback_url
from .caching import Revalidated

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Compression for a client that takes gzip: level 6, zlib's own default. On
# the mirror's whole-table CSV (1 MB) it gives 193 KB in 16 ms, level 9 gives
# 191 KB in 22 ms.
GZIP_LEVEL = 6
GZIP_MINIMUM_BYTES = 500

# Whether the request being answered computes only the facets it names: a
# table's JSON (or RIS, BibTeX...) that does not ask for its default ones.
facets_named_only: ContextVar[bool] = ContextVar("facets_named_only", default=False)


@hookimpl
def asgi_wrapper(datasette):
    """Read-only serving, compressed, cacheable, and facets in JSON only on
    request.

    Anything but a read gets 405. A response of 500 bytes or more is gzipped
    for a client that takes it. Answers carry cache headers and a validator
    (caching.Revalidated). A table's JSON computes its default facets only
    when asked (`_extra=facet_results`), and otherwise only those it names
    (`_facet=year`), as Datasette 1.0 does: on 100,000 items the four default
    facets are most of the cost of a search that matches most rows, and API
    clients rarely read them. HTML pages keep them.
    """

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http":
                facets_named_only.set(_asks_no_default_facets(scope))
            if scope["type"] == "http" and scope["method"] not in READ_METHODS:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"allow", b"GET, HEAD, OPTIONS"),
                        ],
                    }
                )
                await send(
                    {
                        "type": "http.response.body",
                        "body": b"This archive is read-only.",
                    }
                )
                return
            await app(scope, receive, send)

        return GZipMiddleware(
            Revalidated(read_only, datasette),
            minimum_size=GZIP_MINIMUM_BYTES,
            compresslevel=GZIP_LEVEL,
        )

    return wrap


def _asks_no_default_facets(scope) -> bool:
    """A request for data in a format other than HTML (`items.json`), which
    does not ask for the default facets (`_extra=facet_results`)."""
    last = scope["path"].rsplit("/", 1)[-1]
    return "." in last and b"facet_results" not in scope.get("query_string", b"")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == ITEMS and column == "url":
        return _item_links(row["id"])
    if table == ITEMS and column == "body" and value:
        return _excerpt(value)
    if table == NEWSLETTERS and column == "items":
        return _edition_link(database, row["date_text"], value, datasette)
    return None


def _item_links(item_id: str) -> Markup:
    original = original_url(item_id)
    if original is None:
        return Markup('<span class="psg-nolink">no page of its own</span>')
    return Markup(
        '<a href="{0}" rel="noopener">original page</a> · '
        '<a href="{1}" rel="noopener">captures in the Wayback Machine</a>'
    ).format(escape(original), escape(wayback_url(original)))


def opening_words(text: str, length: int) -> str:
    """The text, or its whole words within `length` characters and " …"."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


def _excerpt(text: str, length: int = 160) -> Markup:
    """A full text's opening words in a table cell (the item's page has it all)."""
    return escape(opening_words(text, length))


def _edition_link(database: str, date_text: str, count, datasette) -> Markup:
    query = urlencode({"date_text": date_text, "duplicate_of__isnull": "1"})
    path = datasette.urls.table(database, ITEMS) + "?" + query
    return Markup('<a href="{0}">{1}</a>').format(escape(path), escape(count))
