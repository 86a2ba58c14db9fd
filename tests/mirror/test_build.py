"""The offline mirror's build: the same bytes for the same arguments, the quirks of
SITE.md in realistic proportions, and exactly the records the parser reads."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from psgmirror.cli import mirror as mirror_command
from psgmirror.site.build import build_mirror
from psgmirror.site.seeds import SEED_ITEMS
from psgscraper.parse import BoilerplateDetector, Listing, parse_listing
from psgscraper.parse.records import EMPTY_LIST, NO_LINK_NO_DATE, REPEATED
from psgscraper.site import LISTING_SECTIONS

BASE = "http://127.0.0.1:8000/"
SECTIONS = LISTING_SECTIONS
PLACEHOLDERS = {"31 December 1969", "1 January 1970", "01 January 1970"}
RECORD_FIELDS = (
    "id",
    "section",
    "title",
    "date",
    "date_precision",
    "date_text",
    "update_number",
    "byline",
    "summary",
    "image_caption",
    "position",
)

# The two seed pages of 2018 (../shared/seeds): title and date line, newest first.
SEEDS = [
    ("Indigenous organisations of the Amazon speak out against the Hydrocarbons "
     "bill", "16 September 2018"),
    ("Apurimac women study their rights", "16 September 2018"),
    ("Women pallaqueras achieve recognition", "09 September 2018"),
    ("Chavarry digs in", "09 September 2018"),
    ("BBC highlights child poisoning in Cerro de Pasco", "09 September 2018"),
    ("Fresh trouble at Las Bambas", "01 September 2018"),
    ("Further reports of illegal mining in Cenepa region", "01 September 2018"),
    ("Thanks for your generosity!", "18 August 2018"),
    ("UK Public Holiday", "18 August 2018"),
    ("BBC reports on Tintaya", "18 August 2018"),
    ("UN Human Rights Commissioner lists necessary reforms", "15 July 2018"),
    ("Formal launch of the 'Responsible Mining Index'", "08 July 2018"),
    ("Modern technology helps the environmental battle", "08 July 2018"),
    ("PSG crowdfunding campaign", "30 June 2018"),
    ("World Cup fever activates calls against racism", "30 June 2018"),
    ("Census: reading the numbers", "30 June 2018"),
    ("Campaign for Lima mayor gets under way", "24 June 2018"),
    ("Teachers start new strike", "24 June 2018"),
    ("Law to exclude Guzman and Mendoza fails, for now", "17 June 2018"),
    ("Anglo sells part of its interest in Quellaveco to Mitsubishi", "17 June 2018"),
]  # fmt: skip
SEED_BLOCKS = ["PSG Aims", "Historical Overview", "Human Rights", "Why join the PSG?"]


# -- the builds ------------------------------------------------------------------------


@dataclass
class Mirror:
    directory: Path
    summary: dict
    pages: dict
    records: list[dict]
    blocks: dict

    @classmethod
    def build(cls, directory: Path, **options) -> Mirror:
        summary = build_mirror(directory, **options)
        return cls.load(directory, summary)

    @classmethod
    def load(cls, directory: Path, summary: dict | None = None) -> Mirror:
        with open(directory / "expected.jsonl", encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines]
        return cls(
            directory,
            summary or {},
            json.loads((directory / "pages.json").read_text("utf-8")),
            records,
            json.loads((directory / "blocks.json").read_text("utf-8")),
        )

    def listing_pages(self, section: str) -> list[tuple[int, dict]]:
        """(position, route entry) of each listing page of a section, in order."""
        prefix = f"/{section}.php?position="
        pages = [
            (int(path.removeprefix(prefix)), entry)
            for path, entry in self.pages["routes"].items()
            if path.startswith(prefix)
        ]
        return sorted(pages, key=lambda page: page[0])

    def body(self, entry: dict) -> bytes:
        return (self.directory / entry["file"]).read_bytes()

    def on_page(self, section: str, position: int) -> list[dict]:
        return [
            record
            for record in self.records
            if record["section"] == section and record["listing_position"] == position
        ]

    def by_id(self) -> dict[str, dict]:
        return {record["id"]: record for record in self.records}


def page_url(section: str, position: int) -> str:
    """The URL a crawler fetches: `news.php` for page 1, as the site links it."""
    return BASE + (
        f"{section}.php?position={position}" if position else f"{section}.php"
    )


def as_parsed(record: dict) -> dict:
    """The record `parse_listing` should give, from its expected.jsonl line."""
    parsed = {field: record[field] for field in RECORD_FIELDS}
    parsed["url"] = BASE + record["path"] if record["path"] else None
    parsed["page_url"] = page_url(record["section"], record["listing_position"])
    return parsed


@dataclass
class ParsedPage:
    position: int
    raw: Listing  # parse_listing alone
    clean: Listing  # after the learning detector


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> Mirror:
    """The default build: about 1,600 items, 2003 to 2019."""
    return Mirror.build(tmp_path_factory.mktemp("mirror-default"))


@pytest.fixture(scope="module")
def parsed(default) -> dict[str, list[ParsedPage]]:
    """Every listing page parsed, one crawl's detector per section."""
    result = {}
    for section in SECTIONS:
        detector = BoilerplateDetector()
        raw = []
        for position, entry in default.listing_pages(section):
            listing = parse_listing(
                default.body(entry),
                page_url(section, position),
                content_type=entry["content_type"],
            )
            detector.learn(listing)
            raw.append((position, listing))
        result[section] = [
            ParsedPage(position, listing, detector.apply(listing))
            for position, listing in raw
        ]
    return result


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> list[Mirror]:
    """A small site at weeks 0, 1 and 2."""
    return [
        Mirror.build(
            tmp_path_factory.mktemp(f"mirror-week{week}"), items=120, week=week
        )
        for week in range(3)
    ]


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# -- the same arguments, the same bytes ------------------------------------------------


def test_the_same_arguments_write_the_same_bytes(tmp_path):
    build_mirror(tmp_path / "one", items=120, seed=7, week=2)
    build_mirror(tmp_path / "two", items=120, seed=7, week=2)
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert len(one) > 100
    assert one == two


def test_another_seed_writes_another_site(tmp_path):
    build_mirror(tmp_path / "one", items=120, seed=1)
    build_mirror(tmp_path / "two", items=120, seed=2)
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one["expected.jsonl"] != two["expected.jsonl"]
    assert one["site/news-0.html"] != two["site/news-0.html"]


def test_a_build_replaces_the_previous_one(tmp_path):
    build_mirror(tmp_path / "mirror", items=200)
    build_mirror(tmp_path / "mirror", items=60, seed=3)
    build_mirror(tmp_path / "fresh", items=60, seed=3)
    assert tree(tmp_path / "mirror") == tree(tmp_path / "fresh")


def test_the_summary_counts_what_was_written(default):
    summary = default.summary
    assert summary["items"] == len(default.records)
    assert 1500 <= summary["items"] <= 1700
    for section in SECTIONS:
        records = [r for r in default.records if r["section"] == section]
        assert summary["items_per_section"][section] == len(records)
        assert summary["pages"][section] == len(default.listing_pages(section))
        assert summary["pages"][section] == -(-len(records) // 10)
    assert summary["files"] == len(list((default.directory / "site").iterdir()))
    assert summary["week"] == 0 and summary["added"] == summary["edited"] == []


# -- what the parser reads -------------------------------------------------------------


def test_every_listing_page_parses_to_its_expected_records(default, parsed):
    mismatches = []
    for section in SECTIONS:
        for page in parsed[section]:
            got = [item.as_dict() for item in page.clean.items]
            want = [as_parsed(r) for r in default.on_page(section, page.position)]
            if got != want:
                mismatches.append(
                    (section, page.position, _first_difference(got, want))
                )
    assert not mismatches, mismatches[:5]


def _first_difference(got: list[dict], want: list[dict]):
    if len(got) != len(want):
        return f"{len(got)} items, expected {len(want)}"
    for mine, theirs in zip(got, want, strict=True):
        diff = {k: (mine[k], theirs[k]) for k in theirs if mine[k] != theirs[k]}
        if diff:
            return theirs["id"], diff
    return None


def test_only_the_learned_block_separates_parse_listing_from_a_crawl(default, parsed):
    """parse_listing alone gives the same items plus the event notice, last."""
    learned = default.blocks["learned_only"]
    for section in SECTIONS:
        for page in parsed[section]:
            extra = [item.title for item in page.raw.items[len(page.clean.items) :]]
            assert extra in ([], [learned]), (section, page.position)
            assert page.raw.items[: len(page.clean.items)] == page.clean.items


def test_every_record_is_on_exactly_one_listing_page(default, parsed):
    ids = [
        item.id
        for section in SECTIONS
        for p in parsed[section]
        for item in p.clean.items
    ]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(record["id"] for record in default.records)


def test_pages_hold_ten_items_newest_first(default):
    for section in SECTIONS:
        records = [r for r in default.records if r["section"] == section]
        per_page = Counter(r["listing_position"] for r in records)
        assert set(per_page) == {10 * n for n in range(len(per_page))}
        last = max(per_page)
        assert all(
            count == 10 for position, count in per_page.items() if position < last
        )
        assert 1 <= per_page[last] <= 10
        numbers = [int(r["id"].removeprefix("article-")) for r in records if r["path"]]
        assert numbers == sorted(numbers, reverse=True)
        days = [r["date"] for r in records if r["date_precision"] == "day"]
        assert days == sorted(days, reverse=True)
        assert [r["position"] for r in records[:12]] == [*range(1, 11), 1, 2]


def test_ids_are_unique_across_sections_and_ascend_with_date(default):
    numbered = [
        (int(r["id"].removeprefix("article-")), r["date"])
        for r in default.records
        if r["path"] and r["date_precision"] == "day"
    ]
    assert len({number for number, _ in numbered}) == len(numbered)
    by_number = [date for _, date in sorted(numbered)]
    assert by_number == sorted(by_number)
    assert by_number[0].startswith("2003-01") and by_number[-1].startswith("2019-03")


def test_pagination_links_newer_and_older(default, parsed):
    for section in SECTIONS:
        pages = parsed[section]
        for number, page in enumerate(pages):
            newer = page_url(section, pages[number - 1].position) if number else None
            older = (
                page_url(section, pages[number + 1].position)
                if number + 1 < len(pages)
                else None
            )
            assert (page.raw.newer, page.raw.older) == (newer, older), page.position


def test_a_position_past_the_end_gets_an_empty_list(default):
    for section in SECTIONS:
        entry = default.pages["listings"][f"/{section}.php"]["past_end"]
        listing = parse_listing(
            default.body(entry),
            BASE + f"{section}.php?position=99990",
            content_type=entry["content_type"],
        )
        assert listing.items == () and listing.reason == EMPTY_LIST
        assert listing.older is None and listing.newer is None


def test_the_home_page_shows_the_latest_items_date_first(default):
    entry = default.pages["routes"]["/"]
    assert default.pages["routes"]["/index.php"] == entry
    listing = parse_listing(
        default.body(entry), BASE, content_type=entry["content_type"]
    )
    latest = sorted(
        (r for r in default.records if r["path"]),
        key=lambda r: int(r["id"].removeprefix("article-")),
        reverse=True,
    )[:6]
    assert [item.id for item in listing.items] == [r["id"] for r in latest]
    for item, record in zip(listing.items, latest, strict=True):
        assert (item.section, item.title, item.date, item.date_text) == (
            "home",
            record["title"],
            record["date"],
            record["date_text"],
        )
        assert record["summary"].startswith(item.summary)
    assert re.search(
        rb'<div id="latest">\s*<h2>[^<]*</h2>\s*<ul>\s*<li>\s*<p class="date">',
        default.body(entry),
    )


# -- the seeds -------------------------------------------------------------------------


def test_the_seed_items_are_there_as_published(default):
    wanted = set(SEEDS)
    seeds = [
        r
        for r in default.records
        if r["section"] == "news" and (r["title"], r["date_text"]) in wanted
    ]
    assert [(r["title"], r["date_text"]) for r in seeds] == SEEDS
    for record in seeds:
        assert record["date_precision"] == "day" and record["path"]
        assert record["byline"] is None and record["update_number"] is None
    summaries = {r["title"]: r["summary"] for r in seeds}
    for seed in SEED_ITEMS:
        assert summaries[seed.title] == " ".join(seed.summary.split())
    # The site's non-breaking space, folded by the parser to a plain space.
    assert (
        "the High Commissioner for Human Rights has sent a letter"
        in summaries["UN Human Rights Commissioner lists necessary reforms"]
    )
    assert summaries[
        "Anglo sells part of its interest in Quellaveco to Mitsubishi"
    ] == (
        "Anglo American announced on 14 June that it has agreed to sell 21.9% of its "
        "share in Quellaveco in the Moquegua region for US$600 million to Mitsubishi."
    )
    assert summaries["Chavarry digs in"].startswith(
        "Voices calling for the resignation of the Fiscal de la Nación, Pedro Gonzalo "
        "Chávarry, continue"
    )
    assert (
        "Peru’s major mining centres"
        in summaries["BBC highlights child poisoning in Cerro de Pasco"]
    )


def test_the_seed_pages_end_with_the_four_seed_blocks(default, parsed):
    first_page = parsed["news"][0].raw
    assert [block.title for block in first_page.set_aside] == SEED_BLOCKS


# -- the quirks, in proportion ---------------------------------------------------------


def _is_reversed_two_month(record: dict) -> bool:
    match = re.search(r"(\w+) / (\w+) \d{4}$", record["date_text"])
    return bool(match) and _month(match[1]) > _month(match[2])


def _month(name: str) -> int:
    return [
        "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December",
    ].index(name) + 1  # fmt: skip


QUIRKS = {
    # name: (is it there, least share, most share, least count)
    "picture": (lambda r: r["image_caption"] is not None, 0.10, 0.20, 100),
    "byline": (lambda r: r["byline"] is not None, 0.06, 0.14, 60),
    "Update number": (lambda r: r["update_number"] is not None, 0.04, 0.15, 40),
    "zero-padded day": (lambda r: r["date_text"][:1] == "0", 0.04, 0.25, 40),
    "several paragraphs": (lambda r: "\n\n" in r["summary"], 0.2, 0.6, 200),
    "placeholder date": (lambda r: r["date_text"] in PLACEHOLDERS, 0.002, 0.01, 3),
    "two-month issue": (lambda r: r["date_precision"] == "month", 0.003, 0.02, 4),
    "two months, later first": (_is_reversed_two_month, 0.0005, 0.02, 1),
    "number without the word": (
        lambda r: r["update_number"] is not None and r["date_text"][0].isdigit(),
        0.001,
        0.01,
        2,
    ),
    "stray punctuation": (lambda r: r["date_text"].startswith(". "), 0.001, 0.01, 2),
    "link-less heading": (lambda r: r["path"] is None, 0.002, 0.015, 3),
    "listed twice": (lambda r: r["duplicate_of"] is not None, 0.001, 0.008, 2),
    "Peruís typo": (lambda r: "Peruís" in r["summary"], 0.001, 0.03, 2),
    "ampersand": (lambda r: "&" in r["title"] + r["summary"], 0.01, 0.2, 10),
    "news (not articles)": (lambda r: r["section"] == "news", 0.65, 0.75, 1000),
}


@pytest.mark.parametrize("quirk", QUIRKS)
def test_quirk_proportions(default, quirk):
    is_there, least, most, at_least = QUIRKS[quirk]
    count = sum(1 for record in default.records if is_there(record))
    share = count / len(default.records)
    assert count >= at_least and least <= share <= most, (count, share)


def test_bylines_are_mostly_on_articles(default):
    sections = Counter(r["section"] for r in default.records if r["byline"])
    assert sections["articles"] > 2 * sections["news"] > 0
    assert all(
        re.fullmatch(r"[^()]+", r["byline"]) for r in default.records if r["byline"]
    )


def test_update_numbers_follow_the_newsletter(default):
    """Update 102 was February 2004, one issue every two months (SITE.md's examples:
    106 in November 2004, 133 in April/May 2009, 134 in June/July 2009)."""
    for record in default.records:
        if record["update_number"] is None:
            continue
        year, month = map(int, record["date"][:7].split("-"))
        months = (year - 2004) * 12 + month - 2
        assert record["update_number"] == 102 + months // 2, record["date_text"]
        assert record["section"] == "articles" and year <= 2012


def test_placeholder_dates_have_no_date(default):
    placeholders = [r for r in default.records if r["date_text"] in PLACEHOLDERS]
    assert placeholders
    for record in placeholders:
        assert (record["date"], record["date_precision"]) == (None, None)


def test_read_more_links_on_about_a_third(default):
    labels = re.compile(r">\s*(?:Read more|More|Full story)\b[^<]*</a>", re.I)
    count = sum(
        len(labels.findall(default.body(entry).decode("latin-1")))
        for section in SECTIONS
        for _, entry in default.listing_pages(section)
    )
    assert 0.2 <= count / len(default.records) <= 0.4


def test_about_one_listing_page_in_five_is_windows_1252_labelled_latin_1(default):
    pages = [e for s in SECTIONS for _, e in default.listing_pages(s)]
    latin = [e for e in pages if e["content_type"] == "text/html; charset=iso-8859-1"]
    assert 0.12 <= len(latin) / len(pages) <= 0.28
    for entry in latin:
        body = default.body(entry)
        assert re.search(rb'(?i)content="text/html; charset=iso-8859-1"', body)
        assert re.search(rb"[\x91-\x97]", body), entry["file"]  # ’ “ ” – and kin
        assert re.search(rb"[\xc0-\xff]", body), entry["file"]  # accented names
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    others = [e for e in pages if e not in latin]
    assert all(e["content_type"] == "text/html; charset=utf-8" for e in others)


def test_characters_outside_windows_1252_are_numeric_entities(default):
    """On a windows-1252 page, each character of its items that windows-1252
    lacks (CO₂'s subscript two, say) is written as a numeric entity."""
    lacking = 0
    for section in SECTIONS:
        for position, entry in default.listing_pages(section):
            if "iso-8859-1" not in entry["content_type"]:
                continue
            body = default.body(entry)
            for record in default.on_page(section, position):
                text = "".join(
                    record[f] or ""
                    for f in ("title", "summary", "byline", "image_caption")
                )
                for char in {c for c in text if not _in_windows_1252(c)}:
                    assert f"&#{ord(char)};".encode() in body, (entry["file"], char)
                    lacking += 1
    assert lacking >= 1
    assert any("CO₂" in r["summary"] for r in default.records)


def _in_windows_1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


# The mirror's eras of markup (psgmirror/site/render.py), by the year of a
# listing page's newest item: html4 2003-2008, xhtml 2009-2013, modern 2014 on.
ERAS = ("html4", "xhtml", "modern")


def era_of_year(year: int) -> str:
    return "html4" if year < 2009 else "xhtml" if year < 2014 else "modern"


EVERY_ERA = set(ERAS)
LATER = {"xhtml", "modern"}
# form: (pattern, the eras every page of which has it, the eras some page of
# which has it); no page of any other era has it.
MARKUP = {
    "HTML 4 doctype": (
        rb"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4\.01", {"html4"}, {"html4"}
    ),
    "XHTML doctype": (rb"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1\.0", LATER, LATER),
    "self-closed void tags": (rb"<meta [^>]*/>", LATER, LATER),
    "indented by nesting": (rb'\n  <div id="header">\n    <a ', {"modern"}, {"modern"}),
    "upper-case tags": (
        rb"<LI>\s*(?:<A HREF=[^>]+><IMG[^>]+></A>\s*)?<H3>", set(), {"html4"}
    ),
    "<br><br> inside a paragraph": (rb"<(?:br|BR)><(?:br|BR)>\n", set(), {"html4"}),
    "<i> for emphasis": (rb"<(?:i|I)>[^<]+</(?:i|I)>", set(), {"html4"}),
    "named entities": (rb"&(?:eacute|rsquo|aacute|iacute|oacute);", set(), EVERY_ERA),
    "numeric entities": (rb"&#(?:8217|233|243|237);", set(), LATER),
    "a picture before the title": (
        rb"<(?:img|IMG) [^>]*(?:alt|ALT)=\"[^\"]+\"[^>]*>(?:</(?:a|A)>)?\s*<(?:h3|H3)>",
        set(),
        EVERY_ERA,
    ),
    "a link inside a summary": (
        rb"<(?:p|P)>[^<]*<(?:a|A) (?:href|HREF)=\"http://www\.", set(), EVERY_ERA
    ),
    "a summary citing another item": (
        rb"[Ss]ee also\s+<(?:a|A) (?:href|HREF)=\"article-\d+\.html\">our earlier",
        set(),
        EVERY_ERA,
    ),
    "emphasis inside a summary": (
        rb"<(?:em|i|I)>[^<]+</(?:em|i|I)>", set(), EVERY_ERA
    ),
    "an unlinked heading": (
        rb"<(?:h3|H3)>[^<]+</(?:h3|H3)>\s*<(?:p|P) (?:class|CLASS)=\"date\"",
        set(),
        EVERY_ERA,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def pages_by_era(default) -> dict[str, list[bytes]]:
    """Each listing page's bytes, by the era of its newest dated item."""
    by_era = {era: [] for era in ERAS}
    for section in SECTIONS:
        for position, entry in default.listing_pages(section):
            dated = [r for r in default.on_page(section, position) if r["date"]]
            era = era_of_year(int(dated[0]["date"][:4]))
            by_era[era].append(default.body(entry))
    return by_era


def test_every_era_has_listing_pages(pages_by_era):
    assert all(len(pages) >= 10 for pages in pages_by_era.values())


@pytest.mark.parametrize("form", MARKUP)
def test_markup_varies_by_era_within_site_md(pages_by_era, form):
    """Each era's pages in its own markup: the form on every page of the eras
    that always use it, on some page of the eras that use it, on none else."""
    pattern, on_every_page, on_some_page = MARKUP[form]
    for era, pages in pages_by_era.items():
        having = sum(1 for body in pages if re.search(pattern, body))
        if era in on_every_page:
            assert having == len(pages), (era, having, len(pages))
        elif era in on_some_page:
            assert having > 0, era
        else:
            assert having == 0, (era, having)


def test_recurring_titles_are_different_items(default):
    titles = Counter(r["title"] for r in default.records if not r["duplicate_of"])
    for title in ("Letter from Puno", "UK Public Holiday", "Christmas break"):
        same = [r for r in default.records if r["title"] == title]
        assert len(same) >= 3, title
        assert len({r["date_text"] for r in same}) == len(same)
    assert sum(1 for t in titles if t.startswith("Editorial: ") and titles[t] > 1) >= 3
    keys = [
        (r["section"], r["title"].casefold(), r["date_text"].casefold())
        for r in default.records
        if not r["duplicate_of"]
    ]
    assert len(keys) == len(set(keys))


def test_a_piece_listed_twice_is_the_next_id_right_above_the_first(default):
    records = default.records
    twice = [(i, r) for i, r in enumerate(records) if r["duplicate_of"]]
    assert twice
    for index, second in twice:
        first = records[index + 1]  # newest first: the first listing comes next
        assert first["id"] == second["duplicate_of"] and first["duplicate_of"] is None
        assert int(second["id"][8:]) == int(first["id"][8:]) + 1
        same = ("section", "title", "date_text", "summary", "byline", "image_caption")
        assert {k: second[k] for k in same} == {k: first[k] for k in same}


def test_a_link_less_item_citing_another_has_no_link_of_its_own(default, parsed):
    """The link in its summary points at another item's page: not its own."""
    citing = [
        r
        for r in default.records
        if r["path"] is None and r["summary"].endswith("See also our earlier report.")
    ]
    assert citing
    items = {
        item.id: item
        for pages in parsed.values()
        for p in pages
        for item in p.clean.items
    }
    for record in citing:
        assert items[record["id"]].url is None
        assert record["id"].startswith(f"{record['section']}-")


def test_short_notices_are_dated_items(default):
    notices = [r for r in default.records if r["title"] == "UK Public Holiday"]
    assert len(notices) >= 5
    assert all(r["date"] and r["path"] and r["section"] == "news" for r in notices)


# -- boilerplate -----------------------------------------------------------------------


def test_the_structural_rule_sets_aside_every_other_block(default, parsed):
    expected: dict[str, list[str]] = {}
    for block in default.blocks["blocks"]:
        if block["caught_by"] == "structure":
            for route in block["pages"]:
                expected.setdefault(route, []).append(block["title"])
    for section in SECTIONS:
        for page in parsed[section]:
            route = f"/{section}.php?position={page.position}"
            set_aside = [(b.title, b.reason) for b in page.raw.set_aside]
            assert set_aside == [(t, NO_LINK_NO_DATE) for t in expected[route]], route


def test_only_the_learning_detector_catches_the_event_notice(default, parsed):
    title = default.blocks["learned_only"]
    (block,) = [b for b in default.blocks["blocks"] if b["title"] == title]
    assert block["caught_by"] == "learning" and block["date_line"]
    for section in SECTIONS:
        routes = [r for r in block["pages"] if r.startswith(f"/{section}.php")]
        assert len(routes) >= 3, section
        for page in parsed[section]:
            route = f"/{section}.php?position={page.position}"
            raw_titles = [item.title for item in page.raw.items]
            assert (title in raw_titles) == (route in routes)
            assert title not in [item.title for item in page.clean.items]
            if route in routes:
                assert (title, REPEATED) in [
                    (b.title, b.reason) for b in page.clean.set_aside
                ]


def test_blocks_change_over_the_years(default):
    blocks = default.blocks["blocks"]
    titles = [b["title"] for b in blocks]
    assert titles.count("PSG Aims") == 2  # an older text, then the seeds' one
    for title in [*SEED_BLOCKS, "Join the Peru Support Group"]:
        assert title in titles
    appeals = [
        b
        for b in blocks
        if "appeal" in b["text"].lower() or "donat" in b["text"].lower()
    ]
    assert appeals and all(len(b["pages"]) < 40 for b in appeals)
    item_titles = {r["title"] for r in default.records}
    assert not item_titles & set(titles)


# -- the item pages --------------------------------------------------------------------


def test_every_linked_item_has_its_page(default):
    routes = default.pages["routes"]
    for record in default.records:
        if record["path"] is None:
            assert not any(r.endswith(record["id"]) for r in routes)
            continue
        entry = routes["/" + record["path"]]
        page = lxml.html.document_fromstring(default.body(entry).decode("utf-8"))
        main = page.get_element_by_id("main")
        assert _text(main.find(".//h1")) == record["title"]
        assert _text(main.find(".//p[@class='date']")) == record["date_text"]
        paragraphs = [_text(p) for p in main.find(".//div[@class='article']")]
        if record["byline"]:
            assert paragraphs.pop(0) == f"(Written by {record['byline']})"
        summary = record["summary"].split("\n\n")
        assert paragraphs[: len(summary)] == summary
        assert page.get_element_by_id("sidebar").find(".//h3") is not None


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_robots_txt(default):
    entry = default.pages["routes"]["/robots.txt"]
    assert entry["content_type"] == "text/plain"
    assert default.body(entry) == b"User-agent: *\nDisallow: /admin/\n"


def test_pages_json_lists_every_file_with_its_length(default):
    entries = list(default.pages["routes"].values())
    entries += [listing["past_end"] for listing in default.pages["listings"].values()]
    files = {entry["file"] for entry in entries}
    assert files == {f"site/{p.name}" for p in (default.directory / "site").iterdir()}
    for entry in entries:
        assert (default.directory / entry["file"]).stat().st_size == entry["length"]


# -- later weeks -----------------------------------------------------------------------


def test_a_week_later_the_new_items_are_on_top(weeks):
    before, after = weeks[0], weeks[1]
    new = set(after.by_id()) - set(before.by_id())
    assert new == set(after.summary["added"])
    sections = Counter(after.by_id()[i]["section"] for i in new)
    assert 2 <= sections["news"] <= 3 and sections["articles"] == 1
    for section in SECTIONS:
        first = [r["id"] for r in after.on_page(section, 0)][: sections[section]]
        assert set(first) == {i for i in new if after.by_id()[i]["section"] == section}
    newest_before = max(int(i[8:]) for i in before.by_id() if i.startswith("article-"))
    assert all(int(i[8:]) > newest_before for i in new)


def test_a_week_later_every_listing_page_has_shifted(weeks):
    before, after = weeks[0], weeks[1]
    for section in SECTIONS:
        for position, _ in before.listing_pages(section):
            ids_before = [r["id"] for r in before.on_page(section, position)]
            ids_after = [r["id"] for r in after.on_page(section, position)]
            assert ids_before != ids_after, (section, position)


def test_a_week_later_old_items_keep_their_ids_and_only_edits_change(weeks):
    before, after = weeks[0].by_id(), weeks[1].by_id()
    assert set(before) <= set(after)
    edited = {i for i in before if before[i]["summary"] != after[i]["summary"]}
    assert edited == set(weeks[1].summary["edited"]) and 1 <= len(edited) <= 2
    moved = {"listing_position", "position", "summary", "body"}  # an edit: its text
    for item_id, record in before.items():
        unchanged = {k: v for k, v in record.items() if k not in moved}
        assert unchanged == {k: v for k, v in after[item_id].items() if k not in moved}
    for item_id in edited:
        assert after[item_id]["listing_position"] == 0
        assert item_id not in weeks[1].summary["added"]


def test_edits_accumulate(weeks):
    first, second = weeks[1].by_id(), weeks[2].by_id()
    for item_id in weeks[1].summary["edited"]:
        if item_id not in weeks[2].summary["edited"]:
            assert second[item_id]["summary"] == first[item_id]["summary"]
    for item_id in weeks[2].summary["edited"]:
        assert second[item_id]["summary"] != first[item_id]["summary"]


@pytest.mark.parametrize("week", [1, 2])
def test_an_incremental_crawl_needs_the_first_two_pages(weeks, week):
    """Page 1 holds everything new or edited; page 2 only what last week showed."""
    last_week, this_week = weeks[week - 1].by_id(), weeks[week]
    for section in SECTIONS:
        for position in (10, 20):
            for record in this_week.on_page(section, position):
                known = last_week[record["id"]]
                assert record["summary"] == known["summary"], (section, position)


# -- the command -----------------------------------------------------------------------


def test_mirror_build_command(tmp_path):
    result = CliRunner().invoke(
        mirror_command, ["build", str(tmp_path / "m"), "--items", "60", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"\d+ items \(news \d+ on \d+ pages?, articles \d+ on \d+ pages?\): "
        r"\d+ files in .*/m/site\n",
        result.output,
    )
    assert (tmp_path / "m" / "pages.json").is_file()
    assert (tmp_path / "m" / "site" / "news-0.html").is_file()


@pytest.mark.parametrize(
    "args", [["--items", "-1"], ["--week", "-2"], ["--seed", "x"]], ids=str
)
def test_mirror_build_command_refuses_bad_numbers(tmp_path, args):
    result = CliRunner().invoke(mirror_command, ["build", str(tmp_path / "m"), *args])
    assert result.exit_code == 2
    assert not (tmp_path / "m").exists()
