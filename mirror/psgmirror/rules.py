"""What an archive keeps of the site's text and how it names an item, for the
mirror's answer keys (expected.jsonl, expected.json, the WordPress records).

The rules are SITE.md's ("Text", "A listing page"), written here from it and
not imported from psgscraper.parse: an answer key that called the parser it
checks would agree with the parser's mistakes.
"""

from __future__ import annotations

import hashlib


def fold(text: str) -> str:
    """White space as the archive keeps it: every run, non-breaking too, one space."""
    return " ".join(text.split())


def fold_key(text: str) -> str:
    """What two texts have in common when they differ only in spacing and case:
    two listings with the same section, title and date line are one piece."""
    return fold(text).casefold()


def linkless_item_id(section: str, title: str, date_line: str) -> str:
    """The archive's id of an item whose heading has no link.

    SITE.md: its identity comes from its section, normalised title and date
    line. The archive writes it as the section, a hyphen, and the first 12 hex
    digits of the SHA-1 of the three (folded, case-folded), one a line.
    """
    identity = f"{section}\n{fold_key(title)}\n{fold_key(date_line)}"
    digest = hashlib.sha1(identity.encode()).hexdigest()
    return f"{section}-{digest[:12]}"
