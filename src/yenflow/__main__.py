"""``python -m yenflow`` runs the command line."""

from yenflow.cli import main

main()
