"""`psg mirror` and `psg demo` load the mirror only when run, and without it
exit 1 saying what it is and how to get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psgscraper.cli import cli
from psgscraper.cli.mirror import MIRROR

# psg, in a process where the mirror cannot be imported.
WITHOUT_MIRROR = f"""
import sys
sys.modules[{MIRROR!r}] = None
from psgscraper.cli import cli
cli(sys.argv[1:], prog_name="psg")
"""


def psg_without_mirror(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MIRROR, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["mirror"],
        ["mirror", "--help"],
        ["mirror", "build", "site"],
        ["mirror", "wayback", "serve", "site"],
        ["demo", "--no-serve"],
    ],
    ids=" ".join,
)
def test_without_the_mirror_its_commands_exit_1_saying_why(tmp_path, args):
    result = psg_without_mirror(*args, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"psg {args[0]} needs the offline mirror ({MIRROR})" in result.stderr
    assert "test and demo double" in result.stderr
    assert "`make install`" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no data/, no site/


def test_without_the_mirror_the_other_commands_work(tmp_path):
    listed = psg_without_mirror("--help", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "  mirror   An offline mirror of the PSG site" in listed.stdout
    assert "  demo     Build the mirror" in listed.stdout

    export = psg_without_mirror("export", "--format", "csv", cwd=tmp_path)
    assert export.returncode == 1
    assert "no such archive" in export.stderr


def test_psg_mirror_runs_the_mirrors_own_commands():
    result = CliRunner().invoke(cli, ["mirror", "--help"])
    assert result.exit_code == 0, result.output
    assert "An offline mirror of the PSG site" in result.output
    for command in ("build", "serve", "wayback", "wordpress"):
        assert f"  {command} " in result.output

    result = CliRunner().invoke(cli, ["mirror", "wayback", "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: cli mirror wayback [OPTIONS] COMMAND" in result.output

    result = CliRunner().invoke(cli, ["mirror", "nosuch"])
    assert result.exit_code == 2
    assert "No such command 'nosuch'" in result.output
