"""The mirror as a web archive: weekly captures behind a CDX API and `id_` replay."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime

import pytest
from click.testing import CliRunner

from psgmirror.cli import mirror
from psgmirror.wayback.build import build_wayback
from psgmirror.wayback.serve import WaybackServer
from psgscraper.parse.links import stamp_time, urlkey

WEEKS = 6
FL = "timestamp,original,statuscode,mimetype,digest"


@pytest.fixture(scope="module")
def wayback(tmp_path_factory):
    directory = tmp_path_factory.mktemp("wayback")
    summary = build_wayback(directory, weeks=WEEKS, items=300)
    return directory, summary


@pytest.fixture
def server(wayback):
    with WaybackServer(wayback[0]) as running:
        yield running


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test looks at the redirect itself


OPENER = urllib.request.build_opener(_NoRedirects)


def get(server, path: str) -> tuple[int, dict, bytes]:
    try:
        with OPENER.open(server.url.rstrip("/") + path) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def cdx(server, **params) -> list[list[str]]:
    status, _, body = get(server, "/cdx/search/cdx?" + urllib.parse.urlencode(params))
    assert status == 200
    return json.loads(body)


def test_a_prefix_query_answers_in_the_cdx_json_shape(server):
    rows = cdx(server, url="perusupportgroup.org.uk/news.php", matchType="prefix",
               output="json", fl=FL, filter="statuscode:200")  # fmt: skip
    assert rows[0] == FL.split(",")
    originals = {row[1] for row in rows[1:]}
    assert {urllib.parse.urlsplit(o).hostname for o in originals} == {
        "www.perusupportgroup.org.uk",
        "perusupportgroup.org.uk",
    }
    assert all(row[2] == "200" and urlkey(row[1]).startswith(
        "uk,org,perusupportgroup)/news.php") for row in rows[1:])  # fmt: skip
    exact = cdx(
        server, url="www.perusupportgroup.org.uk/news.php", output="json", fl=FL
    )
    assert {urlkey(row[1]) for row in exact[1:]} == {
        "uk,org,perusupportgroup)/news.php"
    }


def test_collapse_by_digest_drops_the_unchanged_recapture(server):
    every = cdx(server, url="perusupportgroup.org.uk/news.php", output="json", fl=FL)
    collapsed = cdx(server, url="perusupportgroup.org.uk/news.php", output="json",
                    fl=FL, collapse="digest")  # fmt: skip
    digests = [row[4] for row in every[1:]]
    assert len(digests) == len(set(digests)) + 1  # one page captured twice
    assert [row[4] for row in collapsed[1:]] == list(dict.fromkeys(digests))


def test_resume_keys_page_through_every_capture_once(server):
    query = {"url": "perusupportgroup.org.uk/", "matchType": "prefix",
             "output": "json", "fl": "timestamp,original", "limit": "7",
             "showResumeKey": "true"}  # fmt: skip
    whole = cdx(server, **{k: v for k, v in query.items() if k != "limit"})[1:]
    seen, pages = [], 0
    resume = None
    while True:
        rows = cdx(server, **query, **({"resumeKey": resume} if resume else {}))
        pages += 1
        if len(rows) > 2 and rows[-2] == []:
            seen += rows[1:-2]
            resume = rows[-1][0]
        else:
            seen += rows[1:]
            break
    assert pages > 2
    assert seen == whole


def test_from_and_to_bound_the_captures_by_timestamp(server):
    every = cdx(server, url="perusupportgroup.org.uk/news.php", output="json", fl=FL)
    stamps = sorted(row[0] for row in every[1:])
    middle = cdx(server, url="perusupportgroup.org.uk/news.php", output="json",
                 fl=FL, **{"from": stamps[1][:8], "to": stamps[-2][:8]})  # fmt: skip
    assert sorted(row[0] for row in middle[1:]) == stamps[1:-1]


def test_replay_gives_the_capture_as_archived(server, wayback):
    directory, _ = wayback
    ((stamp, original, _, mimetype, digest),) = cdx(
        server, url="perusupportgroup.org.uk/articles.php?position=10", output="json",
        fl=FL, limit="1",
    )[1:]  # fmt: skip
    status, headers, body = get(server, f"/web/{stamp}id_/{original}")
    assert status == 200 and headers["Content-Type"] == mimetype
    assert body == (directory / "captures" / digest).read_bytes()
    dated = parsedate_to_datetime(headers["Memento-Datetime"])
    assert dated.strftime("%Y%m%d%H%M%S %Z") == f"{stamp} UTC"
    elsewhere = str(int(stamp) + 3600)  # no capture then: the nearest one
    status, headers, _ = get(server, f"/web/{elsewhere}id_/{original}")
    assert status == 302 and headers["Location"] == f"/web/{stamp}id_/{original}"


def test_the_odd_captures_a_real_archive_holds(server):
    rows = cdx(server, url="perusupportgroup.org.uk/", matchType="prefix",
               output="json", fl=FL)[1:]  # fmt: skip
    by_status = {row[2] for row in rows}
    assert {"200", "301", "404"} <= by_status
    assert any(row[3] == "image/gif" for row in rows)
    (moved,) = [row for row in rows if row[2] == "301"]
    status, headers, _ = get(server, f"/web/{moved[0]}id_/{moved[1]}")
    assert status == 301
    assert (
        headers["Location"] == f"/web/{moved[0]}id_/http://www.perusupportgroup.org.uk/"
    )


def test_a_throttled_archive_answers_429_with_retry_after(wayback):
    with WaybackServer(wayback[0], throttle=1) as throttled:
        first = get(
            throttled, "/cdx/search/cdx?url=perusupportgroup.org.uk/&output=json"
        )
        second = get(
            throttled, "/cdx/search/cdx?url=perusupportgroup.org.uk/&output=json"
        )
    assert first[0] == 429 and first[1]["Retry-After"] == "1"
    assert second[0] == 200


def test_the_answer_key_gives_each_items_first_week_and_capture(wayback):
    directory, summary = wayback
    first = json.loads((directory / "expected.json").read_text())
    captures = json.loads((directory / "index.json").read_text())
    assert summary["items"] == len(first)
    assert {seen["week"] for seen in first.values()} == set(range(WEEKS))
    times = {stamp_time(capture["timestamp"]) for capture in captures}
    assert {seen["captured"] for seen in first.values()} <= times


def test_psg_mirror_wayback_build_and_a_directory_without_captures(tmp_path):
    built = CliRunner().invoke(
        mirror, ["wayback", "build", str(tmp_path / "w"), "--weeks", "2",
                 "--items", "100"],
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    summary = r"\d+ captures \(\d+ distinct\) of \d+ items over 2 weeks in "
    assert re.fullmatch(summary + re.escape(str(tmp_path / "w")) + "\n", built.output)
    refused = CliRunner().invoke(mirror, ["wayback", "serve", str(tmp_path)])
    assert refused.exit_code == 1
    assert "holds no captures index" in refused.output
