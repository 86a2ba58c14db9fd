"""The project's Datasette plugin: read-only serving, and links from items.

Items link to their page on the site and its captures in the Wayback Machine;
every other cell is left to Datasette, which escapes it: nothing the site
published is ever rendered as HTML.
"""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from ..parse.links import original_url, wayback_url

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    """The archive is published read-only: anything but a read gets 405."""

    def wrap(app):
        async def read_only(scope, receive, send):
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

        return read_only

    return wrap


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == "items" and column == "url":
        return _item_links(row["id"])
    if table == "newsletters" and column == "items":
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


def _edition_link(database: str, date_text: str, count, datasette) -> Markup:
    query = urlencode({"date_text": date_text, "duplicate_of__isnull": "1"})
    path = datasette.urls.table(database, "items") + "?" + query
    return Markup('<a href="{0}">{1}</a>').format(escape(path), escape(count))
