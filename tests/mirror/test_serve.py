"""The mirror's server: real HTTP on 127.0.0.1, answering as the PHP site did."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from psgmirror.cli import mirror as mirror_command
from psgmirror.site.build import build_mirror
from psgmirror.site.serve import MirrorError, MirrorServer
from psgscraper.parse import parse_listing
from psgscraper.parse.records import EMPTY_LIST


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("mirror")
    build_mirror(directory, items=120)
    return directory


@pytest.fixture(scope="module")
def table(built) -> dict:
    return json.loads((built / "pages.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    log = tmp_path_factory.mktemp("log") / "requests.log"
    with MirrorServer(built, log=log) as running:
        yield running


def fetch(url: str, method: str = "GET", timeout: float = 5.0):
    """(status, headers, body) of a request, whatever the status."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def file_of(built: Path, entry: dict) -> bytes:
    return (built / entry["file"]).read_bytes()


def first_article(table: dict) -> str:
    return next(path for path in table["routes"] if path.startswith("/article-"))


# -- routes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/", "/"),
        ("/index.php", "/"),
        ("/news.php", "/news.php?position=0"),
        ("/news.php?position=0", "/news.php?position=0"),
        ("/news.php?position=10", "/news.php?position=10"),
        ("/articles.php", "/articles.php?position=0"),
        ("/articles.php?position=20", "/articles.php?position=20"),
        ("/news.php?position=10&lang=es", "/news.php?position=10"),
        ("/news.php?PHPSESSID=ab12&position=20", "/news.php?position=20"),
        ("/news.php?position=010", "/news.php?position=10"),
        ("/robots.txt", "/robots.txt"),
        ("ARTICLE", "ARTICLE"),
        ("ARTICLE?from=home", "ARTICLE"),
    ],
)
def test_each_route_serves_its_file(server, built, table, path, route):
    article = first_article(table)
    path, route = path.replace("ARTICLE", article), route.replace("ARTICLE", article)
    status, headers, body = fetch(server.url.rstrip("/") + path)
    entry = table["routes"][route]
    assert status == 200
    assert body == file_of(built, entry)
    assert headers["Content-Type"] == entry["content_type"]
    assert int(headers["Content-Length"]) == len(body) == entry["length"]


@pytest.mark.parametrize("section", ["news", "articles"])
@pytest.mark.parametrize("past", [0, 1, 9999])
def test_positions_past_the_end_get_the_empty_template(
    server, built, table, section, past
):
    listing = table["listings"][f"/{section}.php"]
    position = (listing["pages"] + past) * 10
    url = f"{server.url}{section}.php?position={position}"
    status, headers, body = fetch(url)
    assert status == 200
    assert body == file_of(built, listing["past_end"])
    parsed = parse_listing(body, url, content_type=headers["Content-Type"])
    assert parsed.items == () and parsed.reason == EMPTY_LIST


@pytest.mark.parametrize(
    "path",
    [
        "/news.php?position=15",
        "/news.php?position=-10",
        "/news.php?position=abc",
        "/news.php?position=",
        "/news.php?position=1e1",
        "/articles.php?position=5",
        "/nope.html",
        "/article-99999.html",
        "/article-.html",
        "/admin/",
        "/pages.json",
        "/site/index.html",
        "/expected.jsonl",
        "/news.php/extra",
    ],
)
def test_anything_else_is_a_404_page(server, path):
    status, headers, body = fetch(server.url.rstrip("/") + path)
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Not Found" in body and int(headers["Content-Length"]) == len(body)


@pytest.mark.parametrize("path", ["/", "/news.php?position=10", "/robots.txt", "/nope"])
def test_head_answers_headers_only(server, path):
    _, get_headers, get_body = fetch(server.url.rstrip("/") + path)
    status, headers, body = fetch(server.url.rstrip("/") + path, method="HEAD")
    assert status in (200, 404) and body == b""
    assert headers["Content-Length"] == str(len(get_body))
    assert headers["Content-Type"] == get_headers["Content-Type"]


def test_content_types_are_those_of_pages_json(server, table):
    listing_routes = [p for p in table["routes"] if ".php?" in p]
    for path in [*listing_routes, "/", "/robots.txt", first_article(table)]:
        _, headers, _ = fetch(server.url.rstrip("/") + path)
        assert headers["Content-Type"] == table["routes"][path]["content_type"], path
    assert table["routes"]["/robots.txt"]["content_type"] == "text/plain"


def test_a_windows_1252_page_is_served_as_latin_1_bytes(server, table):
    latin = [
        path
        for path, entry in table["routes"].items()
        if entry["content_type"] == "text/html; charset=iso-8859-1"
    ]
    assert latin
    status, headers, body = fetch(server.url.rstrip("/") + latin[0])
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert re.search(rb"[\x91-\x97]", body)  # ’ “ ” – as windows-1252 bytes
    listing = parse_listing(
        body, server.url + latin[0][1:], content_type=headers["Content-Type"]
    )
    assert len(listing.items) == 10


def test_the_server_listens_on_loopback_only(server):
    host, port = server.server_address[:2]
    assert host == "127.0.0.1" and port > 0
    assert server.url == f"http://127.0.0.1:{port}/"


# -- the request log -------------------------------------------------------------------


def test_requests_are_listed_in_order_and_logged(built, tmp_path):
    log = tmp_path / "requests.log"
    with MirrorServer(built, log=log) as server:
        fetch(server.url)
        fetch(server.url + "robots.txt", method="HEAD")
        fetch(server.url + "news.php?position=10")
        fetch(server.url + "nope")
        requests = server.requests
    assert requests == [
        ("GET", "/", 200),
        ("HEAD", "/robots.txt", 200),
        ("GET", "/news.php?position=10", 200),
        ("GET", "/nope", 404),
    ]
    lines = log.read_text().splitlines()
    size = (built / "site" / "news-10.html").stat().st_size
    assert lines[2] == f'127.0.0.1 "GET /news.php?position=10" 200 {size}'
    assert [line.split('"')[1] for line in lines] == [
        "GET /",
        "HEAD /robots.txt",
        "GET /news.php?position=10",
        "GET /nope",
    ]


def test_other_methods_are_refused_and_listed(built):
    with MirrorServer(built, log=Path("/dev/null")) as server:
        request = urllib.request.Request(server.url, data=b"x=1", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        refused.value.close()
        assert refused.value.code == 501
        assert server.requests == [("POST", "/", 501)]


# -- latency, failures, hangs ----------------------------------------------------------


def test_latency_delays_but_answers(built):
    with MirrorServer(built, latency=0.05, log=Path("/dev/null")) as server:
        status, _, body = fetch(server.url + "news.php")
    assert status == 200 and b"<h1>News</h1>" in body


def test_failing_paths_answer_500(built):
    with MirrorServer(built, fail=r"position=10\b", log=Path("/dev/null")) as server:
        assert fetch(server.url + "news.php?position=10")[0] == 500
        assert fetch(server.url + "articles.php?position=10")[0] == 500
        assert fetch(server.url + "news.php?position=20")[0] == 200
        assert fetch(server.url + "news.php")[0] == 200
        assert server.requests[0] == ("GET", "/news.php?position=10", 500)


def test_hanging_paths_outlast_the_client_timeout(built):
    server = MirrorServer(
        built, hang=r"position=20", hang_seconds=30, log=Path("/dev/null")
    )
    with server:
        with pytest.raises((TimeoutError, urllib.error.URLError)) as timed_out:
            fetch(server.url + "news.php?position=20", timeout=0.5)
        if isinstance(timed_out.value, urllib.error.URLError):
            assert isinstance(timed_out.value.reason, TimeoutError)
        assert fetch(server.url + "news.php?position=10")[0] == 200
        # A held request is listed as it arrives, with the status it will get.
        assert server.requests == [
            ("GET", "/news.php?position=20", 200),
            ("GET", "/news.php?position=10", 200),
        ]
    # Stopping released the held request: the block ends without a 30 s wait.


def test_stop_closes_the_port(built):
    server = MirrorServer(built, log=Path("/dev/null")).start()
    port = server.server_address[1]
    assert fetch(server.url)[0] == 200
    server.stop()
    server.stop()  # a second stop is harmless
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=2),
    ):
        pass


def test_a_rebuilt_mirror_is_served_without_a_restart(tmp_path):
    build_mirror(tmp_path, items=60)
    with MirrorServer(tmp_path, log=Path("/dev/null")) as server:
        before = fetch(server.url + "news.php")[2]
        summary = build_mirror(tmp_path, items=60, week=1)
        after = fetch(server.url + "news.php")[2]
    assert before != after
    assert all(f'href="{i}.html"'.encode() in after for i in summary["added"][:1])


def test_a_directory_without_a_mirror_is_refused(tmp_path):
    with pytest.raises(MirrorError, match=r"pages\.json"):
        MirrorServer(tmp_path)


def test_a_busy_port_is_refused(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            MirrorServer(built, port=taken.getsockname()[1])


# -- the command -----------------------------------------------------------------------


def test_serve_command_refuses_a_directory_without_a_mirror(tmp_path):
    result = CliRunner().invoke(mirror_command, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert "no mirror" in result.output and "pages.json" in result.output


def test_serve_command_refuses_a_busy_port(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            mirror_command, ["serve", str(built), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGINT], ids=["term", "ctrl-c"]
)
def test_serve_command_serves_until_stopped(built, stop):
    process = subprocess.Popen(
        [sys.executable, "-m", "psgmirror", "serve", str(built), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        match = re.fullmatch(r"Serving (.+) at (http://127\.0\.0\.1:\d+/)\n", first)
        assert match and match[1] == str(built), first
        status, _, body = fetch(match[2] + "news.php?position=10")
        assert status == 200
        assert body == (built / "site" / "news-10.html").read_bytes()
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert '"GET /news.php?position=10" 200' in err
    assert out == ""
