"""Every way a command can fail, mapped in one place to one line and the promised exit code.

======  ==========================================================================
code    meaning
======  ==========================================================================
0       done
1       failed: something else went wrong (a business refusal, bad input, a bug)
2       configuration: a setting, file or command-line argument is wrong; the line
        names it (and the file and line where it came from)
3       unreachable: a system (SAP, the store, a portal, the broker) did not answer
        within its configured timeout; nothing was changed, run again later
130     interrupted (Ctrl-C): nothing is lost, running again resumes
141     the reader of the output stopped reading (``| head``): nothing is printed
======  ==========================================================================

Commands raise :mod:`config.errors` classes; :func:`classify` also knows the few library
errors that can escape before arbridge's own code runs (a TOML file that does not parse, a
URL SQLAlchemy cannot read, a read-only folder), so no command ever ends in a traceback.
Library modules are imported only when such an error is being classified, to keep start-up
fast.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from config.errors import ArbridgeError, ConfigError, RetriableError, UncertainOutcome

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_UNAVAILABLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_PIPE_CLOSED = 141  # as a process killed by SIGPIPE: `arbridge portals queue | head`


class Interrupted(ArbridgeError):
    """Ctrl-C: the message says what was left and that running again resumes."""


@dataclass(frozen=True, slots=True)
class Failure:
    code: int
    line: str


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def exit_code(error: BaseException) -> int:
    return classify(error).code


def classify(error: BaseException) -> Failure:
    """The exit code and the one line (without the ``error:`` prefix) for ``error``."""
    if isinstance(error, Interrupted):
        return Failure(EXIT_INTERRUPTED, _first_line(str(error)))
    if isinstance(error, KeyboardInterrupt):
        return Failure(EXIT_INTERRUPTED, "interrupted: nothing is lost; run the command again "
                                         "to resume")
    if isinstance(error, ArbridgeError):
        return Failure(_arbridge_code(error), _first_line(str(error)) or type(error).__name__)
    for check in (_click_error, _settings_error, _database_error, _os_error):
        failure = check(error)
        if failure is not None:
            return failure
    return Failure(EXIT_FAILED, f"unexpected {type(error).__name__}: {_first_line(str(error))}"
                                " (arbridge --verbose … shows the traceback)")


def _arbridge_code(error: ArbridgeError) -> int:
    if isinstance(error, ConfigError):
        return EXIT_CONFIG
    if isinstance(error, (RetriableError, UncertainOutcome)):
        return EXIT_UNAVAILABLE
    return EXIT_FAILED


def is_click(error: BaseException, name: str = "ClickException") -> bool:
    """Whether ``error`` is click's ``name`` (typer vendors click, older typers use click's)."""
    return any(cls.__name__ == name and "click" in cls.__module__ for cls in type(error).__mro__)


def _click_error(error: BaseException) -> Failure | None:
    if is_click(error) and hasattr(error, "format_message"):
        hint = ""
        ctx = getattr(error, "ctx", None)
        if ctx is not None:
            hint = f" (see: {ctx.command_path} --help)"
        code = getattr(error, "exit_code", EXIT_CONFIG)
        return Failure(EXIT_CONFIG if code == 2 else code or EXIT_FAILED,
                       _first_line(error.format_message()) + hint)
    return None


def _settings_error(error: BaseException) -> Failure | None:
    from config.settings import settings_error

    problem = settings_error(error)
    return Failure(EXIT_CONFIG, str(problem)) if problem is not None else None


def _database_error(error: BaseException) -> Failure | None:
    """SQLAlchemy's errors, and sqlite3's own from the embedded SAP simulator and demo portal
    ("database is locked" becomes: another run holds it, run again)."""
    if not type(error).__module__.startswith(("sqlalchemy", "sqlite3")):
        return None
    from sync.db import store_error

    problem = store_error(error, None)
    return Failure(_arbridge_code(problem), _first_line(str(problem)))


def _os_error(error: BaseException) -> Failure | None:
    if not isinstance(error, OSError):
        return None
    where = f" {error.filename}" if error.filename else ""
    if isinstance(error, PermissionError) or error.errno in (errno.EROFS, errno.EACCES):
        return Failure(EXIT_CONFIG, f"cannot write{where}: {error.strerror or error} "
                                    "(check ARBRIDGE_HOME and the folder's permissions)")
    if isinstance(error, (ConnectionError, TimeoutError)):
        return Failure(EXIT_UNAVAILABLE, f"not reachable{where}: {error.strerror or error}")
    return Failure(EXIT_FAILED, f"{error.strerror or error}{where}")
