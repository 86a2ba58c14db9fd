"""HTML for the mirror's pages, in the markup of the era each page comes from.

Three eras, always within SITE.md: `html4` (2003-2008: HTML 4.01, on some pages
upper-case tags, the paragraphs of a summary in one `<p>` split by
`<br><br>`), `xhtml` (2009-2013) and `modern` (2014 on, like the seed pages).
Text is written raw, as named entities (`&eacute;`) or as numeric ones, item by
item as the CMS stored it; a windows-1252 page is written raw in that encoding,
with the characters it lacks as numeric entities.
"""

from __future__ import annotations

import datetime
import html
import random
import re
import textwrap
from dataclasses import dataclass
from html.entities import codepoint2name

from .blocks import Block
from .plan import MODERN_FROM, NEWS, PER_PAGE, XHTML_FROM, Item

HTML4, XHTML, MODERN = "html4", "xhtml", "modern"
UTF8, LATIN1 = "utf-8", "iso-8859-1"
RAW, NAMED, NUMERIC = "raw", "named", "numeric"

# Characters that windows-1252 has and iso-8859-1 does not: a page labelled
# iso-8859-1 that holds them is really windows-1252 (SITE.md, "Text").
WINDOWS_1252_ONLY = frozenset("’‘“”–—…€")
WINDOWS_1252_SHARE = 0.2

SITE_TITLE = "Peru Support Group"
MENU = (
    ("index.php", "Home"),
    ("news.php", "News"),
    ("articles.php", "Articles"),
    ("publications.php", "Publications"),
    ("membership.php", "Join"),
    ("contact.php", "Contact"),
)
FOOTER = (
    "Peru Support Group, 52 Thornhill Square, London N1 1BE. Registered charity "
    'no. 1062298. <a href="contact.php">Contact us</a>'
)
WELCOME = (
    "The Peru Support Group works in Britain and Ireland for human rights, social "
    "inclusion and sustainable development in Peru."
)


@dataclass(frozen=True)
class Style:
    """How one page is written."""

    era: str
    charset: str = UTF8
    upper: bool = False

    @property
    def content_type(self) -> str:
        return f"text/html; charset={self.charset}"

    @property
    def void_end(self) -> str:
        return ">" if self.era == HTML4 else " />"


def era_of(day: datetime.date) -> str:
    if day < XHTML_FROM:
        return HTML4
    return XHTML if day < MODERN_FROM else MODERN


# -- text -----------------------------------------------------------------------


def text_html(text: str, entities: str = RAW) -> str:
    """Plain text as HTML: `&`, `<`, `>` escaped, other characters per `entities`."""
    return _entities(html.escape(text, quote=False), entities)


def attr_html(text: str, entities: str = RAW) -> str:
    return _entities(html.escape(text, quote=True), entities)


def _entities(markup: str, entities: str) -> str:
    if entities == RAW or markup.isascii():
        return markup
    return "".join(
        char if char < "\x80" else _entity(char, entities) for char in markup
    )


def _entity(char: str, entities: str) -> str:
    name = codepoint2name.get(ord(char)) if entities == NAMED else None
    return f"&{name};" if name else f"&#{ord(char)};"


def encode(page: str, charset: str) -> bytes:
    """The page's bytes; windows-1252 for a page labelled iso-8859-1."""
    if charset == UTF8:
        return page.encode("utf-8")
    return page.encode("cp1252", errors="xmlcharrefreplace")


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>")
_ATTRIBUTE = re.compile(r"""(\s)([a-zA-Z-]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""")


def upper_case_tags(markup: str) -> str:
    """`<li><a href="...">` as `<LI><A HREF="...">`, values untouched."""

    def tag(match: re.Match) -> str:
        attributes = _ATTRIBUTE.sub(
            lambda m: m[1] + m[2].upper() + m[3] + m[4], match[3]
        )
        return f"<{match[1]}{match[2].upper()}{attributes}>"

    return _TAG.sub(tag, markup)


# -- the frame around every page ------------------------------------------------


def frame(style: Style, title: str, main: str, sidebar: str = "") -> str:
    """The whole page: doctype, head, header and menu, main, sidebar, footer."""
    end = style.void_end
    if style.era == HTML4:
        doctype = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">'
        opening = "<html>"
    else:
        doctype = (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        )
        opening = '<html xmlns="http://www.w3.org/1999/xhtml">'
    border = ' border="0"' if style.era == HTML4 else ""
    menu = "\n".join(f'<li><a href="{href}">{label}</a></li>' for href, label in MENU)
    parts = [
        doctype,
        opening,
        "<head>",
        f'<meta http-equiv="Content-Type" content="{style.content_type}"{end}',
        f"<title>{text_html(title)}</title>",
        f'<link rel="stylesheet" type="text/css" href="style.css"{end}',
        "</head>",
        "<body>",
        '<div id="header">',
        f'<a href="index.php"><img src="images/logo.gif" alt="{SITE_TITLE}"{border}'
        f"{end}</a>",
        f'<ul id="menu">\n{menu}\n</ul>',
        "</div>",
        f'<div id="main">\n{main}\n</div>',
    ]
    if sidebar:
        parts.append(f'<div id="sidebar">\n{sidebar}\n</div>')
    parts += [f'<div id="footer">\n<p>{FOOTER}</p>\n</div>', "</body>", "</html>"]
    page = "\n".join(parts) + "\n"
    if style.era == MODERN:
        page = _indent(page)
    return upper_case_tags(page) if style.upper else page


def _indent(page: str) -> str:
    """Indent by nesting, two spaces a level, as the newer templates were."""
    lines, depth = [], 0
    for line in page.split("\n"):
        stripped = line.strip()
        closing = re.match(r"</(div|ul|li|head|body)>", stripped)
        if closing:
            depth = max(depth - 1, 0)
        lines.append("  " * depth + stripped if stripped else "")
        if re.match(r"<(div|ul|li|head|body)\b", stripped) and not re.search(
            r"</(div|ul|li)>\s*$", stripped
        ):
            depth += 1
    return "\n".join(lines)


# -- listing pages ------------------------------------------------------------------


class PageWriter:
    """Writes one listing page; its variations come from its own `rng`."""

    def __init__(self, rng: random.Random, style: Style) -> None:
        self.rng = rng
        self.style = style

    def item_entities(self) -> str:
        """How the CMS stored one item's text, by era."""
        if self.style.charset != UTF8:
            return RAW
        weights = {HTML4: (50, 50, 0), XHTML: (60, 20, 20), MODERN: (80, 15, 5)}
        return self.rng.choices((RAW, NAMED, NUMERIC), weights[self.style.era])[0]

    def item(self, item: Item) -> str:
        """One `<li>`: picture, heading, date line, summary, "Read more"."""
        entities = self.item_entities()
        html4 = self.style.era == HTML4
        lines = ["<li>"]
        if item.caption is not None:
            lines.append(self._picture(item, entities))
        title = text_html(item.title, entities)
        if item.linked:
            lines.append(f'<h3><a href="{item.path}">{title}</a></h3>')
        else:
            lines.append(f"<h3>{title}</h3>")
        lines.append(f'<p class="date">{text_html(item.line.text, entities)}</p>')
        paragraphs = [
            paragraph_html(item, index, entities, html4)
            for index in range(len(item.paragraphs))
        ]
        if item.byline:
            paragraphs.insert(0, text_html(f"(Written by {item.byline})", entities))
        read_more = None
        if item.read_more:
            label = text_html(item.read_more, entities)
            read_more = f'<a href="{item.path}">{label}</a>'
        if html4:
            body = "<br><br>\n".join(_wrap(p) for p in paragraphs)
            if read_more and self.rng.random() < 0.4:
                body, read_more = f"{body} {read_more}", None
            lines.append(f"<p>{body}</p>")
        else:
            lines += [f"<p>{paragraph}</p>" for paragraph in paragraphs]
        if read_more:
            lines.append(f"<p>{read_more}</p>")
        lines.append("</li>")
        return "\n".join(lines)

    def _picture(self, item: Item, entities: str) -> str:
        folder = "news" if item.section == NEWS else "articles"
        border = ' border="0"' if self.style.era == HTML4 else ""
        image = (
            f'<img src="images/{folder}/{item.number}.jpg" '
            f'alt="{attr_html(item.caption or "", entities)}" width="120"{border}'
            f"{self.style.void_end}"
        )
        if item.linked and (self.style.era == HTML4 or self.rng.random() < 0.75):
            return f'<a href="{item.path}">{image}</a>'
        return image

    def block(self, block: Block) -> str:
        entities = (
            NAMED if self.style.era == HTML4 and self.style.charset == UTF8 else RAW
        )
        lines = ["<li>", f"<h3>{text_html(block.title, entities)}</h3>"]
        if block.date_line:
            lines.append(f'<p class="date">{text_html(block.date_line, entities)}</p>')
        lines += [_entities(block.body, entities), "</li>"]
        return "\n".join(lines)


def paragraph_html(item: Item, index: int, entities: str, html4: bool) -> str:
    """A summary paragraph with its links and emphasis."""
    markup = text_html(item.paragraphs[index], entities)
    emphasis = "i" if html4 else "em"
    for mark in item.marks:
        if mark.paragraph != index:
            continue
        phrase = text_html(mark.phrase, entities)
        if mark.href:
            wrapped = f'<a href="{mark.href}">{phrase}</a>'
        else:
            wrapped = f"<{emphasis}>{phrase}</{emphasis}>"
        markup = markup.replace(phrase, wrapped, 1)
    return markup


def _wrap(markup: str) -> str:
    """Hand-edited HTML of the early years: lines of about 76 characters."""
    return textwrap.fill(
        markup, width=76, break_long_words=False, break_on_hyphens=False
    )


def listing_style(rng: random.Random, items: list[Item]) -> Style:
    """A listing page's era, encoding and tag case.

    About one page in five is windows-1252 labelled iso-8859-1, chosen among
    pages whose text has a character that only windows-1252 has (’ “ ” –), so
    that the label matters.
    """
    era = era_of(items[0].published) if items else MODERN
    upper = era == HTML4 and rng.random() < 0.5
    windows = rng.random() < WINDOWS_1252_SHARE and any(
        WINDOWS_1252_ONLY.intersection(text)
        for item in items
        for text in (item.title, *item.paragraphs)
    )
    return Style(era, LATIN1 if windows else UTF8, upper)


def listing_page(
    rng: random.Random,
    section: str,
    page: int,
    pages: int,
    items: list[Item],
    blocks: list[Block],
) -> tuple[bytes, Style]:
    """Page `page` (from 0) of `pages` of a section's listing, as bytes."""
    style = listing_style(rng, items)
    writer = PageWriter(rng, style)
    entries = [writer.item(item) for item in items]
    entries += [writer.block(block) for block in blocks]
    heading = section.capitalize()
    main = "\n".join(
        [
            f"<h1>{heading}</h1>",
            '<ul class="list">',
            *entries,
            "</ul>",
            pagination(section, page, pages),
        ]
    )
    markup = frame(style, f"{SITE_TITLE} - {heading}", main)
    return encode(markup, style.charset), style


def past_the_end_page(section: str, pages: int) -> bytes:
    """The page template with an empty list: what any position past the end gets."""
    heading = section.capitalize()
    links = [f'<a href="{page_href(section, 0)}">1</a>']
    if pages > 1:
        links += ["...", f'<a href="{page_href(section, pages - 1)}">{pages}</a>']
    main = "\n".join(
        [
            f"<h1>{heading}</h1>",
            '<ul class="list">',
            "</ul>",
            f'<div class="pagination">{" ".join(links)}</div>',
        ]
    )
    return encode(frame(Style(MODERN), f"{SITE_TITLE} - {heading}", main), UTF8)


def page_href(section: str, page: int) -> str:
    """The link to a listing page: `news.php` for the first, as the site wrote it."""
    if page == 0:
        return f"{section}.php"
    return f"{section}.php?position={page * PER_PAGE}"


def pagination(section: str, page: int, pages: int) -> str:
    """The page links: "« Newer" (not on page 1), numbers, "Older »" (not last)."""
    parts = []
    if page > 0:
        parts.append(f'<a href="{page_href(section, page - 1)}">&laquo; Newer</a>')
    previous = None
    for number in sorted({0, pages - 1, *range(page - 2, page + 3)}):
        if not 0 <= number < pages:
            continue
        if previous is not None and number > previous + 1:
            parts.append("...")
        if number == page:
            parts.append(f"<strong>{number + 1}</strong>")
        else:
            parts.append(f'<a href="{page_href(section, number)}">{number + 1}</a>')
        previous = number
    if page < pages - 1:
        parts.append(f'<a href="{page_href(section, page + 1)}">Older &raquo;</a>')
    return f'<div class="pagination">{" ".join(parts)}</div>'


# -- the home page and the item pages --------------------------------------------------


def home_page(items: list[Item]) -> bytes:
    """The latest items, date line before the title, in `<div id="latest">`."""
    entries = []
    for item in items:
        title = text_html(item.title)
        heading = (
            f'<h3><a href="{item.path}">{title}</a></h3>'
            if item.linked
            else f"<h3>{title}</h3>"
        )
        entries.append(
            "\n".join(
                [
                    "<li>",
                    f'<p class="date">{text_html(item.line.text)}</p>',
                    heading,
                    f"<p>{text_html(item.paragraphs[0])}</p>",
                    "</li>",
                ]
            )
        )
    main = "\n".join(
        [
            "<h1>Welcome to the Peru Support Group</h1>",
            f"<p>{text_html(WELCOME)}</p>",
            '<div id="latest">',
            "<h2>Latest news</h2>",
            "<ul>",
            *entries,
            "</ul>",
            "</div>",
        ]
    )
    return encode(frame(Style(MODERN), SITE_TITLE, main), UTF8)


def item_page(rng: random.Random, item: Item, blocks: list[Block]) -> bytes:
    """`article-ID.html`: title, date line, the full text; blocks in the sidebar."""
    era = era_of(item.published)
    style = Style(era, UTF8, era == HTML4 and rng.random() < 0.5)
    writer = PageWriter(rng, style)
    entities = writer.item_entities()
    paragraphs = [
        paragraph_html(item, index, entities, era == HTML4)
        for index in range(len(item.paragraphs))
    ]
    paragraphs += [text_html(text, entities) for text in item.more]
    if item.byline:
        paragraphs.insert(0, text_html(f"(Written by {item.byline})", entities))
    parts = [
        f"<h1>{text_html(item.title, entities)}</h1>",
        f'<p class="date">{text_html(item.line.text, entities)}</p>',
    ]
    if item.caption is not None:
        folder = "news" if item.section == NEWS else "articles"
        parts.append(
            f'<p class="picture"><img src="images/{folder}/{item.number}.jpg" '
            f'alt="{attr_html(item.caption, entities)}"{style.void_end}</p>'
        )
    parts.append('<div class="article">')
    parts += [f"<p>{paragraph}</p>" for paragraph in paragraphs]
    parts.append("</div>")
    back = "News" if item.section == NEWS else "Articles"
    parts.append(f'<p><a href="{item.section}.php">Back to {back}</a></p>')
    sidebar = "\n".join(
        ['<ul class="blocks">', *(writer.block(block) for block in blocks), "</ul>"]
    )
    title = f"{SITE_TITLE} - {item.title}"
    return encode(frame(style, title, "\n".join(parts), sidebar), UTF8)


ROBOTS_TXT = b"User-agent: *\nDisallow: /admin/\n"
