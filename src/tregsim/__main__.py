"""``python -m tregsim``: the same as the ``tregsim`` command."""

from tregsim.cli import main

if __name__ == "__main__":
    main()
