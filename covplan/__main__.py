"""``python -m covplan``: the command line."""

from covplan.cli.main import run

run()
