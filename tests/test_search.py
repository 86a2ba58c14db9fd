"""What the search box takes, read as FTS5 reads it."""

from __future__ import annotations

import sqlite3

import pytest

from psgscraper.search import SearchError, date_bound, fts_query


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("mining conflict", '("mining" "conflict")'),
        ('"truth commission"', '("truth commission")'),
        ("Conga OR Tía María", '("Conga" OR "Tía" "María")'),
        ("mining -Conga", '("mining") NOT "Conga"'),
        ('mining -"Tía María"', '("mining") NOT "Tía María"'),
        # FTS5's own syntax is taken as words; words joined by punctuation
        # are one phrase, as the index reads them.
        ('"truth commi"*', '("truth commi"*)'),
        ("Cajamarca AND NEAR(x)", '("Cajamarca" "AND" "NEAR x")'),
        ("title:Conga ^Bagua", '("title Conga" "Bagua")'),
        ("Tía-María", '("Tía María")'),
        # A stray OR is dropped.
        ("OR Conga OR", '("Conga")'),
    ],
)
def test_what_is_typed_becomes_an_fts5_query(typed, query):
    assert fts_query(typed) == query


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type a word"),
        ("OR", "Type a word"),
        ("-Conga", "as well as what to leave out"),
        ('"truth commission', "quotation mark is not closed"),
    ],
)
def test_a_search_that_cannot_be_read_says_why(typed, says):
    with pytest.raises(SearchError, match=says):
        fts_query(typed)


@pytest.mark.parametrize(
    "typed",
    ["mining conflict", '"truth commission"', "a OR b -c", "minin*", 'x -"y z"',
     "AND OR NOT", "NEAR(a b)", "col:x", "(a", "a)", "*", "-"],
)  # fmt: skip
def test_every_query_it_makes_is_one_fts5_reads(typed):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    try:
        query = fts_query(typed)
    except SearchError:
        return
    conn.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("2015", "2015-01-01", "2015-12-31"),
        ("2015-02", "2015-02-01", "2015-02-28"),
        ("2016-2", "2016-02-01", "2016-02-29"),
        ("2015-12", "2015-12-01", "2015-12-31"),
        ("2015-03-14", "2015-03-14", "2015-03-14"),
        (" ", None, None),
    ],
)
def test_a_date_box_takes_a_year_a_month_or_a_day(typed, start, end):
    assert date_bound(typed, end=False) == start
    assert date_bound(typed, end=True) == end


@pytest.mark.parametrize("typed", ["20x", "2015-13", "2015-02-30", "March 2015"])
def test_a_date_box_refuses_what_is_no_date(typed):
    with pytest.raises(SearchError):
        date_bound(typed, end=False)


def _porter_index(*texts: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    conn.executemany("INSERT INTO t (text) VALUES (?)", [(text,) for text in texts])
    return conn


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        # The index keeps "mining" as "mine": the prefix still finds it.
        ("minin*", {"the mining conflict", "new mines open"}),
        ("mine*", {"the mining conflict", "new mines open"}),
        ("ministe*", {"the minister resigned"}),
        ("conflic*", {"the mining conflict"}),
        ("minimu*", {"a minimum wage"}),
        ("minin* -conflict", {"new mines open"}),
    ],
)
def test_a_prefix_finds_the_words_it_begins_in_an_index_of_stems(typed, found):
    texts = ["the mining conflict", "new mines open", "the minister resigned",
             "a minimum wage"]  # fmt: skip
    conn = _porter_index(*texts)
    rows = conn.execute("SELECT text FROM t WHERE t MATCH ?", (fts_query(typed),))
    assert {row[0] for row in rows} == found
