"""The ``negotiate`` command line: thin click commands over the library's API."""

from negotiation.cli.commands import cli, main

__all__ = ["cli", "main"]
