"""``python -m emboard``: the same as the ``emboard`` script."""

from emboard.cli.main import main

main()
