"""``python -m cairngraph.cli``: the ``cairn`` command."""

from cairngraph.cli import main

main()
