"""`python -m psgscraper.mirror build DIR` / `serve DIR`."""

from .cli import mirror

mirror(prog_name="python -m psgscraper.mirror")
