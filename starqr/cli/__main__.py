"""python -m starqr.cli: the same as the `starqr` command."""

from starqr.cli import main

main(prog_name="starqr")
