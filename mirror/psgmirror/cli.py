"""`psgmirror build|serve`, `psgmirror wayback build|serve` and `psgmirror
wordpress serve`, from the shell; `psg mirror ...` is the same group."""

from __future__ import annotations

import errno
import signal
import sys
import threading
from pathlib import Path

import click

from .loopback import LoopbackServer
from .site.serve import FAULTS, MirrorError, MirrorServer

# Rendering the site (build, wayback, wordpress) is loaded only by the commands
# that render: every `psg` command imports this module.


def items_option(help: str | None = None):
    return click.option(
        "--items",
        type=click.IntRange(min=0),
        default=1600,
        show_default=True,
        help=help or "About how many items, January 2003 to March 2019.",
    )


seed_option = click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed."
)


def week_option(help: str):
    return click.option(
        "--week", type=click.IntRange(min=0), default=0, show_default=True, help=help
    )


def port_option(default: int):
    return click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=default,
        show_default=True,
        help="0 for any free port.",
    )


def cannot_listen(port: int, error: OSError) -> click.ClickException:
    """Why a server could not start on its port, as the user can mend it."""
    if error.errno == errno.EADDRINUSE:
        return click.ClickException(
            f"port {port} is already in use; try another, or --port 0"
        )
    return click.ClickException(f"cannot listen on 127.0.0.1:{port}: {error.strerror}")


@click.group()
def mirror() -> None:
    """An offline mirror of the PSG site, for demos, tests and benchmarks."""


@mirror.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@items_option()
@seed_option
@week_option("The site this many weeks later: new items on top, a few edits.")
def build(directory: Path, items: int, seed: int, week: int) -> None:
    """Write the site to DIRECTORY/site, with pages.json, expected.jsonl and
    blocks.json beside it. Replaces an earlier build there."""
    from .site.build import build_mirror

    try:
        summary = build_mirror(directory, items=items, seed=seed, week=week)
    except OSError as error:
        raise click.ClickException(f"cannot build in {directory}: {error}") from None
    click.echo(summary_line(summary))


def summary_line(summary: dict) -> str:
    """`1595 items (news 1117 on 112 pages, articles 478 on 48 pages), ...`."""
    sections = ", ".join(
        f"{section} {count} on {_plural(summary['pages'][section], 'page')}"
        for section, count in summary["items_per_section"].items()
    )
    week = f", week {summary['week']}" if summary["week"] else ""
    return (
        f"{summary['items']} items ({sections}){week}: "
        f"{summary['files']} files in {Path(summary['directory']) / 'site'}"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


@mirror.command()
@click.argument(
    "directory", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@port_option(8000)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Milliseconds to wait before each answer.",
)
@click.option("--fail-path", metavar="REGEX", help="Answer HTTP 500 for these paths.")
@click.option("--hang-path", metavar="REGEX", help="Hold these requests.")
@click.option(
    "--hang-seconds",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="How long --hang-path requests are held.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="KIND=REGEX",
    help=f"Answer these paths with a fault, one of {', '.join(FAULTS)}; repeatable.",
)
@click.option(
    "--fault-times",
    type=click.IntRange(min=1),
    help="Fault only the first N requests of a path.  [default: all]",
)
@click.option(
    "--retry-after",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Seconds a 429 fault asks the client to wait.",
)
def serve(
    directory: Path,
    port: int,
    latency: float,
    fail_path: str | None,
    hang_path: str | None,
    hang_seconds: float,
    faults: tuple[str, ...],
    fault_times: int | None,
    retry_after: int,
) -> None:
    """Serve a built mirror on 127.0.0.1 until interrupted.

    The first line on standard output says where; each request is logged on
    standard error.
    """
    if any("=" not in fault for fault in faults):
        raise click.BadParameter("give KIND=REGEX", param_hint="--fault")
    try:
        server = MirrorServer(
            directory,
            port=port,
            latency=latency / 1000,
            fail=fail_path,
            hang=hang_path,
            hang_seconds=hang_seconds,
            faults=dict(fault.split("=", 1) for fault in faults),
            fault_times=fault_times,
            retry_after=retry_after,
        )
    except MirrorError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise cannot_listen(port, error) from None
    click.echo(f"Serving {directory} at {server.url}")
    sys.stdout.flush()
    _serve_until_stopped(server)


@mirror.group()
def wayback() -> None:
    """The mirror as a web archive holds it: weekly captures, CDX and replay."""


@wayback.command("build")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--weeks", type=click.IntRange(min=1), default=30, show_default=True,
              help="Weeks of captures, from week 0.")  # fmt: skip
@items_option()
@seed_option
def wayback_build(directory: Path, weeks: int, items: int, seed: int) -> None:
    """Write the captures of WEEKS weeks of the site to DIRECTORY."""
    from .wayback.build import build_wayback

    try:
        summary = build_wayback(directory, weeks=weeks, items=items, seed=seed)
    except OSError as error:
        raise click.ClickException(f"cannot build in {directory}: {error}") from None
    click.echo(
        f"{summary['captures']} captures ({summary['digests']} distinct) of "
        f"{summary['items']} items over {weeks} weeks in {directory}"
    )


@wayback.command("serve")
@click.argument(
    "directory", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@port_option(8002)
@click.option("--throttle", type=click.IntRange(min=0), default=0, show_default=True,
              help="Answer the first N requests with 429 and Retry-After.")  # fmt: skip
def wayback_serve(directory: Path, port: int, throttle: int) -> None:
    """Serve built captures as a CDX server and replay, until interrupted."""
    from .wayback.serve import WaybackServer

    try:
        server = WaybackServer(directory, port=port, throttle=throttle)
    except (FileNotFoundError, ValueError):  # no index.json, or not one
        raise click.ClickException(
            f"{directory} holds no captures index; build one with "
            "`psg mirror wayback build`"
        ) from None
    except OSError as error:
        raise cannot_listen(port, error) from None
    click.echo(f"Serving the captures in {directory} at {server.url}")
    sys.stdout.flush()
    _serve_until_stopped(server)


@mirror.group()
def wordpress() -> None:
    """The site as WordPress serves it now: the REST API's posts list."""


@wordpress.command("serve")
@port_option(8003)
@items_option()
@seed_option
@week_option("The site this many weeks later: new posts, a few edited.")
@click.option(
    "--posts",
    type=click.IntRange(min=0),
    default=250,
    show_default=True,
    help="How many of the latest items are posts.",
)
@click.option(
    "--no-pretty-permalinks",
    "plain_permalinks",
    is_flag=True,
    help="Posts at /?p=ID, the API only at /index.php?rest_route=; /wp-json/ "
    "answers 404.",
)
@click.option(
    "--front-controller",
    is_flag=True,
    help="With --no-pretty-permalinks: every path goes to WordPress, as behind "
    "nginx's try_files; /wp-json/ redirects to the home page.",
)
def wordpress_serve(
    port: int,
    items: int,
    seed: int,
    week: int,
    posts: int,
    plain_permalinks: bool,
    front_controller: bool,
) -> None:
    """Serve the latest items as a WordPress site's posts, until interrupted."""
    from .wordpress.serve import WordPressServer

    try:
        server = WordPressServer(
            port=port,
            items=items,
            seed=seed,
            week=week,
            posts=posts,
            pretty_permalinks=not plain_permalinks,
            front_controller=front_controller,
        )
    except OSError as error:
        raise cannot_listen(port, error) from None
    click.echo(f"Serving {len(server.posts)} posts as WordPress at {server.url}")
    sys.stdout.flush()
    _serve_until_stopped(server)


def _serve_until_stopped(server: LoopbackServer) -> None:
    """Serve until Ctrl-C or SIGTERM; either ends quietly, with status 0."""
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        server.start()  # inside the try: a Ctrl-C may come as soon as it serves
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
