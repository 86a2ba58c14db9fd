"""7. Abuse: what two researchers see while abusive clients loop on costly requests.

The mirror crawled with `--full-text` is served by `psg serve` as before
(arbitrary SQL allowed: each abusive client sends a triple self-join, which
the two-second limit stops) and by `psg serve --public` (each loops on the
costliest requests the public server allows: searches for the commonest
words, odd sorts and facets, whole-table CSV, the issue index). Every client
has an address of its own (127.0.0.N), one connection each. Two researchers
search and read items meanwhile, with 0, 8 and 32 abusive clients; the
figures are their latencies, and their errors.
"""

from __future__ import annotations

import http.client
import io
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from common import PSG, Figure, checked, percentile, run_process
from scale import Server

from psgmirror.site.serve import MirrorServer

SECONDS = 12  # of abuse per measure
CLIENTS = (0, 8, 32)
GOAL_MS = 500

SQL_ABUSE = [
    "/psg.json?"
    + urllib.parse.urlencode(
        {"sql": "select count(*) from items a, items b, items c where a.id < b.id"}
    )
]
PUBLIC_ABUSE = [
    "/psg/items?_search=the",
    "/psg/items?_sort_desc=summary&_facet=date_text&_facet=page_url",
    "/psg/items.json?_search=peru&_size=100&_sort=title",
    "/psg/items.csv?_stream=on",
    "/psg/search?text=the&sort=oldest",
    "/psg/newsletter",
]
RESEARCH = [
    "/psg/search?text=mining+conflict",
    "/psg/items/article-915",
    "/psg/items?_search=Conga&section=news",
    "/psg/newsletter/update-153",
    "/psg/search?text=truth+commission&from=2003&to=2010",
    "/psg/items/article-1220",
]


def fetch(base: str, path: str, address: str) -> tuple[int, float]:
    """Status and milliseconds of one GET from `address`."""
    parts = urllib.parse.urlsplit(base)
    start = time.perf_counter()
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=120, source_address=(address, 0)
    )
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, (time.perf_counter() - start) * 1000


def loop(base, address, paths, until, timings, statuses) -> None:
    turn = 0
    while time.monotonic() < until:
        status, ms = fetch(base, paths[turn % len(paths)], address)
        timings.append(ms)
        statuses.append(status)
        turn += 1


def researchers_under(base: str, abuse: list[str], clients: int) -> tuple:
    """The researchers' latencies and failed requests with `clients` abusers."""
    until = time.monotonic() + SECONDS
    timings, statuses, abused = [], [], []
    threads = [
        threading.Thread(
            target=loop,
            args=(base, f"127.0.1.{n + 1}", abuse, until + 1, [], abused),
        )
        for n in range(clients)
    ]
    threads += [
        threading.Thread(
            target=loop,
            args=(base, f"127.0.0.{n + 2}", RESEARCH, until, timings, statuses),
        )
        for n in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = sum(1 for status in statuses if status != 200)
    refused = sum(1 for status in abused if status == 429)
    return timings, failed, len(abused), refused


def without_abuse(today: str, public: str) -> tuple[list[float], list[float]]:
    """The researchers' latencies on both servers at once, each request asked
    of one and then the other, so that neither has the quieter minute."""
    until = time.monotonic() + SECONDS
    timings: dict[str, list[float]] = {today: [], public: []}

    def research(address: str) -> None:
        turn = 0
        while time.monotonic() < until:
            for base in (today, public):
                timings[base].append(
                    fetch(base, RESEARCH[turn % len(RESEARCH)], address)[1]
                )
            turn += 1

    threads = [
        threading.Thread(target=research, args=(f"127.0.0.{n + 2}",)) for n in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings[today], timings[public]


def run(mirror: Path, work: Path) -> list[Figure]:
    db = Path(tempfile.mkdtemp(dir=work)) / "psg.db"
    with MirrorServer(mirror, log=io.StringIO()) as server:
        checked(
            run_process(
                [*PSG, "crawl", "--base-url", server.url, "--db", str(db),
                 "--delay", "0", "--full-text", "--quiet"]
            ),
            "psg crawl --full-text",
        )  # fmt: skip
    with (
        Server([*PSG, "serve", "--db", str(db)]) as today,
        Server([*PSG, "serve", "--db", str(db), "--public"]) as public,
    ):
        without_abuse(today.base, public.base)  # warm-up
        plain, shared = without_abuse(today.base, public.base)
    ratio = percentile(shared, 0.95) / percentile(plain, 0.95)
    figures = [
        Figure(
            "Abuse: no abusive client, two researchers asking psg serve --public "
            "and psg serve in turn, p50 / p95",
            f"{percentile(shared, 0.5):.0f} / {percentile(shared, 0.95):.0f} ms",
            f"{percentile(plain, 0.5):.0f} / {percentile(plain, 0.95):.0f} ms "
            "(psg serve)",
            f"{ratio:.2f}",
            "p95 as today (≤ 1.2)",
            ratio <= 1.2,
        )
    ]
    servers = [
        ("psg serve (arbitrary SQL: a triple self-join)", [], SQL_ABUSE),
        ("psg serve --public (the costliest public requests)", ["--public"],
         PUBLIC_ABUSE),
    ]  # fmt: skip
    for name, options, abuse in servers:
        with Server([*PSG, "serve", "--db", str(db), *options]) as served:
            for path in RESEARCH:  # warm-up
                fetch(served.base, path, "127.0.0.2")
            for clients in CLIENTS:
                timings, failed, sent, refused = researchers_under(
                    served.base, abuse, clients
                )
                p95 = percentile(timings, 0.95)
                public = bool(options)
                notes = [
                    f"{len(timings)} researchers' requests, {failed} failed; "
                    f"the abusers sent {sent}, {refused} answered 429"
                ]
                figures.append(
                    Figure(
                        f"Abuse: two researchers' p50 / p95 with {clients} abusive "
                        f"clients, {name}",
                        f"{percentile(timings, 0.5):.0f} / {p95:.0f} ms, "
                        f"{failed} errors",
                        goal=f"p95 < {GOAL_MS} ms, no error" if public else "(today)",
                        met=(p95 < GOAL_MS and failed == 0) if public else None,
                        notes=notes,
                    )
                )
    return figures
