"""What the spiders hand to the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field

from .parse import Listing


@dataclass(frozen=True)
class Page:
    """One parsed listing page, and the blocks the crawl learned from it.

    `learned` holds fingerprints that became known as repeated blocks on this
    page: items stored earlier with those fingerprints are boilerplate too.
    """

    listing: Listing
    learned: frozenset[str] = field(default_factory=frozenset)
