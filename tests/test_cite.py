"""An item's citations: CSL-JSON, the three styles, RIS and BibTeX read back."""

from __future__ import annotations

import json

import pytest
import rispy
from helpers import bibtex_entries

from psgscraper import cite
from psgscraper.site import LIVE_SITE

PAGE = f"{LIVE_SITE}article-915.html"
CAPTURE = f"https://web.archive.org/web/20260102030405/{PAGE}"

ITEM = {
    "id": "article-915",
    "url": "http://127.0.0.1:8000/article-915.html",  # the mirror it was crawled on
    "title": "Conga mine protests spread to Celendín",
    "date": "2012-05-03",
    "date_precision": "day",
    "date_text": "3 May 2012",
    "section": "articles",
    "update_number": 150,
    "byline": "Catherine Ward from Lima",
    "summary": "Protests spread.\n\nThe government declared a state of emergency.",
    "first_seen": "2026-01-02T03:04:05+00:00",
}

# A title with every character TeX, RIS or HTML could take for markup.
# (The BibTeX reader decodes \\textasciicircum{} as U+02C6, so no caret here.)
HOSTILE_TITLE = "<script>alert(1)</script> 100% & {x} $y_z #1 ~a \\c"


def item(**changes) -> dict:
    return {**ITEM, **changes}


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("Catherine Ward from Lima", "Catherine Ward"),
        ("Pedro Mamani Condori from Puno", "Pedro Mamani Condori"),
        ("Lucía Ñahui", "Lucía Ñahui"),
        (None, "Peru Support Group"),
        ("", "Peru Support Group"),
        ("  ", "Peru Support Group"),
    ],
)
def test_the_author_is_the_bylines_name_or_else_the_group(byline, name):
    row = item(byline=byline)
    assert cite.author(row) == name
    assert cite.csl_item(row)["author"] == [{"literal": name}]
    assert rispy.loads(cite.ris([row]))[0]["authors"] == [name]
    (entry,) = bibtex_entries(cite.bibtex([row]))
    assert entry["author"] == name
    for style, text in cite.citations(row).items():
        assert text.startswith(name), style


@pytest.mark.parametrize(
    ("date", "precision", "parts", "ris_date"),
    [
        ("2012-05-03", "day", [2012, 5, 3], "2012/05/03/"),
        ("2012-05", "month", [2012, 5], "2012/05//"),
        ("2012", "year", [2012], "2012///"),
        # A date without its precision is read at the precision it is written.
        ("2012-05", None, [2012, 5], "2012/05//"),
        # A day date asked at a coarser precision keeps only that.
        ("2012-05-03", "year", [2012], "2012///"),
    ],
)
def test_the_date_is_cited_at_its_precision(date, precision, parts, ris_date):
    row = item(date=date, date_precision=precision)
    assert cite.csl_item(row)["issued"] == {"date-parts": [parts]}
    (entry,) = rispy.loads(cite.ris([row]))
    assert (entry["year"], entry["date"]) == ("2012", ris_date)
    (bib,) = bibtex_entries(cite.bibtex([row]))
    assert bib["year"] == "2012"
    assert bib["date"] == "-".join(f"{p:02d}" for p in parts)
    assert ("month" in bib) == (len(parts) > 1)
    for style, text in cite.citations(row).items():
        assert "2012" in text, style
    if len(parts) > 1:
        assert "May" in cite.formatted(row, "mla")


@pytest.mark.parametrize(
    "date", [None, "", "not a date", "2012-13-01", "2012-02-30", "0000"]
)
def test_an_item_without_a_date_is_cited_undated(date):
    row = item(date=date, date_precision=None)
    assert "issued" not in cite.csl_item(row)
    assert cite.formatted(row, "apa").startswith("Catherine Ward. (n.d.).")
    assert "n.d." in cite.formatted(row, "chicago")
    (entry,) = rispy.loads(cite.ris([row]))
    assert "year" not in entry and "date" not in entry
    (bib,) = bibtex_entries(cite.bibtex([row]))
    assert "year" not in bib and "date" not in bib


def test_the_csl_item_names_the_page_the_capture_and_the_newsletter():
    assert cite.csl_item(ITEM) == {
        "id": "article-915",
        "type": cite.CSL_TYPE,
        "title": ITEM["title"],
        "container-title": "Peru Update",
        "issue": "150",
        "publisher": "Peru Support Group",
        "author": [{"literal": "Catherine Ward"}],
        "issued": {"date-parts": [[2012, 5, 3]]},
        # The site's page as published, not the copy it was crawled from.
        "URL": PAGE,
        "accessed": {"date-parts": [[2026, 1, 2]]},
        "archive": "Internet Archive Wayback Machine",
        "archive_location": CAPTURE,
        "abstract": ITEM["summary"],
    }


def test_an_item_without_a_number_is_of_the_sites_news():
    row = item(update_number=None)
    csl = cite.csl_item(row)
    assert csl["container-title"] == "Peru Support Group news"
    assert "issue" not in csl
    assert "150" not in cite.formatted(row, "mla")
    assert "number" not in bibtex_entries(cite.bibtex([row]))[0]


@pytest.mark.parametrize(
    ("row", "page"),
    [
        (ITEM, PAGE),
        # A current-site post: its own link.
        (item(id="/2021/03/mining/", url="https://perusupportgroup.org.uk/2021/03/mining/"),
         "https://perusupportgroup.org.uk/2021/03/mining/"),
        # An item without a link: no page, no capture.
        (item(id="news-0123456789ab", url=None), None),
        (item(id="news-0123456789ab", url="article-915.html"), None),
    ],
)  # fmt: skip
def test_the_url_is_the_page_as_published(row, page):
    csl = cite.csl_item(row)
    assert csl.get("URL") == page
    capture = page and f"https://web.archive.org/web/20260102030405/{page}"
    assert csl.get("archive_location") == capture
    assert rispy.loads(cite.ris([row]))[0].get("urls", []) == [
        url for url in (page, capture) if url
    ]
    (bib,) = bibtex_entries(cite.bibtex([row]))
    assert bib.get("url") == page
    assert (capture in bib["note"]) if capture else "note" not in bib
    for style, text in cite.citations(row).items():
        assert (page in text) if page else "http" not in text, style


@pytest.mark.parametrize(
    ("first_seen", "day", "stamp"),
    [
        ("2026-01-02T03:04:05+00:00", [2026, 1, 2], "20260102030405"),
        ("2026-01-02T00:30:00+01:00", [2026, 1, 1], "20260101233000"),
        (None, None, None),
        ("yesterday", None, None),
    ],
)
def test_accessed_is_the_first_sighting(first_seen, day, stamp):
    row = item(first_seen=first_seen)
    csl = cite.csl_item(row)
    assert csl.get("accessed") == (day and {"date-parts": [day]})
    assert csl.get("archive_location") == (
        stamp and f"https://web.archive.org/web/{stamp}/{PAGE}"
    )
    ris_day = day and "/".join(f"{p:02d}" for p in day)
    assert rispy.loads(cite.ris([row]))[0].get("access_date") == ris_day
    bib_day = day and "-".join(f"{p:02d}" for p in day)
    assert bibtex_entries(cite.bibtex([row]))[0].get("urldate") == bib_day


@pytest.mark.parametrize("style", list(cite.STYLES))
def test_each_style_gives_the_title_author_year_and_url(style):
    text = cite.formatted(ITEM, style)
    for part in ("Conga", "Celendín", "Catherine Ward", "2012", PAGE, "Peru Update"):
        assert part in text, (style, part, text)
    assert "\n" not in text


def test_the_styles_are_apa_chicago_and_mla():
    assert list(cite.citations(ITEM)) == ["APA", "Chicago (author-date)", "MLA"]
    texts = list(cite.citations(ITEM).values())
    assert len(set(texts)) == 3
    # Each style as it is written: APA's date in brackets, Chicago's quoted
    # title-case title, MLA's number, month and year.
    assert "(2012)" in texts[0]
    assert "“Conga Mine Protests Spread to Celendín”" in texts[1]
    assert "no. 150, May 2012," in texts[2]


def test_markup_in_a_title_is_kept_as_text_everywhere():
    row = item(title=HOSTILE_TITLE, summary="a & b\n\nc", byline="A {B} from Lima")
    assert cite.csl_item(row)["title"] == HOSTILE_TITLE
    for style, text in cite.citations(row).items():
        assert "<script>alert(1)</script>" in text, style
    assert json.loads(cite.csl_json([row]))[0]["title"] == HOSTILE_TITLE
    (entry,) = rispy.loads(cite.ris([row]))
    assert (entry["title"], entry["abstract"]) == (HOSTILE_TITLE, "a & b c")
    (bib,) = bibtex_entries(cite.bibtex([row]))
    assert bib["title"] == HOSTILE_TITLE
    assert bib["author"] == "A {B}"
    assert bib["abstract"] == "a & b c"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("\\", r"\textbackslash{}"),
        ("{", r"\{"),
        ("}", r"\}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("$", r"\$"),
        ("#", r"\#"),
        ("_", r"\_"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
        ("a\n\nb  c", "a b c"),
        ("Ñahui’s “Perú”", "Ñahui’s “Perú”"),
    ],
)
def test_bibtex_text_escapes_what_tex_reads_as_markup(text, written):
    assert cite.bibtex_text(text) == written


def test_many_items_are_many_records_each_with_its_own_key():
    rows = [
        ITEM,
        item(id="article-916", title="Second"),
        item(id="/2021/03/mining/", url="https://perusupportgroup.org.uk/x/"),
        item(id="-2021-03-mining", title="Same key once sanitised"),
        item(id="news-0123456789ab", url=None, byline=None, date=None),
    ]
    assert [r["id"] for r in json.loads(cite.csl_json(rows))] == [r["id"] for r in rows]
    assert [e["id"] for e in rispy.loads(cite.ris(rows))] == [r["id"] for r in rows]
    keys = [e["key"] for e in bibtex_entries(cite.bibtex(rows))]
    assert keys == ["article-915", "article-916", "2021-03-mining",
                    "2021-03-mining-2", "news-0123456789ab"]  # fmt: skip


def test_no_items_are_empty_files():
    assert json.loads(cite.csl_json([])) == []
    assert rispy.loads(cite.ris([])) == []
    assert bibtex_entries(cite.bibtex([])) == []


@pytest.mark.parametrize(
    "missing",
    ["title", "summary", "byline", "url", "date", "first_seen", "update_number",
     "date_precision"],
)  # fmt: skip
def test_a_row_lacking_a_column_is_cited_without_it(missing):
    row = {k: v for k, v in ITEM.items() if k != missing}
    for style, text in cite.citations(row).items():
        assert text, style
    assert len(rispy.loads(cite.ris([row]))) == 1
    assert len(bibtex_entries(cite.bibtex([row]))) == 1
    assert json.loads(cite.csl_json([row]))[0]["id"] == "article-915"
