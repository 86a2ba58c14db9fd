"""`python -m psgmirror build DIR` / `serve DIR`."""

from .cli import mirror

mirror(prog_name="python -m psgmirror")
