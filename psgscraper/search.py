"""What a researcher types in the search box, read as SQLite's FTS5 reads it.

The box takes words (each matched whole, in any order), `"a phrase"`,
`OR` between two terms, `-word` to leave out items with that word, and
`word*` for every word beginning so. `fts_query` turns that into an FTS5
query in which every word is quoted, so that nothing typed is taken for
FTS5's own syntax (`AND`, `NEAR`, `:`, `^`); what cannot be read raises
`SearchError` with a message to show beside the box.

The index stems English words (Porter: "mining" is kept as "mine"), and
FTS5 matches a prefix against the stems, where `minin*` finds nothing. So a
prefix also asks for the words it begins with the common suffixes, or the
rest of one, written out (`mining`, `mininged`...): FTS5 stems each as it
stemmed the text, so a word beginning so is found by its stem, and a
written-out word that no text has matches nothing.

`date_bound` reads the "from" and "to" boxes: a year, a month or a day.
"""

from __future__ import annotations

import re
from datetime import date

# One term: a quoted phrase, or a run of anything but spaces and quotes.
_TERM = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# English suffixes the Porter stemmer strips; a prefix may end part-way
# through one (`minin` is `mining` but its last letter).
SUFFIXES = (
    "s", "es", "ies", "ied", "ed", "ing", "ings", "e", "y", "ly", "ally",
    "er", "ers", "or", "ors", "ion", "ions", "ation", "ations", "al", "ial",
    "ment", "ments", "ness", "ity", "ities", "ive", "ize", "ized", "izing",
    "ise", "ised", "ising", "ic", "ical", "ance", "ence", "able", "ible", "ant",
    "ent", "ism", "ist", "ists", "ous", "ful",
)  # fmt: skip
_ENDINGS = sorted(
    {suffix[start:] for suffix in SUFFIXES for start in range(len(suffix))}
)

SYNTAX_HELP = (
    'Words are matched whole, in any order. "a phrase" matches those words '
    "together; OR between two terms matches either; -word leaves out items "
    "with that word; minin* matches every word that begins so."
)


class SearchError(ValueError):
    """A search that cannot be read; the message says why, for the reader."""


def fts_query(text: str) -> str:
    """The FTS5 query for what was typed; SearchError if nothing can be read.

    Terms are ANDed; `OR` joins the terms on its sides; `-word` and
    `-"a phrase"` are left out (`NOT`), after everything else.
    """
    wanted: list[str] = []  # terms or "OR"
    unwanted: list[str] = []
    if text.count('"') % 2:
        raise SearchError('A quotation mark is not closed: "like this".')
    for match in _TERM.finditer(text):
        negated, phrase, star, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                wanted.append("OR")
                continue
            negated, star = ("-" if bare.startswith("-") else ""), bare.endswith("*")
            words = _WORD.findall(bare)
        else:
            words = _WORD.findall(phrase)
        if not words:
            continue
        if star and len(words) == 1:
            term = prefix_term(words[0])
        else:
            term = '"' + " ".join(words) + '"' + ("*" if star else "")
        (unwanted if negated else wanted).append(term)
    positive = _joined(wanted)
    if not positive:
        if unwanted:
            raise SearchError(
                "Say what to look for as well as what to leave out "
                "(-word alone matches nothing)."
            )
        raise SearchError("Type a word to look for.")
    return " NOT ".join([f"({positive})", *unwanted])


def prefix_term(prefix: str) -> str:
    """Every word beginning with `prefix`, in an index of stems: the prefix
    itself, and the words it begins with a suffix (or a suffix's end) added."""
    words = " OR ".join(f'"{prefix}{ending}"' for ending in _ENDINGS)
    return f'("{prefix}"* OR {words})'


def _joined(terms: list[str]) -> str:
    """Terms ANDed, `OR` kept between two terms; a stray `OR` dropped."""
    out: list[str] = []
    for term in terms:
        if term == "OR":
            if out and out[-1] != "OR":
                out.append("OR")
            continue
        out.append(term)
    while out and out[-1] == "OR":
        out.pop()
    return " ".join(out)


def date_bound(text: str, *, end: bool) -> str | None:
    """`2015`, `2015-03` or `2015-03-14` as the first day it covers (or, with
    `end`, the last); None for an empty box; SearchError otherwise."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if match is None:
        raise SearchError(f"{text!r} is not a year, a month or a day (2015-03-14).")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            return date(year, month, day).isoformat()
        if month is not None:
            first = date(year, month, 1)
            if not end:
                return first.isoformat()
            following = date(year + month // 12, month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1).isoformat()
    except ValueError:
        raise SearchError(f"{text!r} is not a date.") from None
    return f"{year:04d}-12-31" if end else f"{year:04d}-01-01"
