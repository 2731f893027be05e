"""``python -m kit``: the same command line as ``kit``."""

from kit.cli import entry_point

entry_point()
