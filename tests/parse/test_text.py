"""psgscraper.parse.text: decoding pages as a browser does, and folding their text.

The cases are SITE.md's: pages served as Windows-1252 bytes while labelled
iso-8859-1, byte-order marks, non-breaking spaces, and typography (curly
quotes, dashes, typos) that the archive keeps as published.
"""

from __future__ import annotations

import pytest
from helpers import FIXTURES
from hypothesis import given
from hypothesis import strategies as st

from psgscraper.parse.records import BINARY, EMPTY_BODY, NOT_HTML
from psgscraper.parse.text import (
    decode,
    fold,
    fold_key,
    looks_binary,
    looks_like_html,
    page_text,
)

NBSP = "\xa0"
CP1252_PERUS = b"Peru\x92s"  # Windows-1252 bytes for Peru’s
HTML = "text/html"


# -- fold ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Letter from Puno", "Letter from Puno"),
        ("Letter  from   Puno", "Letter from Puno"),
        ("  Letter from Puno \n", "Letter from Puno"),
        ("Letter\tfrom\r\nPuno", "Letter from Puno"),
        (f"Letter{NBSP}from{NBSP}{NBSP}Puno", "Letter from Puno"),
        (f"{NBSP}Letter from Puno{NBSP}", "Letter from Puno"),
        ("Letter\u2009from\u3000Puno\u2028", "Letter from Puno"),  # thin, ideographic
        ("first paragraph\n\nsecond", "first paragraph second"),
        ("", ""),
        (f" \n\t{NBSP} ", ""),
        # what the site published, kept: curly quotes, dashes, its typos
        ("Peru’s “Conga no va” – 2012", "Peru’s “Conga no va” – 2012"),
        ("Peruís  mining\u00a0boom", "Peruís mining boom"),
        ("CO₂ &amp; <b>", "CO₂ &amp; <b>"),
    ],
)
def test_fold_folds_every_run_of_white_space_to_one_space(text, folded):
    assert fold(text) == folded


@given(st.text())
def test_fold_keeps_every_other_character_in_order(text):
    folded = fold(text)
    assert folded == folded.strip(" ")
    assert "  " not in folded
    assert all(ch == " " or not ch.isspace() for ch in folded)
    assert [ch for ch in folded if ch != " "] == [ch for ch in text if not ch.isspace()]


# -- fold_key --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Letter from Puno", "LETTER FROM PUNO"),
        ("Letter from Puno", f" letter{NBSP}from\n  puno "),
        ("Editorial: Conga", "EDITORIAL:  conga"),
        ("Update 106. 30 November 2004", "UPDATE 106.\t30 november 2004"),
        ("Straße", "STRASSE"),  # case folded, not merely lowered
    ],
)
def test_fold_key_is_shared_by_texts_differing_in_case_and_spacing(one, other):
    assert fold_key(one) == fold_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Letter from Puno", "Letter from Lima"),
        ("Update 106. 30 November 2004", "Update 106. 30 November 2005"),
        ("Perú", "Peru"),  # accents are text
        ("Peru’s", "Peru's"),  # so is a curly quote
        ("Editorial: Conga", "Editorial: Conga."),
    ],
)
def test_fold_key_tells_other_texts_apart(one, other):
    assert fold_key(one) != fold_key(other)


def test_fold_key_is_folded_and_case_folded():
    assert fold_key(f"  Letter{NBSP}FROM  Puno ") == "letter from puno"


# -- decode ----------------------------------------------------------------------

# Labels that the WHATWG Encoding standard maps to windows-1252.
WINDOWS_1252_LABELS = [
    "iso-8859-1",
    "ISO-8859-1",
    '"iso-8859-1"',
    "latin1",
    "l1",
    "iso8859-1",
    "iso_8859-1",
    "us-ascii",
    "ascii",
    "windows-1252",
    "cp1252",
]


@pytest.mark.parametrize("label", WINDOWS_1252_LABELS)
def test_decode_reads_a_windows_1252_label_as_windows_1252(label):
    body = CP1252_PERUS + b" \x93Conga no va\x94 \x96 \x80 10"
    expected = "Peru’s “Conga no va” – € 10"
    assert decode(body, f"{HTML}; charset={label}") == expected
    assert decode(b"<meta charset=%s>" % label.encode() + body) == (
        f"<meta charset={label}>{expected}"
    )
    assert decode(body, encoding=label.strip('"')) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        pytest.param(
            b'<meta http-equiv="Content-Type" content="text/html; '
            b'charset=iso-8859-1"><p>Peru\x92s</p>',
            None,
            '<meta http-equiv="Content-Type" content="text/html; '
            'charset=iso-8859-1"><p>Peru’s</p>',
            id="meta http-equiv, no header",
        ),
        pytest.param(
            b"<meta charset=iso-8859-1><p>Peru\x92s</p>",
            HTML,
            "<meta charset=iso-8859-1><p>Peru’s</p>",
            id="meta charset, header without one",
        ),
        pytest.param(
            "<meta charset=iso-8859-1><p>Perú’s</p>".encode(),
            f"{HTML}; charset=utf-8",
            "<meta charset=iso-8859-1><p>Perú’s</p>",
            id="the header before the meta tag",
        ),
        pytest.param(
            b"<meta charset=utf-8><p>Peru\x92s</p>",
            f"{HTML}; charset=iso-8859-1",
            "<meta charset=utf-8><p>Peru’s</p>",
            id="the header before the meta tag, the other way",
        ),
        pytest.param(
            b"\xef\xbb\xbf<p>Peru\xe2\x80\x99s</p>",
            f"{HTML}; charset=iso-8859-1",
            "<p>Peru’s</p>",
            id="a UTF-8 BOM before the header, and removed",
        ),
        pytest.param(
            b"\xff\xfe" + "<p>Perú’s</p>".encode("utf-16-le"),
            f"{HTML}; charset=iso-8859-1",
            "<p>Perú’s</p>",
            id="a UTF-16LE BOM",
        ),
        pytest.param(
            b"\xfe\xff" + "<p>Perú’s</p>".encode("utf-16-be"),
            None,
            "<p>Perú’s</p>",
            id="a UTF-16BE BOM",
        ),
        pytest.param(
            "<p>Perú’s “Conga”</p>".encode(),
            None,
            "<p>Perú’s “Conga”</p>",
            id="undeclared, valid UTF-8",
        ),
        pytest.param(
            b"<p>Per\xfa y Peru\x92s</p>",
            None,
            "<p>Perú y Peru’s</p>",
            id="undeclared, not UTF-8: windows-1252",
        ),
        pytest.param(
            b"<p>Per\xfa y Peru\x92s</p>",
            f"{HTML}; charset=nonsense",
            "<p>Perú y Peru’s</p>",
            id="an unknown label: as if undeclared",
        ),
        pytest.param(
            "<p>Perú’s</p>".encode(),
            f"{HTML}; charset=nonsense",
            "<p>Perú’s</p>",
            id="an unknown label, valid UTF-8",
        ),
        pytest.param(
            b"<p>Peru\x92s</p>",
            f"{HTML}; charset=utf-8",
            "<p>Peru\ufffds</p>",
            id="a wrong label is obeyed, as browsers do",
        ),
        pytest.param(b"<p>plain ASCII</p>", None, "<p>plain ASCII</p>", id="ASCII"),
    ],
)
def test_decode_finds_the_encoding_as_a_browser_does(body, content_type, text):
    assert decode(body, content_type) == text


def test_decode_reads_the_seed_page_served_as_windows_1252():
    """seed-news-20.html: Windows-1252 bytes, labelled iso-8859-1 in its meta."""
    body = (FIXTURES / "seed-news-20.html").read_bytes()
    assert b'charset=iso-8859-1"' in body and b"\x92" in body
    for content_type in (None, f"{HTML}; charset=ISO-8859-1"):
        text = decode(body, content_type)
        assert "the world’s biggest football" in text
        assert "Peru’s demographic profile" in text
        assert text.count("’") == body.count(b"\x92")
        assert "\x92" not in text and "\ufffd" not in text


@pytest.mark.parametrize(
    ("content_type", "encoding", "text"),
    [
        (f"{HTML}; charset=utf-8", "iso-8859-1", "Peru’s"),
        (None, "windows-1252", "Peru’s"),
        (f"{HTML}; charset=iso-8859-1", "utf-8", "Peru\ufffds"),
    ],
)
def test_decode_uses_the_encoding_it_is_given_over_the_page_s(
    content_type, encoding, text
):
    assert decode(CP1252_PERUS, content_type, encoding) == text


def test_decode_refuses_an_unknown_encoding():
    with pytest.raises(LookupError, match="nonsense"):
        decode(CP1252_PERUS, encoding="nonsense")


@pytest.mark.parametrize("text", ["<p>Peru’s</p>", "", "Perú\x92"])
def test_decode_returns_text_as_it_is(text):
    assert decode(text, f"{HTML}; charset=iso-8859-1", "utf-16") is text


# -- page_text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        (b"<p>Peru\x92s</p>", f"{HTML}; charset=iso-8859-1", "<p>Peru’s</p>"),
        (b"\xff\xfe" + "<li>Perú</li>".encode("utf-16-le"), None, "<li>Perú</li>"),
        ("<h3>Perú</h3>", None, "<h3>Perú</h3>"),
        (b"<!DOCTYPE html><title>PSG", None, "<!DOCTYPE html><title>PSG"),
    ],
)  # fmt: skip
def test_page_text_of_a_page_is_its_decoded_text(body, content_type, text):
    assert page_text(body, content_type) == (text, None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", EMPTY_BODY),
        (b" \r\n\t ", EMPTY_BODY),
        (b"\xef\xbb\xbf \n", EMPTY_BODY),  # a BOM and white space
        (b"\xa0\xa0\n", EMPTY_BODY),  # non-breaking spaces only
        ("  \n", EMPTY_BODY),
        (b"\x00" * 64, BINARY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", BINARY),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!", BINARY),
        ("<p>x\x00\x01\x02\x03</p>", BINARY),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", NOT_HTML),
        (b"User-agent: *\nDisallow: /admin/\n", NOT_HTML),
        (b'{"id": 1220, "title": {"rendered": "Conga"}}', NOT_HTML),
        (b"<?xml version='1.0'?><rss><channel><item/></channel></rss>", NOT_HTML),
    ],
)
def test_page_text_says_why_a_body_is_no_page(body, reason):
    assert page_text(body) == (None, reason)


# -- looks_binary ----------------------------------------------------------------


def test_a_page_with_a_few_stray_control_codes_is_not_binary():
    page = (FIXTURES / "seed-news-0.html").read_bytes()
    stray = page.replace(b"</p>", b"\x0b</p>", 5).replace(b"<h3>", b"<h3>\x1b", 5)
    assert stray.count(b"\x0b") >= 5 and not looks_binary(stray)
    assert not looks_binary(stray.decode("utf-8"))


# case: (body, whether it looks binary)
CONTROL_CODES = {
    "two are never enough": (b"<p>\x01\x02</p>", False),
    "three in a short body": (b"<p>\x01\x02\x03</p>", True),
    "1% of the body": (b"a" * 990 + b"\x00" * 10, False),
    "over 1% of the body": (b"a" * 989 + b"\x00" * 11, True),
    "only the first 4 KB count": (b"a" * 4096 + b"\x00" * 4096, False),
    "DEL": (b"\x7f\x7f\x7f", True),
    "separators and shift-out": (b"\x1f\x1e\x0e", True),
    "white space is text": (b"\t\n\r\x0c" * 100, False),
    "after a UTF-8 BOM": (b"\xef\xbb\xbf\x00\x00\x00", False),
    "UTF-16LE": (b"\xff\xfe" + "<p>Perú</p>".encode("utf-16-le"), False),
    "UTF-16BE": (b"\xfe\xff" + "<p>Perú</p>".encode("utf-16-be"), False),
    "in decoded text": ("<p>\x01\x02\x03</p>", True),
    "decoded text": ("<p>Perú’s</p>", False),
}


@pytest.mark.parametrize(("body", "binary"), CONTROL_CODES.values(), ids=CONTROL_CODES)
def test_looks_binary_counts_control_codes(body, binary):
    assert looks_binary(body) is binary


# -- looks_like_html -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.html")))
def test_every_fixture_page_looks_like_html(name):
    assert looks_like_html(decode((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<!DOCTYPE html><title>PSG</title>", True),
        ("<HTML><BODY>", True),
        ("<p>Perú</p>", True),
        ('<div id="main">', True),
        ("<ul class=list><li>one</li></ul>", True),
        ("<h3>Letter from Puno</h3>", True),
        ("<table border=1>", True),
        ('<a\nhref="article-1236.html">Read more</a>', True),
        ("Letter from Puno, in plain text", False),
        ("1 < 2 and 3 > 2", False),
        ('{"title": "Conga"}', False),
        ("<?xml version='1.0'?><rss><channel><item/></channel></rss>", False),
        ("<h7>not a heading</h7>", False),
    ],
)
def test_looks_like_html_wants_a_page_s_tags(text, html):
    assert looks_like_html(text) is html
