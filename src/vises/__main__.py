"""``python -m vises``: the same as the ``vises`` command."""

from vises.cli import main

if __name__ == "__main__":
    main()
