"""Shared output helpers: one-line errors with the right exit code, JSON, progress."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from config.errors import ArbridgeError, ConfigError, RetriableError, UncertainOutcome
from sync.mirror import Counts

console = Console(stderr=True)
T = TypeVar("T")

EXIT_FAILED, EXIT_CONFIG, EXIT_UNAVAILABLE = 1, 2, 3


def exit_code(error: ArbridgeError) -> int:
    if isinstance(error, ConfigError):
        return EXIT_CONFIG
    if isinstance(error, (RetriableError, UncertainOutcome)):
        return EXIT_UNAVAILABLE
    return EXIT_FAILED


def guarded(action: Callable[[], T]) -> T:
    """Run ``action``; an arbridge error becomes one clear line on stderr and an exit code."""
    try:
        return action()
    except ArbridgeError as error:
        console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code(error)) from None


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


@contextmanager
def pull_progress(enabled: bool) -> Iterator[Callable[[str, str, Counts], None] | None]:
    """A live progress line per entity on a terminal; nothing when piped or with --json."""
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, Any] = {}

        def update(entity: str, scope: str, counts: Counts) -> None:
            label = f"{entity.replace('_', ' ')} ({scope})"
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=None, detail="")
            progress.update(tasks[label], detail=f"{counts.fetched:,} read, "
                            f"{counts.inserted:,} new, {counts.updated:,} changed")

        yield update
