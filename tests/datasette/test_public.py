"""`psg serve --public`: what stays open, and fair sharing among clients."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import threading
import time

import pytest
from helpers import (
    crawl,
    datasette,
    datasette_get,
    get_from,
    query,
    served_copy,
    serving,
    started_datasette,
)
from markupsafe import escape

from psgscraper.datasette.public import (
    CHEAP,
    COSTLY,
    COSTLY_SLOTS,
    PAGE_SIZE,
    STREAM,
    Busy,
    FairShare,
    PublicGate,
    lane_of,
    page_size_error,
)

DB = "psg"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, crawled_week0):
    return served_copy(crawled_week0.db, tmp_path_factory.mktemp("public"))


@pytest.fixture(scope="module")
def public(archive):
    return started_datasette(archive, public=True)


# -- what the public server keeps and drops ---------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/{DB}?sql=select+1", 403),  # no SQL of the reader's own
        (f"/{DB}/items?_where=1%3D1", 403),  # nor fragments of it
        (f"/{DB}/items", 200),
        (f"/{DB}/items?_search=mining&section=news", 200),
        (f"/{DB}/items.csv?_stream=on", 200),
        (f"/{DB}/items_per_year", 200),  # a canned query
        (f"/{DB}/search?text=mining", 200),
        (f"/{DB}/newsletter", 200),
        (f"/{DB}/places/PE-CUS", 200),
    ],
)
def test_the_public_server_keeps_reading_and_drops_arbitrary_sql(public, path, status):
    assert datasette_get(public, path).status_code == status


def test_a_whole_table_streams_as_csv_on_the_public_server(public, archive):
    """Every row, though a page holds at most PAGE_SIZE: the stream pages itself."""
    text = datasette_get(public, f"/{DB}/items.csv?_stream=on").text
    ids = [row["id"] for row in csv.DictReader(io.StringIO(text))]
    assert sorted(ids) == [
        id_ for (id_,) in query(archive, "SELECT id FROM items ORDER BY id")
    ]
    assert len(ids) > PAGE_SIZE


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("", False),
        ("_size=50", False),
        (f"_size={PAGE_SIZE}", False),
        (f"_size={PAGE_SIZE + 1}", True),
        ("_size=max", True),
        ("_search=peru&_size=100000", True),
    ],
)
def test_a_public_page_holds_at_most_page_size_rows(query, refused):
    error = page_size_error(query)
    assert (error is not None) == refused
    if refused:
        assert f"at most {PAGE_SIZE}" in error and "_stream=on" in error


@pytest.mark.parametrize(
    ("path", "query", "lane"),
    [
        ("/-/static/app.css", "", CHEAP),
        ("/robots.txt", "", CHEAP),
        (f"/{DB}/items/article-915", "", CHEAP),
        (f"/{DB}/items/article-915.json", "", CHEAP),
        (f"/{DB}/newsletter/update-153", "", CHEAP),
        (f"/{DB}/items", "", COSTLY),
        (f"/{DB}/items.json", "_search=peru", COSTLY),
        (f"/{DB}/items.csv", "", COSTLY),
        (f"/{DB}/search", "text=peru", COSTLY),
        (f"/{DB}/newsletter", "", COSTLY),
        (f"/{DB}/items_per_year", "", COSTLY),
        ("/", "", COSTLY),
        (f"/{DB}/items.csv", "_stream=on", STREAM),
        (f"/{DB}.db", "", STREAM),
    ],
)
def test_each_request_has_its_lane(path, query, lane):
    assert lane_of(path, query) == lane


# -- fair sharing ---------------------------------------------------------------


def test_a_client_runs_one_costly_request_and_queues_one_more():
    async def scenario():
        share = FairShare(2, per_client=1, queue=1)
        await share.acquire("bot")
        second = asyncio.create_task(share.acquire("bot"))  # waits: over its share
        await asyncio.sleep(0)
        assert not second.done() and share.free == 1
        with pytest.raises(Busy) as refused:
            await share.acquire("bot")
        await share.acquire("reader")  # the free slot is another client's
        share.release("bot")
        await second
        return refused.value.retry_after, dict(share.held)

    retry_after, held = asyncio.run(scenario())
    assert retry_after == 1
    assert held == {"bot": 1, "reader": 1}


def test_a_freed_slot_goes_to_the_client_served_least_recently():
    async def scenario():
        share = FairShare(1, per_client=1, queue=5)
        order = []

        async def ask(client):
            await share.acquire(client)
            order.append(client)

        await ask("bot-1")
        waiting = [asyncio.create_task(ask(c)) for c in ("bot-1", "bot-2", "reader")]
        await asyncio.sleep(0)
        for _ in range(3):
            share.release(order[-1])
            await asyncio.sleep(0)
        await asyncio.gather(*waiting)
        return order

    # bot-1 asked first, but was served; bot-2 and the reader never were
    order = asyncio.run(scenario())
    assert order[0] == "bot-1" and set(order[1:3]) == {"bot-2", "reader"}
    assert order[3] == "bot-1"


def test_a_request_that_waits_too_long_gives_its_place_up():
    async def scenario():
        share = FairShare(1, per_client=1, queue=1, max_wait=0.05)
        await share.acquire("a")
        with pytest.raises(TimeoutError):
            await share.acquire("b")
        late = len(share.waiting)
        share.release("a")
        return late, share.free, dict(share.held)

    assert asyncio.run(scenario()) == (0, 1, {})


def test_a_stream_is_one_at_a_time_per_client():
    async def scenario():
        share = FairShare(1, per_client=1, queue=0)
        await share.acquire("analyst")
        with pytest.raises(Busy):
            await share.acquire("analyst")
        other = asyncio.create_task(share.acquire("other"))
        await asyncio.sleep(0)
        assert not other.done()
        share.release("analyst")
        await other
        return dict(share.held)

    assert asyncio.run(scenario()) == {"other": 1}


class HeldApp:
    """A server whose costly pages answer only when told to: a fault on demand,
    to see what the gate does while every costly slot is taken."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.running = 0

    async def __call__(self, scope, receive, send) -> None:
        if lane_of(scope["path"], "") != CHEAP:
            self.running += 1
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _request(gate, path: str, client: str, query: str = "") -> tuple:
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [],
        "client": (client, 1234),
    }
    await gate(scope, receive, send)
    headers = dict(sent[0]["headers"])
    return sent[0]["status"], headers.get(b"retry-after"), sent[1]["body"]


def test_cheap_pages_are_not_queued_behind_costly_ones():
    async def scenario():
        app = HeldApp()
        gate = PublicGate(app)
        costly = [
            asyncio.create_task(_request(gate, f"/{DB}/items", f"10.0.0.{n}"))
            for n in range(COSTLY_SLOTS + 1)  # one more than there are slots
        ]
        await asyncio.sleep(0.01)
        running = app.running
        item = await asyncio.wait_for(
            _request(gate, f"/{DB}/items/article-1", "10.0.0.1"), 1
        )
        issue = await asyncio.wait_for(
            _request(gate, f"/{DB}/newsletter/update-1", "10.0.0.9"), 1
        )
        queued = asyncio.create_task(_request(gate, f"/{DB}/search", "10.0.0.0"))
        await asyncio.sleep(0.01)  # its second request waits; its third is refused
        over = await asyncio.wait_for(_request(gate, f"/{DB}/search", "10.0.0.0"), 1)
        too_big = await _request(gate, f"/{DB}/items.json", "10.0.0.7", "_size=500")
        app.release.set()
        finished = await asyncio.wait_for(asyncio.gather(*costly, queued), 1)
        return running, item, issue, over, too_big, finished

    running, item, issue, over, too_big, finished = asyncio.run(scenario())
    assert running == COSTLY_SLOTS
    assert item[0] == issue[0] == 200
    assert over[:2] == (429, b"1")
    assert too_big[0] == 400
    assert [status for status, *_ in finished] == [200] * (COSTLY_SLOTS + 2)


def test_a_client_streams_one_whole_table_at_a_time():
    async def scenario():
        app = HeldApp()
        gate = PublicGate(app)
        csv_all = f"/{DB}/items.csv"
        streaming = asyncio.create_task(
            _request(gate, csv_all, "10.0.0.1", "_stream=on")
        )
        await asyncio.sleep(0.01)
        second = await asyncio.wait_for(
            _request(gate, csv_all, "10.0.0.1", "_stream=on"), 1
        )
        other = asyncio.create_task(_request(gate, csv_all, "10.0.0.2", "_stream=on"))
        search = asyncio.create_task(_request(gate, f"/{DB}/search", "10.0.0.1"))
        await asyncio.sleep(0.01)
        running = app.running  # the first stream and the search, not the other
        app.release.set()
        done = await asyncio.wait_for(asyncio.gather(streaming, other, search), 1)
        return second, running, done

    second, running, done = asyncio.run(scenario())
    assert second[:2] == (429, b"10")
    assert running == 2
    assert [status for status, *_ in done] == [200, 200, 200]


# -- with real processes --------------------------------------------------------

# What an abusive client loops on: the costliest requests the public server allows.
ABUSE = [
    f"/{DB}/items?_search=peru",
    f"/{DB}/items?_sort_desc=summary&_facet=date_text&_facet=page_url",
    f"/{DB}/items.json?_search=the&_size={PAGE_SIZE}&_sort=title",
    f"/{DB}/items.csv?_stream=on",
    f"/{DB}/search?text=peru&sort=oldest",
    f"/{DB}/newsletter",
]
# What a researcher reads meanwhile.
RESEARCH = [
    f"/{DB}/search?text=mining+conflict",
    f"/{DB}/items/article-915",
    f"/{DB}/items?_search=Conga&section=news",
    f"/{DB}/places/PE-CAJ",
]


def _loop(base: str, address: str, paths: list[str], until: float, answers: list):
    turn = 0
    while time.monotonic() < until:
        answer = get_from(address, base + paths[turn % len(paths)])
        answers.append((paths[turn % len(paths)], answer.status, answer.headers))
        turn += 1


def test_abusive_clients_do_not_shut_researchers_out(archive, tmp_path):
    log = tmp_path / "serve.log"
    with datasette(archive, "--public", log=log) as base:
        until = time.monotonic() + 8
        abusers = {f"127.0.0.{10 + n}": [] for n in range(8)}
        researchers = {"127.0.0.2": [], "127.0.0.3": []}
        threads = [  # each abuser on four connections at once
            threading.Thread(target=_loop, args=(base, address, ABUSE, until, answers))
            for address, answers in abusers.items()
            for _ in range(4)
        ] + [
            threading.Thread(
                target=_loop, args=(base, address, RESEARCH, until + 1, answers)
            )
            for address, answers in researchers.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    read = [status for answers in researchers.values() for _, status, _ in answers]
    assert read and set(read) == {200}, log.read_text()[-2000:]
    assert len(read) >= 2 * len(RESEARCH)
    abused = [answer for answers in abusers.values() for answer in answers]
    statuses = {status for _, status, _ in abused}
    assert statuses <= {200, 429}, statuses
    refused = [headers for _, status, headers in abused if status == 429]
    assert refused and all(headers["retry-after"].isdigit() for headers in refused)
    assert "Traceback" not in log.read_text()


def test_the_server_names_the_client_a_trusted_proxy_forwards(archive, tmp_path):
    log = tmp_path / "serve.log"
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    with datasette(archive, "--proxy", "127.0.0.1", "--access-log", log=log) as base:
        assert get_from("127.0.0.1", f"{base}/{DB}/items", forwarded).status == 200
        assert get_from("127.0.0.4", f"{base}/{DB}/newsletter", forwarded).status == 200
    lines = log.read_text().splitlines()
    assert any("203.0.113.7" in line and f"/{DB}/items " in line for line in lines)
    # from an address that is not the proxy, the header is the client's own claim
    assert any("127.0.0.4" in line and f"/{DB}/newsletter" in line for line in lines)
    assert not any("203.0.113.7" in line and "/newsletter" in line for line in lines)


def test_the_weekly_crawl_writes_in_place_while_the_public_reads(
    archive, tmp_path, mirror_week1
):
    """The crawl writes into the served archive under WAL; psg serve reads it
    as it changes, and no request meanwhile fails or sees half a page."""
    db = tmp_path / f"{DB}.db"
    shutil.copy(archive, db)
    answers, crawling = [], threading.Event()
    with datasette(db, "--public") as base:

        def read() -> None:
            while crawling.is_set():
                for path in [*RESEARCH[:2], f"/{DB}/items?_sort_desc=first_seen"]:
                    answers.append(get_from("127.0.0.2", base + path).status)

        crawling.set()
        reader = threading.Thread(target=read)
        reader.start()
        try:
            with serving(mirror_week1) as server:
                result = crawl(server, db, "--incremental")
        finally:
            crawling.clear()
            reader.join()
        new = query(db, "SELECT id, title FROM items WHERE first_crawl = 2")
        pages = [get_from("127.0.0.2", f"{base}/{DB}/items/{i}") for i, _ in new]
    assert result.returncode == 0, result.stderr
    assert answers and set(answers) == {200}
    assert new and all(page.status == 200 for page in pages)
    assert all(
        escape(title).encode() in page.body
        for (_, title), page in zip(new, pages, strict=True)
    )
