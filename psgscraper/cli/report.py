"""What the commands report on standard error: a page, a crawl, counts, sizes,
and the crawl's line per page."""

from __future__ import annotations

import logging

from ..parse import Listing


def show_progress(quiet: bool) -> None:
    """The crawl's line per page on standard error, unless quiet."""
    logger = logging.getLogger("psgscraper.crawl")
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def crawl_summary(crawl: dict, seconds: float) -> str:
    """The end-of-crawl report: status and figures, as in the crawls row."""
    return (
        f"crawl {crawl['id']} {crawl['status']} in {seconds:.1f}s: "
        f"{plural(crawl['pages'], 'page')}, {plural(crawl['requests'], 'request')}, "
        f"items seen {crawl['items_seen']} / new {crawl['items_new']} / "
        f"changed {crawl['items_changed']}, "
        f"{plural(crawl['blocks_set_aside'], 'block')} set aside, "
        + (
            f"{plural(crawl['item_pages'], 'item page')} "
            f"({crawl['item_page_errors']} without text), "
            if crawl["item_pages"]
            else ""
        )
        + f"{plural(crawl['errors'], 'error')}"
    )


def captures_summary(outcomes: dict[str, int]) -> str:
    """What became of the captures a Wayback crawl recorded, by outcome."""
    if not outcomes:
        return "none new"
    return ", ".join(
        f"{count} {outcome}" for outcome, count in sorted(outcomes.items())
    )


def summary_line(listing: Listing) -> str:
    """One line on what a page gave: items, blocks set aside, dates, pagination."""
    line = f"{listing.page_url} ({listing.section or 'section unknown'}): "
    line += plural(len(listing.items), "item")
    if listing.reason:
        line += f" ({listing.reason})"
    titles_by_reason: dict[str, list[str]] = {}
    for block in listing.set_aside:
        titles_by_reason.setdefault(block.reason, []).append(block.title or "?")
    line += ", " + plural(len(listing.set_aside), "block") + " set aside"
    if titles_by_reason:
        reasons = [f"{why}: {', '.join(t)}" for why, t in titles_by_reason.items()]
        line += f" ({'; '.join(reasons)})"
    line += ", " + plural(len(listing.unreadable_dates), "unreadable date line")
    if listing.unreadable_dates:
        line += f" ({', '.join(map(repr, listing.unreadable_dates))})"
    if listing.newer:
        line += f", newer: {listing.newer}"
    if listing.older:
        line += f", older: {listing.older}"
    return line


def plural(number: int, noun: str) -> str:
    """`1 page`, `2 pages`."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def file_size(size: int) -> str:
    """Bytes in KB below a megabyte, in MB from there."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
