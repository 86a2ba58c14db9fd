"""The `psg parse` command: records on stdout, a summary on stderr, clear exits."""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import FIXTURES

from psgscraper.cli import cli

SITE = "http://www.perusupportgroup.org.uk"
NEWS_URL = f"{SITE}/news.php"


def psg_parse(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["parse", *map(str, args)])
    # Whatever happens, the command exits; it never ends in a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def records(result: Result) -> list[dict]:
    """Each stdout line as JSON; the output must be UTF-8."""
    return [
        json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()
    ]


# -- the seed pages -----------------------------------------------------------

SEED_CASES = [
    pytest.param(
        "seed-news-0.html",
        NEWS_URL,
        list(range(1236, 1226, -1)),
        "Indigenous organisations of the Amazon speak out against the "
        "Hydrocarbons bill",
        "2018-09-16",
        None,
        f"{NEWS_URL}?position=10",
        id="seed-news-0",
    ),
    pytest.param(
        "seed-news-20.html",
        f"{NEWS_URL}?position=20",
        list(range(1216, 1206, -1)),
        "UN Human Rights Commissioner lists necessary reforms",
        "2018-07-15",
        f"{NEWS_URL}?position=10",
        f"{NEWS_URL}?position=30",
        id="seed-news-20",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "url", "numbers", "first_title", "first_date", "newer", "older"),
    SEED_CASES,
)
def test_parse_seed_page(
    fixture: str,
    url: str,
    numbers: list[int],
    first_title: str,
    first_date: str,
    newer: str | None,
    older: str,
) -> None:
    result = psg_parse(FIXTURES / fixture, "--url", url)

    assert result.exit_code == 0, result.stderr
    lines = records(result)
    assert [line["id"] for line in lines] == [f"article-{n}" for n in numbers]
    assert [line["url"] for line in lines] == [
        f"{SITE}/article-{n}.html" for n in numbers
    ]
    assert [line["position"] for line in lines] == list(range(1, 11))
    assert {line["section"] for line in lines} == {"news"}
    assert {line["page_url"] for line in lines} == {url}
    assert lines[0]["title"] == first_title
    assert lines[0]["date"] == first_date

    summary = result.stderr
    assert "10 items" in summary
    assert "4 blocks set aside" in summary
    for title in (
        "PSG Aims",
        "Historical Overview",
        "Human Rights",
        "Why join the PSG?",
    ):
        assert title in summary
    assert f"older: {older}" in summary
    if newer:
        assert f"newer: {newer}" in summary
    else:
        assert "newer:" not in summary


def test_output_is_utf8_json_with_text_unescaped() -> None:
    result = psg_parse(FIXTURES / "seed-news-0.html", "--url", NEWS_URL)

    assert result.exit_code == 0, result.stderr
    assert "Bartolomé".encode() in result.stdout_bytes
    by_id = {line["id"]: line for line in records(result)}
    assert "Centro Bartolomé de las Casas" in by_id["article-1235"]["summary"]
    assert "BBC\u2019s website" in by_id["article-1232"]["summary"]
    assert by_id["article-1234"]["image_caption"] == "Artisanal gold mining in Puno"


@pytest.mark.parametrize(
    "encoding_args",
    [[], ["--encoding", "windows-1252"], ["--encoding", "iso-8859-1"]],
    ids=["declared", "windows-1252", "iso-8859-1"],
)
def test_windows_1252_page_keeps_curly_quotes(encoding_args: list[str]) -> None:
    result = psg_parse(
        FIXTURES / "seed-news-20.html",
        "--url",
        f"{NEWS_URL}?position=20",
        *encoding_args,
    )

    assert result.exit_code == 0, result.stderr
    by_id = {line["id"]: line for line in records(result)}
    assert "world\u2019s biggest football event" in by_id["article-1212"]["summary"]


def test_url_defaults_to_the_file() -> None:
    path = FIXTURES / "seed-news-0.html"
    result = psg_parse(path)

    assert result.exit_code == 0, result.stderr
    lines = records(result)
    assert len(lines) == 10
    assert {line["page_url"] for line in lines} == {path.resolve().as_uri()}
    assert lines[0]["url"] == (FIXTURES / "article-1236.html").resolve().as_uri()
    assert lines[0]["section"] == "news"  # from the page's own <h1>


# -- not a listing page -------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"\x00" * 512, "binary content", id="nul-bytes"),
        pytest.param(bytes(range(256)) * 8, "binary content", id="all-bytes"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
            "binary content",
            id="png",
        ),
        pytest.param(
            b"Just some notes.\nNo markup here at all.\n", "not an HTML page", id="text"
        ),
        pytest.param(b"", "empty body", id="empty"),
        pytest.param(b"  \n\t\r\n ", "empty body", id="blank"),
    ],
)
def test_not_an_html_page_exits_1(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content)

    result = psg_parse(path, "--url", NEWS_URL)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "not an HTML page" in result.stderr
    assert reason in result.stderr


def test_page_without_a_list_exits_1_naming_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>hello</p></body></html>")

    result = psg_parse(path, "--url", NEWS_URL)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no item list on the page" in result.stderr
    assert "layout" in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = psg_parse(tmp_path / "nowhere.html")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "neither a file nor an http(s) URL" in result.stderr


def test_unknown_encoding_exits_2() -> None:
    result = psg_parse(FIXTURES / "seed-news-0.html", "--encoding", "no-such-codec")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--encoding" in result.stderr
    assert "no-such-codec" in result.stderr


# -- live URLs ----------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def fixture_server() -> Iterator[str]:
    """The fixtures directory served over HTTP; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_parse_fetches_a_live_url(fixture_server: str) -> None:
    url = f"{fixture_server}/seed-news-0.html"

    result = psg_parse(url)

    assert result.exit_code == 0, result.stderr
    lines = records(result)
    numbers = range(1236, 1226, -1)
    assert [line["id"] for line in lines] == [f"article-{n}" for n in numbers]
    assert [line["url"] for line in lines] == [
        f"{fixture_server}/article-{n}.html" for n in numbers
    ]
    assert {line["page_url"] for line in lines} == {url}
    assert "10 items" in result.stderr
    assert f"older: {fixture_server}/news.php?position=10" in result.stderr


def test_parse_live_url_answering_404_exits_1(fixture_server: str) -> None:
    result = psg_parse(f"{fixture_server}/no-such-page.html")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "HTTP 404" in result.stderr


def test_parse_unreachable_url_exits_1_without_traceback() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/news.php"

    result = psg_parse(url)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"cannot fetch {url}" in result.stderr
    assert "Traceback" not in result.stderr
