"""`psg demo`: the whole pipeline on the offline mirror, ending in Datasette."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import click

from .mirror import load_mirror
from .options import port_option


@click.command()
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default="data",
    show_default=True,
    help="Where the mirror and the archive live.",
)
@port_option
@click.option("--no-serve", is_flag=True, help="Stop after the crawl.")
def demo(data: Path, port: int, no_serve: bool) -> None:
    """Build the mirror, crawl it into DATA/psg.db, and serve the archive.

    A second run reuses the mirror and crawls incrementally, so it is quick.
    """
    mirror_dir, db = data / "mirror", data / "psg.db"
    serving = load_mirror("site.serve", "demo")
    if (mirror_dir / "pages.json").is_file():
        click.echo(f"Reusing the mirror in {mirror_dir}", err=True)
    else:
        building = load_mirror("site.build", "demo")  # rendering: only to build
        click.echo(f"Building the offline mirror in {mirror_dir} ...", err=True)
        summary = building.build_mirror(mirror_dir)
        click.echo(f"  {summary['items']} items, {summary['files']} files", err=True)
    incremental = db.is_file()
    with serving.MirrorServer(mirror_dir, log=_quiet_log(data)) as mirror:
        click.echo(
            f"Crawling the mirror at {mirror.url} into {db}"
            + (" (incremental)" if incremental else ""),
            err=True,
        )
        crawl = [
            sys.executable, "-m", "psgscraper", "crawl", "--base-url", mirror.url,
            "--db", str(db), "--delay", "0", "--quiet",
        ]  # fmt: skip
        if incremental:
            crawl.append("--incremental")
        if subprocess.run(crawl).returncode != 0:
            raise click.ClickException("the crawl failed; see its report above")
    if no_serve:
        return
    serve = [sys.executable, "-m", "psgscraper", "serve", "--db", str(db)]
    click.echo(f"Open http://127.0.0.1:{port}/ (Ctrl-C to stop)", err=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how the demo ends
        subprocess.run([*serve, "--port", str(port)])


def _quiet_log(data: Path) -> Path:
    """The mirror's request log goes to a file, not over the crawl's report."""
    data.mkdir(parents=True, exist_ok=True)
    return data / "mirror-requests.log"
