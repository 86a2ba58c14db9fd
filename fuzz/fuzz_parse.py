"""`make fuzz`: the parsers under atheris, coverage-guided, for a bounded time.

    .venv/bin/python fuzz/fuzz_parse.py CORPUS_DIR [libFuzzer flags]

Every input (bytes, up to -max_len) goes to both page parsers, which must
return, never raise; libFuzzer's -timeout=1 reports any input that takes more
than a second as a hang. The Makefile seeds the corpus with the test fixtures
and stops after FUZZ_SECONDS.
"""

import sys

import atheris

with atheris.instrument_imports(include=["psgscraper", "bs4"]):
    from psgscraper.parse import parse_item_page, parse_listing

LISTING_URL = "http://www.perusupportgroup.org.uk/news.php?position=10"
ITEM_URL = "http://www.perusupportgroup.org.uk/article-1220.html"


def test_one_input(data: bytes) -> None:
    parse_listing(data, LISTING_URL)
    parse_item_page(data, ITEM_URL)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
