"""Citations in Datasette: item rows as RIS, BibTeX and CSL-JSON downloads,
and an item page's "Cite this".

`/psg/items.ris?_search=mining`, `/psg/items/article-915.bib` and any query
whose rows have an item's `id` and `title` answer in the three formats,
each row a record (the rows the page shows: `_size=max` for up to
max_returned_rows); rows without them, another table's, get a 400 saying so.
The item page's template calls `psg_cite(row)` for its citations in the
three styles and its downloads' links. The citations are psgscraper.cite's,
as text: the template escapes them.
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from .. import cite

# Extension: what it is called, its content type, and what writes it.
FORMATS = {
    "ris": ("RIS", "application/x-research-info-systems", cite.ris),
    "bib": ("BibTeX", "application/x-bibtex", cite.bibtex),
    "csljson": ("CSL-JSON", "application/vnd.citationstyles.csl+json", cite.csl_json),
}

# The columns a row needs to be cited: which item, and its title.
NEEDED = ("id", "title")


def citable(columns) -> bool:
    return all(column in columns for column in NEEDED)


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "items"


def _renderer(extension: str):
    label, content_type, write = FORMATS[extension]

    def render(columns, rows, database, table, query_name, view_name):
        if not citable(columns):
            missing = ", ".join(c for c in NEEDED if c not in columns)
            return Response.text(
                f"{label} is for rows of items: these rows have no {missing} "
                "column. Ask the items table, or a query that selects items.id "
                "and items.title.",
                status=400,
            )
        items = [dict(zip(columns, row, strict=True)) for row in rows]
        if view_name == "row" and len(items) == 1:
            name = str(items[0]["id"])
        else:
            name = table or query_name or database
        return Response(
            write(items),
            content_type=f"{content_type}; charset=utf-8",
            headers={
                "content-disposition": (
                    f'attachment; filename="{_file_name(name)}.{extension}"'
                )
            },
        )

    return render


@hookimpl
def register_output_renderer(datasette):
    return [
        {
            "extension": extension,
            "render": _renderer(extension),
            "can_render": lambda columns: citable(columns),
        }
        for extension in FORMATS
    ]


@hookimpl
def extra_template_vars(database, table, datasette):
    def psg_cite(row) -> dict:
        """An item row's citations by style, its capture, and its downloads."""
        item = dict(row)
        path = tilde_encode(str(item["id"]))
        return {
            "citations": cite.citations(item),
            "capture": cite.capture_url(item),
            "downloads": {
                label: datasette.urls.row(database, table, path, format=extension)
                for extension, (label, _, _) in FORMATS.items()
            },
        }

    return {"psg_cite": psg_cite}
