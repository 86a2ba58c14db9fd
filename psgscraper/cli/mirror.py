"""`psg mirror`: the offline mirror's commands, loaded only when one is run.

The mirror is a test and demo double of the PSG site, installed beside
psgscraper by `make install`; psgscraper does not need it. No other command
imports it (`psg demo` does when it runs), and without it `psg mirror` and
`psg demo` say so and exit 1.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import click

# The mirror, named here only: its `cli` module holds the `mirror` group,
# `site.serve` the MirrorServer, `site.build` build_mirror.
MIRROR = "psgmirror"


def load_mirror(module: str, command: str) -> ModuleType:
    """The mirror's `module`, for `psg COMMAND`; ClickException (exit 1)
    when the mirror is not installed."""
    name = f"{MIRROR}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if not f"{name}.".startswith(f"{error.name}."):
            raise  # the mirror is there, and broken: the traceback says how
        raise click.ClickException(
            f"psg {command} needs the offline mirror ({MIRROR}), which is not "
            "installed: it is a test and demo double of the PSG site, installed "
            "by `make install`"
        ) from None


class MirrorGroup(click.Group):
    """A group whose commands are the mirror's own, loaded when asked for:
    `psg --help` lists `psg mirror` from the help below without loading it."""

    def mirror_group(self) -> click.Group:
        return load_mirror("cli", "mirror").mirror

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.mirror_group().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.mirror_group().get_command(ctx, name)


@click.group(cls=MirrorGroup)
def mirror() -> None:
    """An offline mirror of the PSG site, for demos, tests and benchmarks."""
