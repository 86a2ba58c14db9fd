"""Options that several `psg` commands share, declared once."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_DB = Path("data/psg.db")


def db_option(help: str, *, required: bool = False):
    """`--db PATH`, the archive a command works on (data/psg.db unless required)."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None if required else DEFAULT_DB,
        required=required,
        show_default=not required,
        help=help,
    )


# `--port`, where Datasette serves the archive (psg serve, psg demo).
port_option = click.option(
    "--port", type=click.IntRange(0, 65535), default=8001, show_default=True
)
