"""WARC files: written record by record, read back whole records only."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from psgscraper.fetched import archive_time, capture_time
from psgscraper.warc import CrawlWarc, Unanswered, WarcError, WarcFile, warc_files

PAGE = "<html><body><h1>News</h1><p>Caf\u00e9 \u2019quoted\u2019</p></body></html>"


def write_crawl(path: Path, pages: int = 3, outcome: dict | None = None) -> list:
    """A small WARC file as a crawl writes it; returns the bodies written."""
    warc = WarcFile(path, {"psg-crawl": "7", "psg-base-url": "http://example.org/"})
    bodies = []
    for number in range(pages):
        body = f"{PAGE}<!-- page {number} -->".encode()
        warc.write_exchange(
            f"http://example.org/news.php?position={number * 10}",
            method="GET",
            request_headers=[("User-Agent", "psgscraper"), ("Accept", "text/html")],
            status=200,
            response_headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Transfer-Encoding", "chunked"),
            ],
            body=body,
            captured_at=capture_time(),
            ip_address="127.0.0.1",
        )
        bodies.append(body)
    warc.close(outcome)
    return bodies


def test_records_round_trip_with_info_and_outcome(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    bodies = write_crawl(path, outcome={"status": "ok", "requests": "4"})
    warc = CrawlWarc.open(path)
    assert warc.info["psg-crawl"] == "7"
    assert warc.info["format"] == "WARC File Format 1.1"
    captures = list(warc.responses())
    assert [capture.body for capture in captures] == bodies
    assert [capture.status for capture in captures] == [200, 200, 200]
    assert captures[1].url == "http://example.org/news.php?position=10"
    assert captures[0].content_type == "text/html; charset=utf-8"
    assert warc.outcome == {"status": "ok", "requests": "4"}


def test_a_request_with_no_answer_is_read_back_in_its_place(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    warc = WarcFile(path, {"psg-crawl": "7"})
    at = capture_time()
    warc.write_unanswered("http://example.org/article-5.html", "timed\r\nout", at)
    warc.close({"status": "ok"})
    warc = CrawlWarc.open(path)
    answers = list(warc.answers())
    assert answers == [Unanswered("http://example.org/article-5.html", "timed out", at)]
    assert list(warc.responses()) == []
    assert warc.outcome == {"status": "ok"}
    warcio = Path(sys.executable).with_name("warcio")
    checked = subprocess.run([warcio, "check", path], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_every_record_is_its_own_gzip_member_with_digests(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_crawl(path, pages=2, outcome={"status": "ok"})
    with open(path, "rb") as stream:
        records = list(_records(stream))
    assert [kind for kind, _ in records] == [
        "warcinfo",
        "response",
        "request",
        "response",
        "request",
        "metadata",
    ]
    assert all(passed for _, passed in records)
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert text.count("WARC/1.1\r\n") == 6
    # The payload is kept de-chunked, so the header saying otherwise is dropped.
    assert "Transfer-Encoding" not in text
    assert "WARC-IP-Address: 127.0.0.1" in text


def _records(stream):
    for record in ArchiveIterator(stream, check_digests=True):
        record.content_stream().read()
        yield record.rec_type, record.digest_checker.passed is not False


def test_warcio_check_passes(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_crawl(path, outcome={"status": "ok"})
    warcio = Path(sys.executable).with_name("warcio")
    checked = subprocess.run(
        [warcio, "check", "-v", path], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.count("digest pass") == 8


def test_a_file_cut_anywhere_gives_only_whole_records(tmp_path):
    whole = tmp_path / "whole.warc.gz"
    bodies = write_crawl(whole, pages=4, outcome={"status": "ok"})
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    first_response = data.index(b"\x1f\x8b", 1)  # the warcinfo member ends here
    seen = set()
    for end in range(first_response, len(data), 23):
        cut.write_bytes(data[:end])
        warc = CrawlWarc.open(cut)
        read = [capture.body for capture in warc.responses()]
        assert read == bodies[: len(read)], end
        # Only the gzip trailer (CRC and size, 8 bytes) may go missing from a
        # record read whole.
        assert warc.outcome is None or end >= len(data) - 8
        seen.add(len(read))
    assert seen == {0, 1, 2, 3, 4}


def test_capture_times_keep_microseconds_and_read_as_archive_times():
    warc_date = capture_time()
    assert warc_date.endswith("Z") and "." in warc_date
    assert archive_time("2019-03-04T05:06:07.891011Z") == "2019-03-04T05:06:07+00:00"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no whole WARC record"),
        (b"<html>not a WARC</html>", "not a WARC file"),
        (b"\x1f\x8b\x08\x00garbage", "WARC"),
    ],
    ids=["empty", "html", "broken-gzip"],
)
def test_a_file_that_is_not_a_warc_is_refused(tmp_path, content, message):
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(content)
    with pytest.raises(WarcError, match=message):
        CrawlWarc.open(path)


def test_a_new_file_never_replaces_an_old_one(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_crawl(path)
    before = path.read_bytes()
    with pytest.raises(WarcError, match="cannot write"):
        WarcFile(path, {})
    assert path.read_bytes() == before


def test_warc_files_below_a_directory(tmp_path):
    for name in ("b.warc.gz", "a.warc", "sub/c.warc.gz", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = [path.relative_to(tmp_path).as_posix() for path in warc_files(tmp_path)]
    assert found == ["a.warc", "b.warc.gz", "sub/c.warc.gz"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(WarcError, match=r"no \.warc"):
        warc_files(tmp_path / "empty")
    with pytest.raises(WarcError, match="no such file"):
        warc_files(tmp_path / "missing")


def test_the_last_user_of_a_shared_file_ends_it(tmp_path):
    path = tmp_path / "shared.warc.gz"
    first = WarcFile.shared(path, {"psg-crawl": "1"})
    second = WarcFile.shared(path, {"psg-crawl": "1"})
    assert first is second
    first.release({"status": "failed"})
    second.release({"status": "ok"})
    warc = CrawlWarc.open(path)
    list(warc.responses())
    assert warc.outcome == {"status": "ok"}


def test_a_compressed_answer_is_kept_as_sent_and_read_back_decoded(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    sent = gzip.compress(PAGE.encode())
    warc = WarcFile(path, {"psg-crawl": "1"})
    warc.write_exchange(
        "http://example.org/news.php",
        method="GET",
        request_headers=[("Accept-Encoding", "gzip")],
        status=200,
        response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        body=sent,
        captured_at=capture_time(),
    )
    warc.close({"status": "ok"})
    with open(path, "rb") as stream:
        payloads = [
            record.raw_stream.read()
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        ]
    assert payloads == [sent]  # the payload as the host sent it
    assert [capture.body for capture in CrawlWarc.open(path).responses()] == [
        PAGE.encode()
    ]
