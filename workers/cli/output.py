"""Shared output helpers for every ``arbridge`` command.

* Results go to **stdout** (``out``): tables, JSON, the lines a script greps. A listing
  goes through :func:`print_rows`: a table on a terminal, tab-separated full values when
  piped; every listing also takes ``--json``.
* An option value the command does not know is refused by :func:`choice` (exit 2).
* Progress, logs and errors go to **stderr** (``err``), as git and pip do.
* A failure is **one line** on stderr and the promised exit code (see
  :mod:`workers.cli.failures`): wrap a command's body in :func:`guarded`, or let the error
  reach :func:`workers.cli.app.main`, which does the same.

New command modules use it like this::

    @app.command("thing")
    def thing_command(as_json: bool = typer.Option(False, "--json")) -> None:
        def action() -> None:
            settings = checked_settings()      # settings + start-up checks, exit 2 if wrong
            ...                                # import heavy modules here, not at the top
            print_json(result) if as_json else out.print(...)

        guarded(action)
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from workers.cli.failures import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    EXIT_UNAVAILABLE,
    Interrupted,
    classify,
    exit_code,
)

if TYPE_CHECKING:
    from config.settings import Settings
    from sync.mirror.writes import Counts

__all__ = ["EXIT_CONFIG", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_PIPE_CLOSED",
           "EXIT_UNAVAILABLE",
           "Interrupted", "cell", "checked_settings", "choice", "console", "err", "exit_code",
           "fail", "load_settings",
           "guarded", "out", "print_json", "print_rows", "pull_progress", "report", "reported_here"]

# markup off: text from SAP, banks and portals (a payer named "[/]") is shown as it is
out = Console(highlight=False, soft_wrap=True, markup=False)  # never cut: tables fit the width
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
console = err  # older name: progress and messages for people, on stderr
T = TypeVar("T")
MAX_ID = 2**31 - 1  # the store's ids (PostgreSQL integer): a bigger one is refused as an argument
_verbose = False


def report(error: BaseException) -> int:
    """Print ``error`` as one line on stderr and return its exit code (the traceback too,
    after the line, only with ``--verbose``)."""
    if isinstance(error, BrokenPipeError):  # `| head` stopped reading: not an error to show
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    failure = classify(error)
    if _verbose and failure.code != EXIT_INTERRUPTED:
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    line = failure.line if failure.code == EXIT_INTERRUPTED else f"error: {failure.line}"
    sys.stdout.flush()
    err.print(line, soft_wrap=True)  # markup is off: the line is shown as it is
    return failure.code


def fail(error: BaseException) -> typer.Exit:
    """``raise fail(error)``: report it and leave with its exit code."""
    return typer.Exit(report(error))


def guarded(action: Callable[[], T]) -> T:
    """Run ``action``; any failure becomes one clear line on stderr and its exit code."""
    try:
        return action()
    except (typer.Exit, typer.Abort):
        raise
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - every failure is mapped
        raise typer.Exit(report(error)) from None


def load_settings(**overrides: Any) -> Settings:
    """``config.settings.load_settings``, imported when a command first needs it: ``--help``
    and a usage error then start without pydantic-settings and SQLAlchemy (half the start-up
    time of the ``arbridge`` command)."""
    from config.settings import load_settings as load

    return load(**overrides)


def checked_settings() -> Settings:
    """The settings, after the start-up checks every command needs: the values parse, the
    working folder is writable, every binding and group names a configured portal, the
    invoice PDF folder (if PDFs come from one) exists."""
    import os

    from config.checks import check_bindings, check_home, check_pdf_folder, misspelt_variables
    from config.settings import load_settings

    for warning in misspelt_variables(dict(os.environ)):
        err.print(f"warning: {warning}", markup=False)
    settings = load_settings()
    check_home(settings)
    check_bindings(settings)
    check_pdf_folder(settings)
    return settings


def print_json(payload: Any) -> None:
    """Results as JSON on stdout, indented by two (the form the README shows)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")


def cell(value: Any) -> str:
    """A value as one tab-free line (a table cell or a TSV field): nothing cut."""
    text = "" if value is None else str(value)
    return " ".join(text.replace("\t", " ").splitlines())


def print_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
               title: str | None = None, wrap: Sequence[str] = ()) -> None:
    """A listing on stdout: a table on a terminal; piped, one tab-separated line per row with
    every value whole (no header, no title, no "…"), for cut, grep and sort."""
    rows = [[cell(v) for v in row] for row in rows]
    if not out.is_terminal:
        sys.stdout.writelines("\t".join(row) + "\n" for row in rows)
        sys.stdout.flush()
        return
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column not in wrap)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def choice(option: str, value: str | None, allowed: Iterable[str]) -> None:
    """Refuse (exit 2, one line) an option value the command does not know."""
    from config.errors import OptionError

    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise OptionError(f"{option} {value!r}: use one of {', '.join(allowed)}")


def day(text: str | None, option: str) -> date | None:
    """An option's date (YYYY-MM-DD), ``None`` when the option is not given; anything else is
    refused as a bad parameter of ``option`` (exit 2)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)",
                                 param_hint=option) from None


def set_verbose(verbose: bool) -> None:
    global _verbose
    _verbose = verbose


def configure_logging(verbose: bool) -> None:
    set_verbose(verbose)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def reported_here() -> None:
    """For one-shot commands that report every outcome themselves (a result line, the queue
    with its reasons, the one error line): without ``--verbose`` the log stays quiet, so a
    failure is not told twice. Long-running commands (``jobs worker``) keep logging."""
    if not _verbose:
        logging.getLogger().setLevel(logging.CRITICAL)


@contextmanager
def pull_progress(enabled: bool) -> Iterator[Callable[[str, str, Counts], None] | None]:
    """A live progress line per entity on a terminal; nothing when piped or with --json."""
    if not enabled or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        tasks: dict[str, Any] = {}

        def update(entity: str, scope: str, counts: Counts) -> None:
            label = f"{entity.replace('_', ' ')} ({scope})"
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=None, detail="")
            progress.update(tasks[label], detail=f"{counts.fetched:,} read, "
                            f"{counts.inserted:,} new, {counts.updated:,} changed")

        yield update
