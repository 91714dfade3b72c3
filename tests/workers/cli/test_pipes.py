"""One rule for every command (issue 18, item 6): results on stdout, whole values and tabs when
piped, ``--json`` on every listing, an unknown option value refused in one line with exit 2.
The commands are found by walking the Typer app, so a new command meets the rule too."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import typer.main

from tests.workers.cli.conftest import copy_of
from tests.workers.cli.test_output import ARBRIDGE, _env, arbridge
from workers.cli.app import app

# Read-only listings: run through a pipe on a demo home with every flag their --help lists.
LISTINGS = {"status", "portals queue", "jobs list", "bank unallocated", "allocations",
            "journal list", "po list", "alerts list", "users list", "report ageing",
            "collections worklist", "collections notices"}
# Everything else acts (or runs until stopped): only its --help is run through the pipe.
ACTING = {"allocate", "serve", "init", "demo", "scheduler", "run", "sap pull", "portals upload",
          "portals approve", "portals retry", "portals check", "portals demo-server",
          "jobs worker", "jobs send", "jobs schedule", "secrets new-key", "secrets encrypt",
          "bank import", "remittance import", "allocations approve", "allocations allocate",
          "journal correct", "po refresh", "po add", "po assign", "alerts ack", "alerts retry",
          "users add", "users passwd", "users disable", "journal resume",
          # the book: a note, and reports that need --month or write files or send mail
          "report comment", "report kpis", "report management", "report statements",
          # collections: each records a step, a verdict or a run
          "collections run", "collections call", "collections judge", "collections approve",
          "collections bounce", "collections dispute", "collections resolve",
          "collections credit-note", "collections delivered", "collections acknowledge",
          "collections handover", "collections retention", "collections resend",
          "collections bounces"}
TABLE_MARKS = ("…", "┃", "│", "━", "─")


def commands() -> dict[str, object]:
    found: dict[str, object] = {}

    def walk(command: object, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs is None:
            found[" ".join(path)] = command
            return
        if path and command.invoke_without_command:  # type: ignore[attr-defined]
            found[" ".join(path)] = command
        for name, sub in subs.items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def flags(command: object) -> list[str]:
    return [p.opts[0] for p in command.params  # type: ignore[attr-defined]
            if p.param_type_name == "option" and getattr(p, "is_flag", False)]


def test_every_command_is_either_a_listing_or_an_action():
    assert set(commands()) == LISTINGS | ACTING


def test_every_listing_takes_json():
    for name in LISTINGS:
        assert "--json" in flags(commands()[name]), name


@pytest.mark.parametrize("name", sorted(LISTINGS | ACTING))
def test_help_goes_to_stdout_through_a_pipe(name, tmp_path):
    result = arbridge(tmp_path, *name.split(), "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert "Usage:" in result.stdout


@pytest.fixture(scope="module")
def demo_home(small_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the session's small demo folder, with a user and a failed job run."""
    demo, result = small_demo
    assert result.returncode == 0, result.stderr
    home = copy_of(demo, tmp_path_factory.mktemp("pipes") / "home")
    with_users = subprocess.run([ARBRIDGE, "users", "add", "thandi", "--role", "viewer"],
                                cwd=home, input="a long enough password\n", env=_env(),
                                capture_output=True, text=True, timeout=120)
    assert with_users.returncode == 0, with_users.stderr
    _a_failed_job_run(home)
    return home


LONG_ERROR = "portal demo-coupa: " + "the page changed; " * 12 + "\nsecond line"


def _a_failed_job_run(home: Path) -> None:
    """The demo runs its jobs in-process: one job run as a worker records it."""
    from datetime import datetime, timezone

    from config.settings import load_settings
    from sync.store import open_store
    from sync.work import job_runs

    store = open_store(load_settings(home=home / "var"))
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        run = job_runs.start(conn, message_id="m-1", actor="portal_upload", queue="default",
                             args={}, retries=0, host="worker-1", pid=4242, now=now)
        job_runs.finish(conn, run, outcome="failed", now=now, error=LONG_ERROR)
    store.engine.dispose()


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_every_listing_gives_its_results_through_a_pipe(name, demo_home):
    plain = arbridge(demo_home, *name.split())
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip(), f"{name}: nothing on stdout"
    if name != "status":
        lines = plain.stdout.splitlines()
        assert all("\t" in line for line in lines), f"{name}: not tab-separated: {lines[:2]}"
        assert not any(mark in plain.stdout for mark in TABLE_MARKS), name
    if name == "jobs list":  # the whole error, on one line
        assert " ".join(LONG_ERROR.splitlines()) in plain.stdout
    for flag in flags(commands()[name]):
        if flag == "--history":
            continue  # only with --json, below
        result = arbridge(demo_home, *name.split(), flag)
        assert result.returncode == 0, f"{name} {flag}: {result.stderr}"
        if flag == "--json":
            json.loads(result.stdout)
    if "--history" in flags(commands()[name]):
        json.loads(arbridge(demo_home, *name.split(), "--json", "--history").stdout)


@pytest.mark.parametrize("args", [
    ("po", "list", "--portal", "bogus"), ("po", "refresh", "--portal", "bogus"),
    ("allocations", "--state", "bogus"), ("bank", "import", "x.xml", "--format", "bogus"),
    ("jobs", "list", "--outcome", "bogus")])
def test_an_unknown_option_value_is_one_line_and_exit_2(args, tmp_path):
    result = arbridge(tmp_path, *args)
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bogus" in lines[0] and result.stdout == ""


def test_journal_documents_read_as_words_not_json():
    from workers.cli.cash import documents_text

    text = documents_text({"payment": "1400000007", "reversal": {"document": "1500000001",
                                                                  "year": 2026}})
    assert text == "payment 1400000007 · reversal 1500000001 2026"
    assert "{" not in text
