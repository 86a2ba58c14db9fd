"""The README's deployment, run: Debian's nginx with the README's site in front
of `psg serve` started as the README's systemd unit starts it.

Only the ports, the cache directory and the paths are changed; nginx runs as
root in a directory of its own (its own nginx.conf holding the README's
site), and stops with the test.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import PROJECT, free_port, get_from, query, served_copy, wait_for
from lxml import etree
from markupsafe import escape

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not (Path(NGINX).exists() and os.geteuid() == 0),
    reason="needs Debian's nginx, run as root: `make test` installs it as root "
    "on Debian, or `apt-get install nginx`",
)
DB = "psg"


def readme_block(heading: str) -> str:
    """The indented block after the README line that names `heading`."""
    lines = (PROJECT / "README.md").read_text().splitlines()
    (start,) = [n for n, line in enumerate(lines) if heading in line]
    block = []
    for line in lines[start + 1 :]:
        if line and not line.startswith("    "):
            if block:
                break
            continue
        block.append(line[4:])
    return "\n".join(block).strip() + "\n"


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def serve_command(db: Path, port: int) -> list[str]:
    """The unit's ExecStart, for this archive and port."""
    unit = readme_block("/etc/systemd/system/psg-serve.service")
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit, re.M)
    words = shlex.split(exec_start)
    assert words[0] == "/srv/psgscraper/.venv/bin/psg"
    options = " ".join(words[1:])
    options = changed(options, "--db data/psg.db", f"--db {db}")
    options = changed(options, "--port 8001", f"--port {port}")
    return options.split()


@dataclass
class Deployed:
    base: str  # nginx's address
    work: Path  # nginx's directory, with its nginx.conf
    log: Path  # psg serve's access log
    db: Path
    serve: subprocess.Popen


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, crawled_week0):
    """The archive served as the README deploys it."""
    work = tmp_path_factory.mktemp("deployment")
    db = served_copy(crawled_week0.db, work)
    serve_port, nginx_port = free_port(), free_port()
    site = readme_block("/etc/nginx/sites-available/psg-archive")
    site = changed(site, "listen 80;", f"listen 127.0.0.1:{nginx_port};")
    site = changed(site, "server 127.0.0.1:8001;", f"server 127.0.0.1:{serve_port};")
    site = changed(site, "/var/cache/nginx/psg", str(work / "cache"))
    (work / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\npid {work}/nginx.pid;\n"
        f"error_log {work}/error.log;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n"
        f"  access_log {work}/access.log;\n"
        + "".join(
            f"  {kind}_temp_path {work}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + site
        + "}\n"
    )
    log = work / "serve.log"
    with open(log, "wb") as output:
        serve = subprocess.Popen(
            [sys.executable, "-m", "psgscraper", *serve_command(db, serve_port),
             "--access-log"],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        nginx = subprocess.Popen(
            [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{nginx_port}"
        try:
            wait_for(f"{base}/-/versions.json")
            yield Deployed(base, work, log, db, serve)
        finally:
            for process in (nginx, serve):
                process.terminate()
                process.wait(timeout=30)


def test_the_readme_site_passes_nginx_test(deployed):
    work = deployed.work
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(work), "-c", str(work / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


def test_pages_and_search_come_through_and_item_pages_are_cached(deployed):
    base, db = deployed.base, deployed.db
    (item_id, title) = query(db, "SELECT id, title FROM items ORDER BY id LIMIT 1")[0]
    first = get_from("127.0.0.2", f"{base}/{DB}/items/{item_id}")
    second = get_from("127.0.0.2", f"{base}/{DB}/items/{item_id}")
    assert first.status == second.status == 200
    assert first.headers["x-cache-status"] == "MISS"
    assert second.headers["x-cache-status"] == "HIT"
    assert second.body == first.body and escape(title).encode() in first.body
    search = get_from("127.0.0.2", f"{base}/{DB}/search?text=mining")
    assert search.status == 200 and b"<mark>" in search.body.lower()
    assert "x-cache-status" not in search.headers  # a query always reaches psg serve


def test_a_whole_table_streams_as_csv_through_nginx(deployed):
    base, db = deployed.base, deployed.db
    answer = get_from("127.0.0.2", f"{base}/{DB}/items.csv?_stream=on")
    assert answer.status == 200
    ids = [row["id"] for row in csv.DictReader(io.StringIO(answer.body.decode()))]
    assert sorted(ids) == [i for (i,) in query(db, "SELECT id FROM items ORDER BY id")]


def test_the_sitemap_names_pages_at_the_address_readers_use(deployed):
    base = deployed.base
    index = etree.fromstring(get_from("127.0.0.2", f"{base}/sitemap.xml").body)
    locs = [loc.text for loc in index.iter("{*}loc")]
    assert locs and all(loc.startswith(f"{base}/sitemap-{DB}-") for loc in locs)
    assert get_from("127.0.0.2", locs[-1]).status == 200


def test_fair_sharing_sees_each_client_through_nginx(deployed):
    base, log = deployed.base, deployed.log
    until = time.monotonic() + 5
    abused, read = [], []

    def loop(address, path, answers):
        while time.monotonic() < until:
            answer = get_from(address, base + path)
            answers.append((answer.status, answer.headers.get("retry-after")))

    threads = [
        threading.Thread(
            target=loop, args=("127.0.0.30", f"/{DB}/items?_search=the", abused)
        )
        for _ in range(6)  # one client on six connections
    ] + [
        threading.Thread(
            target=loop, args=("127.0.0.31", f"/{DB}/search?text=peru", read)
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert read and {status for status, _ in read} == {200}
    refused = [after for status, after in abused if status == 429]
    assert refused and all(after and after.isdigit() for after in refused)
    assert {status for status, _ in abused} <= {200, 429}
    logged = log.read_text()
    assert re.search(r"127\.0\.0\.30:\d+ - \"GET /psg/items\?_search=the", logged)
    assert re.search(r"127\.0\.0\.31:\d+ - \"GET /psg/search\?text=peru", logged)
    # every request came through nginx, from 127.0.0.1, and is logged as its client's
    assert not re.search(r"127\.0\.0\.1:\d+ - \"GET /psg/", logged)


def test_cached_pages_are_given_while_psg_serve_is_down(deployed):
    """Last, as it stops psg serve: nginx answers from its cache meanwhile."""
    base, db = deployed.base, deployed.db
    (item_id,) = query(db, "SELECT id FROM items ORDER BY id DESC LIMIT 1")[0]
    page = f"{base}/{DB}/items/{item_id}"
    assert get_from("127.0.0.2", page).status == 200  # now in the cache
    deployed.serve.terminate()
    deployed.serve.wait(timeout=30)
    cached = get_from("127.0.0.2", page)
    assert cached.status == 200 and cached.headers["x-cache-status"] == "HIT"
    assert get_from("127.0.0.2", f"{base}/{DB}/search?text=peru").status == 502
