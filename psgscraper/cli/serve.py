"""`psg serve`: the archive published with Datasette, read-only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from ..archive import ArchiveError
from ..datasette.public import PAGE_SIZE
from .options import db_option, port_option


@click.command()
@db_option("The archive to publish.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@port_option
@click.option(
    "--public",
    is_flag=True,
    help="Serve the open internet: no SQL of the reader's own, pages of at most "
    f"{PAGE_SIZE} rows, and the server shared fairly among clients (429 beyond a "
    "share).",
)
@click.option(
    "--proxy",
    "proxies",
    multiple=True,
    metavar="ADDRESS",
    help="A reverse proxy in front (e.g. 127.0.0.1), trusted to name the client in "
    "X-Forwarded-For; repeat for more. Without it the header is ignored.",
)
@click.option(
    "--access-log",
    is_flag=True,
    help="Log each request (the client's address, the request, the status) to "
    "standard output.",
)
def serve(
    db: Path,
    host: str,
    port: int,
    public: bool,
    proxies: tuple[str],
    access_log: bool,
) -> None:
    """Publish the archive with Datasette, read-only, for browsing and search.

    The archive is served as it changes: a crawl may write into it while it
    is served. Binds to 127.0.0.1 unless told otherwise.
    """
    import uvicorn  # Datasette's server, loaded only to serve

    from ..datasette.app import make_datasette, prepare_archive
    from ..datasette.public import PublicGate

    try:
        prepare_archive(db)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    datasette = make_datasette(db, public=public)
    asyncio.run(datasette.invoke_startup())
    app = PublicGate(datasette.app()) if public else datasette.app()
    kind = "publicly" if public else "read-only"
    click.echo(f"Datasette serving {db} {kind} at http://{host}:{port}/", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info" if access_log else "warning",
        access_log=access_log,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) or None,
    )
