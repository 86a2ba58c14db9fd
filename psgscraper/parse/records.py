"""What the parser returns: records, set-aside blocks and the listing around them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

# Why a page gave no items.
EMPTY_BODY = "empty body"
NOT_HTML = "no HTML markup"
BINARY = "binary content"
NO_LIST = "no item list on the page"
EMPTY_LIST = "the item list is empty"

# Why a block was set aside.
NO_LINK_NO_DATE = "no detail link and no date line"
REPEATED = "repeated block"


@dataclass(frozen=True, slots=True)
class Record:
    """One published item, as the archive stores it."""

    id: str
    url: str | None
    section: str | None
    title: str
    date: str | None
    date_precision: str | None
    date_text: str | None
    update_number: int | None
    byline: str | None
    summary: str
    image_caption: str | None
    position: int
    page_url: str
    fingerprint: str = field(repr=False, compare=False)

    def as_dict(self) -> dict:
        """The record's fields, without the parser's fingerprint."""
        return {f.name: getattr(self, f.name) for f in RECORD_FIELDS}


RECORD_FIELDS = tuple(f for f in fields(Record) if f.name != "fingerprint")


@dataclass(frozen=True, slots=True)
class SetAside:
    """A block of the item list that is not news, and why it was set aside."""

    title: str
    text: str
    reason: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Listing:
    """Everything `parse_listing` found on one page.

    `reason` says why a page gave no items (None when it gave some);
    `unreadable_dates` holds the date lines that named no real date; `last`
    is the highest-numbered page the pagination links to, when it shows one.
    """

    page_url: str
    section: str | None
    items: tuple[Record, ...] = ()
    set_aside: tuple[SetAside, ...] = ()
    newer: str | None = None
    older: str | None = None
    reason: str | None = None
    unreadable_dates: tuple[str, ...] = ()
    last: str | None = None

    def without(self, fingerprints: set[str], reason: str) -> Listing:
        """This listing with the items of these fingerprints moved to `set_aside`."""
        kept = [item for item in self.items if item.fingerprint not in fingerprints]
        if len(kept) == len(self.items):
            return self
        moved = [
            SetAside(item.title, item.summary, reason, item.fingerprint)
            for item in self.items
            if item.fingerprint in fingerprints
        ]
        kept = [replace(item, position=rank) for rank, item in enumerate(kept, 1)]
        return replace(
            self,
            items=tuple(kept),
            set_aside=self.set_aside + tuple(moved),
            reason=self.reason if kept else EMPTY_LIST,
        )
