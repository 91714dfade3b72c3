"""The ``arbridge`` command line (Typer + Rich)."""

from workers.cli.app import app, main

__all__ = ["app", "main"]
