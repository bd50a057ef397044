"""``python -m planlib`` runs the CLI."""

from planlib.cli import main

main()
