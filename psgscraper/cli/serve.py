"""`psg serve`: the archive published with Datasette, read-only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from ..archive import ArchiveError
from .options import db_option, port_option


@click.command()
@db_option("The archive to publish.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@port_option
def serve(db: Path, host: str, port: int) -> None:
    """Publish the archive with Datasette, read-only, for browsing and search.

    An archive no crawl is writing is served immutable; one being crawled is
    served as it changes. Binds to 127.0.0.1 unless told otherwise.
    """
    import uvicorn  # Datasette's server, loaded only to serve

    from ..datasette.app import make_datasette, prepare_archive

    try:
        live = prepare_archive(db)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    datasette = make_datasette(db, live=live)
    asyncio.run(datasette.invoke_startup())
    click.echo(f"Datasette serving {db} at http://{host}:{port}/", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
