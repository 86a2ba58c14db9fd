"""`parse_listing`: one listing page (or the home page) in, its records out.

The parser reads structure, not one byte layout. An item is a heading (h2-h5)
with what surrounds it: its nearest enclosing list item or block, or, on a page
that sets headings and paragraphs side by side, the run of siblings up to the
next heading. Inside an item it looks for

- the detail link: a link to `article-ID.html` on the heading, the picture or a
  "Read more" link (never a link inside the summary, which may cite another
  item);
- the date line: an element whose class names a date, else a short paragraph
  that reads as one;
- the picture caption, a byline paragraph, and the summary paragraphs.

A block with neither a detail link nor a date line is set aside as boilerplate.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from ..site import HOME, LISTING_SECTIONS
from .boilerplate import fingerprint
from .dates import UNREADABLE, parse_date_line
from .links import (
    absolute_url,
    item_id_from_url,
    linkless_item_id,
    section_from_url,
)
from .records import EMPTY_LIST, NO_LINK_NO_DATE, NO_LIST, Listing, Record, SetAside
from .text import fold, page_text

HEADINGS = ("h2", "h3", "h4", "h5")
_CONTAINERS = frozenset({"li", "article", "div", "section", "td", "dd", "tr"})
_BLOCKS = frozenset(
    {
        "p", "div", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre",
        "table", "tr", "td", "th", "section", "article", "aside", "header",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "form", "address",
    }
)  # fmt: skip
_SILENT = frozenset({"img", "script", "style", "noscript", "iframe", "object"})
_OUTSIDE_CONTENT = re.compile(r"^(?:header|footer|menu|nav|navigation|sidebar)$", re.I)
DATE_CLASS = re.compile(r"(?<!up)date", re.I)
READ_MORE = re.compile(
    r"^(?:read|see|view)\s+(?:more|the\s+(?:full|rest|whole))|^more\b|^full\s+(?:story|article|text)",
    re.I,
)
_OLDER = re.compile(r"\bolder\b|\bnext\b|\bearlier\b|[»\u203a]", re.I)
_NEWER = re.compile(r"\bnewer\b|\bprev(?:ious)?\b|\blater\b|[«\u2039]", re.I)
BYLINE = re.compile(
    r"^\(\s*(?:(?:written|reported|compiled)\s+)?by\s+(?P<name>[^()]+?)\s*\)\.?$"
    r"|^(?:written|reported|compiled)\s+by\s+(?P<bare>.+?)\.?$",
    re.I,
)
_PARAGRAPH_BREAK = re.compile(r"\s*(?:\x00\s*){2,}")
_LINE_BREAK = "\x00"  # stands for <br> while a block's text is gathered
_SHORT_LINE = 60


def parse_listing(
    body: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    encoding: str | None = None,
    section: str | None = None,
) -> Listing:
    """Parse a listing page or the home page; never raises on bad input.

    `body` is the page as bytes (decoded by `content_type`, the page's own
    declaration or `encoding`) or as text; `url` is where it was fetched, which
    makes links absolute and names the section unless `section` is given. A
    page without items comes back with no items and a `reason`.
    """
    section = section or section_from_url(url)
    text, unreadable_because = page_text(body, content_type, encoding)
    if text is None:
        return Listing(url, section, reason=unreadable_because)
    page = _PageScan(BeautifulSoup(text, "lxml"))
    section = section or page.section()
    newer, older = _pagination(page.links, url)
    items: list[Record] = []
    set_aside: list[SetAside] = []
    unreadable: list[str] = []
    for parts, heading in _item_parts(page.headings(), page.root):
        item_or_block = _read_item(parts, heading, url, section, len(items) + 1)
        if isinstance(item_or_block, SetAside):
            set_aside.append(item_or_block)
            continue
        item = item_or_block
        items.append(item)
        if item.date_text and parse_date_line(item.date_text).problem == UNREADABLE:
            unreadable.append(item.date_text)
    reason = None
    if not items:
        reason = EMPTY_LIST if set_aside or page.has_list() else NO_LIST
    return Listing(
        url,
        section,
        items=tuple(items),
        set_aside=tuple(set_aside),
        newer=newer,
        older=older,
        reason=reason,
        unreadable_dates=tuple(unreadable),
        last=_last_page(page, url),
    )


# -- the page ----------------------------------------------------------------


class _PageScan:
    """What the parser needs from the whole page, gathered in one walk.

    BeautifulSoup's `find_all` costs more than parsing the page itself, so the
    parser walks the tree once and picks out what it needs by hand.
    """

    def __init__(self, soup: BeautifulSoup) -> None:
        self.by_id: dict[str, Tag] = {}
        self.h1: Tag | None = None
        self.pager: Tag | None = None
        self.all_headings: list[Tag] = []
        self.all_links: list[Tag] = []
        self.lists: list[Tag] = []
        body = None
        for element in soup.descendants:
            if type(element) is not Tag:
                continue
            name, attrs = element.name, element.attrs
            element_id = attrs.get("id")
            if element_id in _ROOT_IDS and element_id not in self.by_id:
                self.by_id[element_id] = element
            if name in HEADINGS:
                self.all_headings.append(element)
            elif name == "a":
                if attrs.get("href"):
                    self.all_links.append(element)
            elif name in ("ul", "ol"):
                self.lists.append(element)
            elif name == "h1" and self.h1 is None:
                self.h1 = element
            elif name == "body" and body is None:
                body = element
            if (
                self.pager is None
                and "class" in attrs
                and has_class(element, _PAGER_CLASS)
            ):
                self.pager = element
        self.root = next(
            (self.by_id[key] for key in _ROOT_IDS if key in self.by_id), body or soup
        )

    def section(self) -> str | None:
        if "latest" in self.by_id:
            return HOME
        name = element_text(self.h1).casefold() if self.h1 is not None else ""
        return name if name in LISTING_SECTIONS else None

    def headings(self) -> list[Tag]:
        return [
            heading
            for heading in self.all_headings
            if _within(heading, self.root) and self._in_content(heading)
        ]

    def _in_content(self, element: Tag) -> bool:
        """Below the body, keep off the header, footer, menu and sidebar."""
        return self.root.attrs.get("id") in _ROOT_IDS or not is_outside_content(element)

    @property
    def links(self) -> list[Tag]:
        if self.pager is None:
            return self.all_links
        return [link for link in self.all_links if _within(link, self.pager)]

    def has_list(self) -> bool:
        if self.root.attrs.get("id") == "latest":
            return True
        return any(
            _within(element, self.root) and self._in_content(element)
            for element in self.lists
        )


_ROOT_IDS = ("latest", "main", "content")
_PAGER_CLASS = re.compile(r"pagination|pager|paging", re.I)


def has_class(element: Tag, pattern: re.Pattern) -> bool:
    classes = element.attrs.get("class")
    return bool(classes) and any(pattern.search(token) for token in classes)


def _within(element: Tag, ancestor: Tag) -> bool:
    return element is ancestor or any(node is ancestor for node in element.parents)


def _pagination(links: list[Tag], page_url: str) -> tuple[str | None, str | None]:
    newer = older = None
    for link in links:
        label = element_text(link)
        if not label or len(label) > 30 or READ_MORE.match(label):
            continue
        target = absolute_url(link["href"], page_url)
        if item_id_from_url(target):
            continue
        if older is None and _OLDER.search(label):
            older = target
        elif newer is None and _NEWER.search(label):
            newer = target
    return newer, older


def _last_page(page: _PageScan, page_url: str) -> str | None:
    """The pagination's highest-numbered page link ("1 2 3 ... 112"), if any."""
    if page.pager is None:
        return None
    numbered = [
        (int(label), link["href"])
        for link in page.links
        if (label := element_text(link)).isdigit()
    ]
    if not numbered:
        return None
    return absolute_url(max(numbered)[1], page_url)


def is_outside_content(element: Tag) -> bool:
    """True inside the page's header, footer, menu or sidebar."""
    for node in (element, *element.parents):
        if node.name in ("header", "footer", "nav", "aside"):
            return True
        element_id = node.attrs.get("id") if isinstance(node, Tag) else None
        if element_id and _OUTSIDE_CONTENT.match(element_id):
            return True
        if isinstance(node, Tag) and has_class(node, _OUTSIDE_CONTENT):
            return True
    return False


# -- finding items -----------------------------------------------------------


def _item_parts(headings: list[Tag], root: Tag) -> list[tuple[list[Tag], Tag]]:
    """Each item's elements (one container, or a run of siblings) and its heading."""
    by_container: dict[int, tuple[Tag, list[Tag]]] = {}
    loose: list[Tag] = []
    for heading in headings:
        container = _container(heading, root)
        if container is None:
            loose.append(heading)
        else:
            by_container.setdefault(id(container), (container, []))[1].append(heading)
    found: list[tuple[list[Tag], Tag]] = []
    for container, its_headings in by_container.values():
        if len(its_headings) > 1 and len({h.name for h in its_headings}) == 1:
            loose.extend(its_headings)  # headings side by side in one block
        else:
            found.append(([container], its_headings[0]))
    for heading in loose:
        run = _sibling_run(heading)
        if len(run) > 1 or _has_link(heading):
            found.append((run, heading))
        # else: a lone heading over a list ("Latest news") titles no item
    order = {id(heading): rank for rank, heading in enumerate(headings)}
    found.sort(key=lambda item: order[id(item[1])])
    return found


def _has_link(heading: Tag) -> bool:
    return any(
        type(node) is Tag and node.name == "a" for node in heading.descendants
    ) or (heading.parent is not None and heading.parent.name == "a")


def _container(heading: Tag, root: Tag) -> Tag | None:
    node = heading.parent
    while node is not None and node is not root:
        if node.name in _CONTAINERS:
            return node
        node = node.parent
    return None


def _sibling_run(heading: Tag) -> list[Tag]:
    """The heading and the elements after it, up to the next heading."""
    parts = [heading]
    for sibling in heading.next_siblings:
        if not isinstance(sibling, Tag):
            continue
        if sibling.name in HEADINGS or any(
            isinstance(node, Tag) and node.name in HEADINGS
            for node in sibling.descendants
        ):
            break
        parts.append(sibling)
    return parts


# -- reading one item --------------------------------------------------------


class _ItemScan:
    """The elements of one item that the parser looks at, gathered in one walk."""

    def __init__(self, parts: list[Tag]) -> None:
        self.marked_dates: list[Tag] = []
        self.lines: list[Tag] = []  # paragraphs that may be an unmarked date line
        self.images: list[Tag] = []
        self.links: list[Tag] = []
        for part in parts:
            for element in (part, *part.descendants):
                if type(element) is not Tag:
                    continue
                name = element.name
                if name == "time" or (
                    "class" in element.attrs and has_class(element, DATE_CLASS)
                ):
                    self.marked_dates.append(element)
                elif name in ("p", "div", "span") and (
                    element is part or element.parent is part
                ):
                    self.lines.append(element)
                if name == "img":
                    self.images.append(element)
                elif name == "a":
                    self.links.append(element)


def _read_item(
    parts: list[Tag], heading: Tag, page_url: str, section: str | None, position: int
) -> Record | SetAside:
    scan = _ItemScan(parts)
    title = element_text(heading)
    date_element = _date_element(scan, heading)
    date_text = element_text(date_element) if date_element is not None else None
    read_more = [link for link in scan.links if READ_MORE.match(element_text(link))]
    skip = {id(heading), *(id(link) for link in read_more)}
    if date_element is not None:
        skip.add(id(date_element))
    paragraphs = [p for part in parts for p in block_paragraphs(part, skip)]
    body_text = "\n\n".join(paragraphs)
    block_fingerprint = fingerprint(title, f"{date_text or ''}\n{body_text}")
    detail_url = _detail_url(heading, scan, read_more, page_url)
    if detail_url is None and date_text is None:
        return SetAside(title, body_text, NO_LINK_NO_DATE, block_fingerprint)
    byline = None
    if paragraphs and (match := BYLINE.match(paragraphs[0])):
        byline = fold(match["name"] or match["bare"])
        paragraphs = paragraphs[1:]
    date = parse_date_line(date_text) if date_text else None
    item_id = item_id_from_url(detail_url) if detail_url else None
    return Record(
        id=item_id or linkless_item_id(section, title, date_text or ""),
        url=detail_url,
        section=section,
        title=title,
        date=date.date if date else None,
        date_precision=date.precision if date else None,
        date_text=date_text,
        update_number=date.update_number if date else None,
        byline=byline,
        summary="\n\n".join(paragraphs),
        image_caption=_image_caption(scan),
        position=position,
        page_url=page_url,
        fingerprint=block_fingerprint,
    )


def _date_element(scan: _ItemScan, heading: Tag) -> Tag | None:
    """The element that prints the date: marked as such, else a short date line.

    An unmarked date line must be a paragraph of the item itself, so that a
    date inside a summary or a notice's text is never taken for one. Neither
    may hold the heading or sit inside it.
    """
    related = {id(heading), *map(id, heading.parents), *map(id, heading.descendants)}
    for candidate in scan.marked_dates:
        if id(candidate) not in related:
            return candidate
    for candidate in scan.lines:
        if id(candidate) not in related and _reads_as_date_line(
            element_text(candidate)
        ):
            return candidate
    return None


def _reads_as_date_line(text: str) -> bool:
    if not text or len(text) > _SHORT_LINE or not re.search(r"\d", text):
        return False
    return parse_date_line(text).problem != UNREADABLE


def _detail_url(
    heading: Tag, scan: _ItemScan, read_more: list[Tag], page_url: str
) -> str | None:
    """The item's own page, from its heading, its picture or its "Read more"."""
    candidates = [
        node
        for node in (heading, *heading.descendants)
        if type(node) is Tag and node.name == "a"
    ]
    if heading.parent is not None and heading.parent.name == "a":
        candidates.insert(0, heading.parent)
    candidates += [
        image.parent
        for image in scan.images
        if image.parent is not None and image.parent.name == "a"
    ]
    candidates += read_more
    for link in candidates:
        href = link.attrs.get("href")
        if isinstance(href, str) and item_id_from_url(href):
            return absolute_url(href, page_url)
    return None


def _image_caption(scan: _ItemScan) -> str | None:
    for image in scan.images:
        caption = fold(image.attrs.get("alt") or image.attrs.get("title") or "")
        if caption:
            return caption
    return None


def element_text(element: Tag) -> str:
    """The element's text, folded (a line break counts as a space).

    Cheaper than BeautifulSoup's get_text, and a heading's "Line<br>two"
    does not run together.
    """
    return fold(
        "".join(
            node
            if type(node) is NavigableString
            else " "
            if type(node) is Tag and node.name in _BREAKS
            else ""
            for node in element.descendants
        )
    )


_BREAKS = frozenset({"br", "p", "div", "li"})


def block_paragraphs(element: Tag, skip: set[int]) -> list[str]:
    """The element's text as paragraphs: one per block, `<br><br>` splits one.

    Elements in `skip` (by id) and their contents are left out. The walk is
    flat (no recursion), so a page nested a thousand deep is no problem.
    """
    runs: list[tuple[int, list[str]]] = []
    for node in element.descendants:
        kind = type(node)
        if kind is NavigableString:
            if node.isspace():
                # Spacing between inline elements: belongs wherever it falls.
                if runs:
                    runs[-1][1].append(" ")
                continue
            text = node
        elif kind is Tag and node.name == "br":
            text = _LINE_BREAK
        else:
            continue
        block = _enclosing_block(node, element, skip)
        if block is None:
            continue
        if runs and runs[-1][0] == block:
            runs[-1][1].append(text)
        else:
            runs.append((block, [text]))
    paragraphs = []
    for _, texts in runs:
        joined = "".join(texts)
        chunks = _PARAGRAPH_BREAK.split(joined) if _LINE_BREAK in joined else [joined]
        for chunk in chunks:
            text = fold(chunk.replace(_LINE_BREAK, " "))
            if text:
                paragraphs.append(text)
    return paragraphs


def _enclosing_block(node, element: Tag, skip: set[int]) -> int | None:
    """The id of the nearest block holding `node`, or None if it is left out."""
    block = None
    current = node if type(node) is Tag else node.parent
    while current is not None:
        if id(current) in skip or current.name in _SILENT:
            return None
        if block is None and current.name in _BLOCKS:
            block = id(current)
        if current is element:
            break
        current = current.parent
    return block if block is not None else id(element)
