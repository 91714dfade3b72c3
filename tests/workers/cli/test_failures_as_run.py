"""Wrong configurations and unreachable systems, as a user meets them: the CLI runs as a
subprocess over a store that already holds a pull, and each case must end with the promised
exit code, exactly one line on stderr naming the cause, no traceback, and the store as it was.

The cases run in parallel (a few subprocesses at a time) once per module; each test then
checks one case.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
SMALL = {"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "30",
         "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "200"}
PARALLEL = 4
# Not a speed test (those live in bench/): only catches waiting far past the configured timeout
# (a broker client retrying for minutes), with room for a 2-core machine shared by many.
SLACK_S = 45.0
PORTAL_DOWN = ('[portals.acme]\nkind = "demo-coupa"\nurl = "http://127.0.0.1:9"\n'
               'user = "ar@example.com"\npassword_encrypted = "not-read-before-reaching"\n'
               'timeout_seconds = 2\n')


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    names: tuple[str, ...]  # every one must be in the stderr line (case-insensitive)
    env: dict[str, str] = field(default_factory=dict)
    toml: str | None = None
    stdin: str | None = None
    setup: Callable[[Path], None] | None = None
    within_s: float | None = None  # unreachable: answer within this many seconds (+ slack)
    needs: str | None = None  # a service that must be up for the case to mean anything


def _wrong_sap_password(workdir: Path) -> None:
    from sap.simulator import SapSimulator

    SapSimulator(workdir / "var" / "sap-simulator.db").set_logon("ARBRIDGE", "right")


def _file_where_home_would_be(workdir: Path) -> None:
    (workdir / "blocker").write_text("a file, not a folder\n")


CASES = [
    # -- configuration files and values ---------------------------------------------------
    Case("toml-unclosed-table", ("status",), 2, ("arbridge.toml", "line 1"),
         toml='[sap\nkind = "rfc"\n'),
    Case("toml-wrong-value", ("sap", "pull"), 2, ("sap.kind", "arbridge.toml, line 2"),
         toml='[sap]\nkind = "telnet"\n'),
    Case("config-file-missing", ("status",), 2, ("ARBRIDGE_CONFIG", "nope.toml"),
         env={"ARBRIDGE_CONFIG": "nope.toml"}),
    Case("database-url-not-a-url", ("status",), 2, ("ARBRIDGE_DATABASE_URL",),
         env={"ARBRIDGE_DATABASE_URL": "notaurl"}),
    Case("store-path-mistyped", ("portals", "queue"), 2,
         ("ARBRIDGE_DATABASE_URL", "var/arbrige.db", "arbridge init"),
         env={"ARBRIDGE_DATABASE_URL": "sqlite:///var/arbrige.db"}),
    Case("home-mistyped", ("status",), 2, ("ARBRIDGE_HOME", "vra/arbridge.db", "arbridge init"),
         env={"ARBRIDGE_HOME": "vra"}),
    Case("database-url-mysql", ("status",), 2, ("ARBRIDGE_DATABASE_URL",),
         env={"ARBRIDGE_DATABASE_URL": "mysql://app:pw@127.0.0.1/arbridge"}),
    Case("postgres-no-such-database", ("status",), 2, ("nosuchdb",),
         env={"ARBRIDGE_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/nosuchdb"},
         needs="postgresql://127.0.0.1:5432"),
    Case("bindings-not-json", ("sap", "pull"), 2, ("ARBRIDGE_PORTAL_BINDINGS", "JSON"),
         env={"ARBRIDGE_PORTAL_BINDINGS": "{0000100316: acme}"}),
    Case("groups-not-json", ("status",), 2, ("ARBRIDGE_PORTAL_CUSTOMER_GROUPS", "JSON"),
         env={"ARBRIDGE_PORTAL_CUSTOMER_GROUPS": "P01=demo-coupa"}),
    Case("binding-to-unknown-portal", ("sap", "pull"), 2,
         ("ARBRIDGE_PORTAL_BINDINGS", "0000100316", "nosuch-portal"),
         env={"ARBRIDGE_PORTAL_BINDINGS": '{"0000100316": "nosuch-portal"}'}),
    Case("group-to-unknown-portal", ("portals", "upload"), 2,
         ("ARBRIDGE_PORTAL_CUSTOMER_GROUPS", "P09", "coupa-prod"),
         env={"ARBRIDGE_PORTAL_CUSTOMER_GROUPS": '{"P09": "coupa-prod"}'}),
    Case("home-under-a-file", ("status",), 2, ("ARBRIDGE_HOME",),
         env={"ARBRIDGE_HOME": "blocker/var"}, setup=_file_where_home_would_be),
    Case("home-read-only", ("init",), 2, ("ARBRIDGE_HOME",),
         env={"ARBRIDGE_HOME": "/proc/self/arbridge"}),
    Case("pdf-folder-not-named", ("portals", "upload"), 2, ("ARBRIDGE_INVOICE_PDF_FOLDER",),
         env={"ARBRIDGE_INVOICE_PDFS": "folder"}),
    Case("pdf-folder-missing", ("demo",), 2, ("ARBRIDGE_INVOICE_PDF_FOLDER", "no-such-pdfs"),
         env={"ARBRIDGE_INVOICE_PDFS": "folder", "ARBRIDGE_INVOICE_PDF_FOLDER": "no-such-pdfs"}),
    Case("pdf-source-unknown", ("portals", "upload"), 2, ("ARBRIDGE_INVOICE_PDFS",),
         env={"ARBRIDGE_INVOICE_PDFS": "printer"}),
    Case("sap-kind-unknown", ("sap", "pull"), 2, ("ARBRIDGE_SAP__KIND", "telnet"),
         env={"ARBRIDGE_SAP__KIND": "telnet"}),
    Case("page-size-zero", ("sap", "pull"), 2, ("ARBRIDGE_SAP__PAGE_SIZE",),
         env={"ARBRIDGE_SAP__PAGE_SIZE": "0"}),
    Case("lookback-negative", ("portals", "upload"), 2,
         ("ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS",),
         env={"ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS": "-3"}),
    Case("company-codes-empty", ("sap", "pull"), 2, ("ARBRIDGE_COMPANY_CODES",),
         env={"ARBRIDGE_COMPANY_CODES": " , "}),
    Case("company-code-malformed", ("sap", "pull"), 2, ("ARBRIDGE_COMPANY_CODES", "10000"),
         env={"ARBRIDGE_COMPANY_CODES": "10000"}),
    Case("company-code-not-in-sap", ("sap", "pull"), 2, ("ARBRIDGE_COMPANY_CODES", "'abc'"),
         env={"ARBRIDGE_COMPANY_CODES": "abc"}),
    Case("rfc-without-host", ("sap", "pull"), 2, ("ARBRIDGE_SAP__ASHOST",),
         env={"ARBRIDGE_SAP__KIND": "rfc"}),
    Case("odata-without-url", ("sap", "pull"), 2, ("ARBRIDGE_SAP__BASE_URL",),
         env={"ARBRIDGE_SAP__KIND": "odata"}),
    Case("sap-wrong-password", ("sap", "pull"), 2, ("logon",),
         env={"ARBRIDGE_SAP__USER": "ARBRIDGE", "ARBRIDGE_SAP__PASSWD": "wrong-secret"},
         setup=_wrong_sap_password),
    Case("secret-key-invalid", ("secrets", "encrypt"), 2, ("ARBRIDGE_SECRET_KEY",),
         env={"ARBRIDGE_SECRET_KEY": "not-a-key"}, stdin="portal-password\n"),
    Case("portal-kind-unknown", ("portals", "check"), 2, ("portals.acme.kind", "tungsten"),
         toml=PORTAL_DOWN.replace("demo-coupa", "tungsten")),
    # -- jobs and the broker ----------------------------------------------------------------
    Case("send-on-stub-broker", ("jobs", "send", "sap-pull"), 2,
         ("ARBRIDGE_BROKER_URL", "stub")),
    Case("worker-on-stub-broker", ("jobs", "worker"), 2, ("ARBRIDGE_BROKER_URL", "stub")),
    Case("rabbitmq-wrong-password", ("jobs", "send", "sap-pull"), 2,
         ("ARBRIDGE_BROKER_URL", "refused the logon"),
         env={"ARBRIDGE_BROKER_URL": "amqp://guest:wrong-secret@127.0.0.1:5672/"},
         needs="amqp://127.0.0.1:5672"),
    Case("schedule-on-stub-broker", ("jobs", "schedule"), 2, ("ARBRIDGE_BROKER_URL", "stub")),
    Case("broker-url-wrong-kind", ("jobs", "send", "sap-pull"), 2, ("ARBRIDGE_BROKER_URL",),
         env={"ARBRIDGE_BROKER_URL": "ftp://127.0.0.1/"}),
    Case("broker-timeout-not-a-number", ("jobs", "send", "sap-pull"), 2,
         ("ARBRIDGE_BROKER_TIMEOUT_SECONDS",),
         env={"ARBRIDGE_BROKER_URL": "redis://127.0.0.1:1/0",
              "ARBRIDGE_BROKER_TIMEOUT_SECONDS": "soon"}),
    Case("job-unknown", ("jobs", "send", "sap-push"), 2, ("sap-push",),
         env={"ARBRIDGE_BROKER_URL": "redis://127.0.0.1:1/0"}),
    # -- command-line arguments -------------------------------------------------------------
    Case("queue-unknown-portal", ("portals", "queue", "--portal", "nosuch"), 2, ("nosuch",)),
    Case("upload-unknown-portal", ("portals", "upload", "--portal", "nosuch"), 2,
         ("nosuch",)),
    Case("queue-unknown-state", ("portals", "queue", "--state", "stuck"), 2, ("stuck",)),
    Case("retry-without-document-or-state", ("portals", "retry"), 2, ("--state",)),
    Case("retry-state-not-retryable", ("portals", "retry", "--state", "submitted"), 2,
         ("submitted",)),
    Case("unknown-option", ("status", "--colour"), 2, ("--colour",)),
    Case("retry-unknown-document", ("portals", "retry", "90009999"), 1, ("90009999",)),
    # -- unreachable systems ----------------------------------------------------------------
    Case("postgres-unreachable", ("status",), 3, ("not reachable", "127.0.0.1:1"),
         env={"ARBRIDGE_DATABASE_URL": "postgresql://postgres:pw@127.0.0.1:1/test",
              "ARBRIDGE_DATABASE_TIMEOUT_SECONDS": "2"}, within_s=2),
    Case("sap-odata-unreachable", ("sap", "pull"), 3, ("not reachable",),
         env={"ARBRIDGE_SAP__KIND": "odata", "ARBRIDGE_SAP__BASE_URL": "http://127.0.0.1:9",
              "ARBRIDGE_SAP__TIMEOUT_SECONDS": "1"}, within_s=8),
    Case("redis-unreachable", ("jobs", "send", "sap-pull"), 3, ("broker", "not reachable"),
         env={"ARBRIDGE_BROKER_URL": "redis://127.0.0.1:1/0"}, within_s=5),
    Case("rabbitmq-unreachable", ("jobs", "send", "portal-upload"), 3,
         ("broker", "not reachable"),
         env={"ARBRIDGE_BROKER_URL": "amqp://guest:guest@127.0.0.1:1/",
              "ARBRIDGE_BROKER_TIMEOUT_SECONDS": "1"}, within_s=1),
    Case("portal-check-portal-down", ("portals", "check"), 3,
         ("acme", "not reachable", "127.0.0.1:9"), toml=PORTAL_DOWN, within_s=2),
    Case("portal-upload-portal-down", ("portals", "upload"), 3,
         ("acme", "not reachable"), toml=PORTAL_DOWN, within_s=2,
         env={"ARBRIDGE_PORTAL_CUSTOMER_GROUPS": '{"P01": "acme"}'}),
]


def _environment(extra: dict[str, str]) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update({**SMALL, "COLUMNS": "80", **extra})
    return environment


def _dump(db: Path) -> list[str]:
    """The store's content, row by row (WAL files and file timestamps do not matter)."""
    if not db.exists():
        return []
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder whose store holds one pull of a small simulated SAP."""
    folder = tmp_path_factory.mktemp("cli-template")
    for command in (["init"], ["sap", "pull"]):
        done = subprocess.run([ARBRIDGE, *command], cwd=folder, env=_environment({}),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    return folder


@dataclass(frozen=True)
class Outcome:
    result: subprocess.CompletedProcess
    seconds: float
    before: list[str]
    after: list[str]


def _run(case: Case, template: Path, root: Path) -> Outcome:
    workdir = root / case.name
    shutil.copytree(template, workdir)
    if case.toml is not None:
        (workdir / "arbridge.toml").write_text(case.toml)
    if case.setup is not None:
        case.setup(workdir)
    store = workdir / "var" / "arbridge.db"
    before = _dump(store)
    started = time.perf_counter()
    result = subprocess.run([ARBRIDGE, *case.args], cwd=workdir, env=_environment(case.env),
                            input=case.stdin or "", capture_output=True, text=True,
                            timeout=120)
    return Outcome(result, time.perf_counter() - started, before, _dump(store))


@pytest.fixture(scope="module")
def outcomes(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("cli-cases")
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = {case.name: pool.submit(_run, case, template, root) for case in CASES}
        return {name: future.result() for name, future in futures.items()}


def test_there_are_enough_cases_and_each_exit_code_is_covered():
    assert len(CASES) >= 25
    assert len({case.name for case in CASES}) == len(CASES)
    assert {case.code for case in CASES} == {1, 2, 3}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_mistake_is_one_line_with_its_exit_code_and_changes_nothing(case, outcomes):
    if case.needs:
        from tests.conftest import service_unavailable
        from workers.cli.reach import unreachable

        why = unreachable(case.needs, 5)
        if why:
            service_unavailable(case.needs, OSError(why))
    outcome = outcomes[case.name]
    result = outcome.result
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for name in case.names:
        assert name.lower() in line.lower(), f"{name!r} not in {line!r}"
    assert result.returncode == case.code, line
    assert outcome.after == outcome.before, "the store changed"
    if case.within_s is not None:
        assert outcome.seconds < case.within_s + SLACK_S, f"took {outcome.seconds:.1f}s"


def test_secrets_never_appear_in_the_error_line(outcomes):
    for name in ("sap-wrong-password", "postgres-unreachable", "rabbitmq-unreachable",
                 "rabbitmq-wrong-password"):
        result = outcomes[name].result
        for secret in ("wrong-secret", ":pw@", "guest:guest"):
            assert secret not in result.stderr + result.stdout, name
