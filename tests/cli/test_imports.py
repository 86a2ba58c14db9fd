"""What the commands load: help and the product's commands need neither the
mirror nor Scrapy, and only the commands import click."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import psgscraper
from psgscraper.cli.mirror import MIRROR

PACKAGE = Path(psgscraper.__file__).parent
# The commands: the one room that may import click.
NOT_LIBRARY = {"cli"}


def modules_loaded(*args: str) -> set[str]:
    """The modules `python -m psgscraper ARGS` imports, as -X importtime lists them."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "psgscraper", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


# Every command but psg mirror, whose help is the mirror's.
COMMANDS = ("parse", "crawl", "reparse", "backup", "serve", "export", "diff", "demo")


@pytest.mark.parametrize(
    "args", [["--help"], *([command, "--help"] for command in COMMANDS)], ids=" ".join
)
def test_help_loads_neither_the_mirror_nor_scrapy(args):
    loaded = modules_loaded(*args)

    assert "psgscraper.cli" in loaded  # the listing is of the right process
    for heavy in (MIRROR, "scrapy", "twisted"):
        assert not {m for m in loaded if m == heavy or m.startswith(f"{heavy}.")}


def imports_click(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name == "click" or name.startswith("click.") for name in names):
            return True
    return False


def test_library_modules_do_not_import_click():
    library = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in NOT_LIBRARY
    ]

    names = {path.relative_to(PACKAGE).as_posix() for path in library}
    assert {"export.py", "diff.py", "archive/items.py", "parse/listing.py"} <= names
    assert [
        p.relative_to(PACKAGE).as_posix() for p in library if imports_click(p)
    ] == []


CLICK_IMPORTS = (
    "import click\n",
    "from click import echo\n",
    "import click.testing\n",
    "import os, click\n",
    "def f():\n    import click\n",
)


@pytest.mark.parametrize("source", CLICK_IMPORTS)
def test_the_check_finds_an_import_of_click(tmp_path, source):
    (tmp_path / "module.py").write_text(source)
    assert imports_click(tmp_path / "module.py")


def test_the_check_takes_no_other_import_for_click(tmp_path):
    (tmp_path / "module.py").write_text("from .cli import click\nimport clicks\n")
    assert not imports_click(tmp_path / "module.py")
