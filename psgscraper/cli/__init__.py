"""The `psg` command: a group of commands, a file each in this package.

The commands turn options into calls of the library (which never imports
click) and its exceptions into messages and exit statuses.
"""

from __future__ import annotations

import click

from .. import __version__
from . import backup, crawl, demo, diff, export, mirror, parse, reparse, serve


@click.group()
@click.version_option(__version__, prog_name="psg")
def cli() -> None:
    """psgscraper: crawl, clean and publish the Peru Support Group's newsletter."""


for command in (
    parse.parse,
    crawl.crawl,
    reparse.reparse,
    backup.backup_command,
    serve.serve,
    export.export,
    diff.diff,
    demo.demo,
    mirror.mirror,
):
    cli.add_command(command)
