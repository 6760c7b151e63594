"""``python -m tregsim.cli``: the ``tregsim`` command."""

from tregsim.cli import main

main()
