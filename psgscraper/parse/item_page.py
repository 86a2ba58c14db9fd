"""`parse_item_page`: an item's own page (`article-ID.html`) in, its full text out.

The page prints the title (h1), the date line and the full text, the text in a
block of its own (`<div class="article">`, or an `<article>`); around it sit the
site's header, menu, sidebar of boilerplate blocks and footer. The full text is
that block's paragraphs, as plain text joined by one blank line, with an
opening byline paragraph taken out as the listing parser does. A page with no
such block gives the paragraphs of its main content, less the title, the date
line and a lone "Back to News" link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .listing import (
    BYLINE,
    DATE_CLASS,
    HEADINGS,
    block_paragraphs,
    element_text,
    has_class,
    is_outside_content,
)
from .text import fold, page_text

# Why an item page gave no text.
NO_TEXT = "no text on the item page"

_MAIN_ID = re.compile(r"^(?:main|content)$", re.I)
_ARTICLE_CLASS = re.compile(
    r"^(?:article|story|entry|entry-content|post-content|article-body|text)$", re.I
)
_BACK_LINK = re.compile(r"^(?:«\s*)?(?:back|return)\b", re.I)


@dataclass(frozen=True, slots=True)
class ItemPage:
    """What `parse_item_page` read; `reason` says why `body` is empty."""

    url: str
    title: str | None = None
    date_text: str | None = None
    byline: str | None = None
    body: str = ""
    reason: str | None = None


def parse_item_page(
    body: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    encoding: str | None = None,
) -> ItemPage:
    """Parse an item's own page; never raises on bad input.

    `body` is decoded as `parse_listing` decodes a listing page. A page that
    gives no text comes back with an empty `body` and a `reason`.
    """
    text, unreadable_because = page_text(body, content_type, encoding)
    if text is None:
        return ItemPage(url, reason=unreadable_because)
    soup = BeautifulSoup(text, "lxml")
    main = soup.find(id=_MAIN_ID) or soup.body or soup
    heading = main.find("h1") or main.find(HEADINGS)
    date_element = main.find(_is_date_line)
    title = element_text(heading) if heading is not None else None
    date_text = element_text(date_element) if date_element is not None else None
    article = main.find("article") or main.find(class_=_ARTICLE_CLASS)
    if article is None:
        article = main
        skip = {id(element) for element in (heading, date_element) if element}
        skip |= {id(element) for element in _around_the_text(main)}
    else:
        skip = set()
    paragraphs = block_paragraphs(article, skip)
    byline = None
    if paragraphs and (match := BYLINE.match(paragraphs[0])):
        byline = fold(match["name"] or match["bare"])
        paragraphs = paragraphs[1:]
    return ItemPage(
        url,
        title=title,
        date_text=date_text,
        byline=byline,
        body="\n\n".join(paragraphs),
        reason=None if paragraphs else NO_TEXT,
    )


def _is_date_line(element: Tag) -> bool:
    return element.name == "time" or (
        "class" in element.attrs and has_class(element, DATE_CLASS)
    )


def _around_the_text(main: Tag) -> list[Tag]:
    """What frames the text in a page without a text block: sidebar, back links."""
    framing = []
    for element in main.find_all(("p", "div", "ul", "ol")):
        if is_outside_content(element):
            framing.append(element)
            continue
        if _is_back_link(element):
            framing.append(element)
    return framing


def _is_back_link(element: Tag) -> bool:
    """A block that is only a link back to the listing ("Back to News")."""
    label = element_text(element)
    links = element.find_all("a")
    return (
        len(links) == 1
        and label == element_text(links[0])
        and _BACK_LINK.match(label) is not None
    )
