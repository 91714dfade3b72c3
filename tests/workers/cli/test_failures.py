"""The one place that maps a failure to its exit code and line (pure; no process)."""

from __future__ import annotations

import tomllib

import pytest
from sqlalchemy.exc import ArgumentError, OperationalError

from config.errors import BusinessError, ConfigError, InputError, RetriableError, UncertainOutcome
from workers.cli.failures import Interrupted, classify


@pytest.mark.parametrize(("error", "code", "text"), [
    (ConfigError("setting x: wrong\nmore detail"), 2, "setting x: wrong"),
    (RetriableError("SAP not reachable"), 3, "SAP not reachable"),
    (UncertainOutcome("no answer after submit"), 3, "no answer after submit"),
    (BusinessError("PO exhausted"), 1, "PO exhausted"),
    (InputError("bad file, line 3"), 1, "bad file, line 3"),
    (Interrupted("interrupted during the pull; run again"), 130, "interrupted during the pull"),
    (KeyboardInterrupt(), 130, "run the command again to resume"),
    (PermissionError(13, "Permission denied", "/srv/arbridge"), 2, "cannot write /srv/arbridge"),
    (ConnectionRefusedError(111, "Connection refused"), 3, "not reachable"),
    (ArgumentError("Could not parse SQLAlchemy URL from string 'x'"), 2,
     "ARBRIDGE_DATABASE_URL"),
    (OperationalError("connect", {}, Exception("connection refused")), 3, "not reachable"),
    (RuntimeError("boom"), 1, "unexpected RuntimeError: boom"),
])
def test_each_failure_has_its_exit_code_and_one_line(error, code, text):
    failure = classify(error)
    assert failure.code == code
    assert text in failure.line and "\n" not in failure.line


def test_a_toml_error_names_the_file_and_line():
    try:
        tomllib.loads("[sap\n")
    except tomllib.TOMLDecodeError as error:
        failure = classify(error)
    assert failure.code == 2 and "arbridge.toml" in failure.line and "line 1" in failure.line


def test_the_users_help_names_every_role():
    from sync.users.accounts import ROLES
    from workers.cli.users import ROLES_HELP

    assert ROLES_HELP == (f"One of: {', '.join(ROLES[:-1])}, {ROLES[-1]} "
                          "(sync.users.accounts.ROLES).")


@pytest.mark.parametrize(("stopped", "code"), [
    ({"acme": "login"}, 2),                      # a refused password: a person fixes the config
    ({"acme": "down"}, 3),                       # the portal is unreachable: retry later
    ({"acme": "login", "globex": "down"}, 1),    # mixed causes: the run failed
])
def test_an_upload_run_that_failed_exits_with_the_code_of_why_its_portals_stopped(stopped, code):
    from portals.errors import PortalLoginFailed, PortalUnavailable
    from portals.upload_run import RunSummary
    from workers.cli.portals import failed_run_error

    summary = RunSummary()
    for name, why in stopped.items():
        error = (PortalLoginFailed(f"{name}: the portal refused the login") if why == "login"
                 else PortalUnavailable(f"{name}: no answer"))
        summary.errors[name] = str(error)
        summary.failures[name] = error
    failure = classify(failed_run_error(summary, {"failed": 0}))
    assert failure.code == code
    assert "no upload succeeded" in failure.line


def test_text_from_a_bank_file_is_printed_as_it_is_not_read_as_formatting():
    from rich.table import Table

    from workers.cli.output import err, out

    payer = "[reverse]EVIL[/reverse] [/]"  # a payer name in a camt file
    table = Table("payer")
    table.add_row(payer)
    for console in (out, err):
        with console.capture() as captured:
            console.print(table)
            console.print(f"{payer}: not allocated")
        assert captured.get().count(payer) == 2


def test_a_refused_comment_is_told_as_bad_input_not_as_unexpected():
    from sync.reports.comments import CommentError

    failure = classify(CommentError("a comment needs some text"))
    assert (failure.code, failure.line) == (1, "a comment needs some text")
