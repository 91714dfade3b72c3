"""``arbridge portals …``: upload invoices, look at the queue, check the portals."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from workers.cli.output import (
    checked_settings,
    err,
    guarded,
    out,
    print_json,
    reported_here,
)

if TYPE_CHECKING:
    from config.portals import PortalSettings
    from config.settings import Settings
    from portals.upload_run import RunSummary
    from sync.store import Store

app = typer.Typer(help="Client procurement portals.", no_args_is_help=True)
STATE_HELP = ("A group (queued, submitted, held, review, failed: as status counts them) or "
              "one state (ready, submitting, approved, paid, disputed, rejected).")
WIDE_TABLE = 120  # columns from which the queue is a table; below, two lines per upload


def _portals_for(settings: Settings, portal: str | None) -> dict[str, PortalSettings]:
    """The configured portals (``--portal`` only that one, exit 2 if unknown), each with a
    driver for its kind (exit 2 naming the portal if not)."""
    from config.checks import check_portal_name
    from config.errors import ConfigError
    from portals.configured import portal_settings
    from portals.registry import driver_class

    check_portal_name(settings, portal)
    chosen = {name: p for name, p in portal_settings(settings).items()
              if portal is None or name == portal}
    for name, account in chosen.items():
        if account.channel == "cxml":  # no page driver: the cXML channel (portals.cxml_uploads)
            continue
        try:
            driver_class(account.kind)
        except ConfigError as error:
            raise ConfigError(f"portals.{name}.kind: {error}") from None
    return chosen


def unreachable_portals(portals: dict[str, PortalSettings]) -> dict[str, Exception]:
    """The portals that do not answer at all (a TCP connection within their timeout), found
    before a browser starts: name → a :class:`RetriableError` saying so."""
    from config.errors import RetriableError
    from workers.cli.reach import unreachable

    down = {name: why for name, p in portals.items()
            if (why := unreachable(p.url, p.timeout_seconds))}
    hint = " (start it with: arbridge portals demo-server)" if down and all(
        name.startswith("demo-") for name in down) else ""
    return {name: RetriableError(f"portal {name} at {portals[name].url} not reachable: "
                                 f"{why}{hint}") for name, why in down.items()}


def outcome_line(summary: RunSummary) -> str:
    """``this run: demo-coupa 12 submitted, 1 held; demo-ariba nothing to do``."""
    parts = []
    for name, tally in summary.portals.items():
        done = ", ".join(f"{n} {o}" for o, n in tally.items() if n)
        parts.append(f"{name} {done or 'nothing to do'}")
    return "this run: " + ("; ".join(parts) if parts else "nothing to do")


def everything_failed(summary: RunSummary) -> bool:
    """A run in which uploads failed (or a portal could not be worked at all) and none was
    put on its portal: the run failed, whatever was held for a new PO."""
    succeeded = failures = 0
    for tally in summary.portals.values():
        succeeded += tally.get("submitted", 0) + tally.get("found", 0)
        failures += tally.get("failed", 0) + tally.get("retry", 0)
    return (bool(summary.errors) or failures > 0) and succeeded == 0


def failed_run_error(summary: RunSummary, counts: dict[str, int]) -> Exception:
    from config.errors import ArbridgeError, ConfigError, RetriableError

    errors = "; ".join(f"{n}: {e.splitlines()[0]}" for n, e in summary.errors.items())
    kind: type[ArbridgeError] = ArbridgeError  # exit 1, unless every portal stopped alike
    stopped = list(summary.failures.values())
    for family in (ConfigError, RetriableError):  # a refused login: 2; a portal down: 3
        if stopped and all(isinstance(error, family) for error in stopped):
            kind = family
    return kind(
        f"no upload succeeded this run ({errors or outcome_line(summary)}); "
        f"{counts['failed']} failed in all: see arbridge portals queue --state failed, fix the "
        "cause, then arbridge portals retry --state failed")


@app.command("upload")
def upload_command(
    portal: str = typer.Option(None, "--portal", help="Only this portal."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Queue new invoices of bound customers and put every ready one on its portal."""
    def action() -> None:
        from portals.upload_jobs import run_uploads
        from sync.store import open_store
        from sync.uploads.listing import queue_counts
        from workers import metrics

        reported_here()
        settings = checked_settings()
        chosen = _portals_for(settings, portal)
        down = unreachable_portals(chosen)
        if down and len(down) == len(chosen):  # nothing to work on: say so now (exit 3)
            from config.errors import RetriableError

            raise RetriableError("; ".join(str(error) for error in down.values()))

        def show(portal_name: str, document: str, outcome: str) -> None:
            if not as_json:
                err.print(f"{portal_name}: {document} {outcome}")

        summary = run_uploads(settings, portal=portal, on_upload=metrics.counting_uploads(show),
                              on_timing=metrics.upload_seconds)
        counts = queue_counts(open_store(settings))
        if as_json:
            print_json({**summary.as_dict(), "queue": counts})
        else:
            from workers.cli.status import queue_line

            out.print(outcome_line(summary))
            out.print(f"queue: {queue_line(counts)}")
        if everything_failed(summary):
            raise failed_run_error(summary, counts)
        if summary.errors:
            from config.errors import RetriableError

            raise RetriableError("; ".join(f"{n}: {e.splitlines()[0]}"
                                           for n, e in summary.errors.items()))

    guarded(action)


@app.command("queue")
def queue_command(
    state: str = typer.Option(None, "--state", help=STATE_HELP),
    portal: str = typer.Option(None, "--portal", help="Only this portal."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List uploads with their state and, for held or failed ones, the reason."""
    def action() -> None:
        from sync.store import open_store
        from sync.uploads.listing import queue_rows, states_of

        states = states_of(state) if state else None
        settings = checked_settings()
        store = open_store(settings)
        _known_portal(settings, store, portal)
        rows = queue_rows(store, states, portal)
        if as_json:
            print_json(rows)
        elif not out.is_terminal:  # one tab-separated line per upload, for grep and cut
            import sys

            sys.stdout.writelines("\t".join(_fields(r) + [r["reason"] or ""]) + "\n"
                                  for r in rows)
        elif out.width >= WIDE_TABLE:
            _print_table(rows)
        else:
            _print_narrow(rows)

    guarded(action)


def _known_portal(settings: Settings, store: Store, portal: str | None) -> None:
    """``--portal`` names a configured portal, or one that still has uploads in the store."""
    if portal is None:
        return
    from sqlalchemy import select

    from config.checks import check_portal_name
    from sync.tables import table_of
    from sync.uploads.models import PortalUploadRow

    table = table_of(PortalUploadRow)
    with store.engine.connect() as conn:
        stored = tuple(conn.execute(select(table.c.portal).distinct()).scalars())
    check_portal_name(settings, portal, also=stored)


def _fields(r: dict[str, Any]) -> list[str]:
    return [r["billing_document"], r["portal"], r["po_number"] or "-",
            f"{r['gross']:,.2f} {r['currency']}", r["state"], str(r["attempts"])]


def _print_table(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table()
    for column in ("billing doc", "portal", "PO", "gross", "state", "attempts"):
        table.add_column(column, no_wrap=True)
    table.add_column("reason", overflow="fold")
    for r in rows:
        table.add_row(*_fields(r), r["reason"] or "", style=None)
    out.print(table)


def _print_narrow(rows: list[dict[str, Any]]) -> None:
    """Two lines per upload on a narrow terminal: the fields, then the reason, wrapped."""
    import textwrap

    for r in rows:
        out.print("  ".join(_fields(r)), markup=False)
        if r["reason"]:
            for line in textwrap.wrap(r["reason"], width=max(out.width - 4, 20)):
                out.print(f"    {line}", markup=False)


def _act(document: str, action: str) -> None:
    """A person's decision on one upload, as the admin web app takes it
    (``sync.uploads.actions.act``): refused while an upload run holds the upload, audited with
    their login name."""
    import getpass
    from datetime import datetime, timezone

    from config.errors import InputError
    from sync.store import open_store
    from sync.txn import writing
    from sync.uploads import actions as upload_actions
    from sync.uploads import queue as uploads

    store = open_store(checked_settings())
    with writing(store.engine) as conn:
        upload = uploads.by_document(conn, document)
        if upload is None:
            raise InputError(f"no upload for billing document {document}")
        done = upload_actions.act(conn, upload_id=upload.id, action=action,
                                  actor=getpass.getuser(), now=datetime.now(timezone.utc))
    out.print(f"{done.billing_document}: {done.before} -> {done.after}")


@app.command("approve")
def approve_command(document: str = typer.Argument(..., help="Billing document number.")) -> None:
    """Approve an upload waiting in review: it goes to the portal on the next run."""
    guarded(lambda: _act(document, "approve"))


RETRYABLE = ("failed", "held", "rejected")


@app.command("retry")
def retry_command(
    document: str = typer.Argument(None, help="Billing document number (or use --state)."),
    state: str = typer.Option(None, "--state",
                              help=f"Every upload in this state: {', '.join(RETRYABLE)}."),
    portal: str = typer.Option(None, "--portal", help="With --state: only this portal."),
    reason_contains: str = typer.Option(None, "--reason-contains",
                                        help="With --state: only uploads whose reason has "
                                        "this text (case-insensitive)."),
) -> None:
    """Send a failed, held or rejected upload again on the next run (after fixing the cause);
    with --state, every such upload at once (e.g. after restoring the PDF folder)."""
    def action() -> None:
        from config.errors import ConfigError

        if (document is None) == (state is None):
            raise ConfigError("give a billing document or --state (failed, held or rejected)")
        if document is not None:
            if portal or reason_contains:
                raise ConfigError("--portal and --reason-contains go with --state")
            _act(document, "retry")
            return
        if state not in RETRYABLE:
            raise ConfigError(f"--state {state}: only {', '.join(RETRYABLE)} uploads can be "
                              "retried")
        _retry_many(state, portal, reason_contains)

    guarded(action)


def _retry_many(state: str, portal: str | None, reason_contains: str | None) -> None:
    """Every upload in ``state`` (of ``portal``, whose reason contains the text) back to
    ``ready``, each as the web app's bulk action does: in its own transaction, refused (and
    said so) while an upload run holds it, audited with the person's login name."""
    import getpass
    from datetime import datetime, timezone

    from sync.store import open_store
    from sync.uploads import actions as upload_actions
    from sync.uploads import queue as uploads
    from workers.cli.output import EXIT_FAILED

    settings = checked_settings()
    store = open_store(settings)
    _known_portal(settings, store, portal)
    user, needle = getpass.getuser(), (reason_contains or "").lower()
    with store.engine.connect() as conn:
        chosen = [u for u in uploads.by_state(conn, state, portal)
                  if needle in (u.reason or "").lower()]
    done, refused = upload_actions.act_on_each(
        store.engine, [u.billing_document for u in chosen], action="retry", actor=user,
        clock=lambda: datetime.now(timezone.utc))
    where = f" of {portal}" if portal else ""
    matching = f" whose reason contains {reason_contains!r}" if reason_contains else ""
    out.print(f"{len(done)} {state} uploads{where}{matching} -> ready "
              "(they go to the portal on the next run)")
    if refused:  # each one line, as the web app lists them; the command then fails
        for line in refused:
            err.print(f"error: {line}")
        raise typer.Exit(EXIT_FAILED)


@app.command("check")
def check_command() -> None:
    """Log in to each portal and open its Orders page (a daily health check)."""
    def action() -> None:
        import asyncio

        from config.errors import ArbridgeError, ConfigError, RetriableError
        from config.secrets import SecretBox
        from portals.accounts import resolve
        from portals.check import check_portals_detailed

        reported_here()
        settings = checked_settings()
        portals = _portals_for(settings, None)
        down = unreachable_portals(portals)
        up = {name: p for name, p in portals.items() if name not in down}
        accounts = resolve(up, SecretBox.load(settings.home))
        found: dict[str, Exception | None] = dict(down)
        if accounts:
            found.update(asyncio.run(check_portals_detailed(accounts, settings.browser)))
        results = {name: found[name] for name in portals}
        for name, problem in results.items():
            out.print(f"ok   {name}" if problem is None else
                      f"FAIL {name}: {str(problem).splitlines()[0]}")
        problems = [p for p in results.values() if p is not None]
        if problems:
            worst = next((p for p in problems if isinstance(p, ConfigError)), None) or \
                next((p for p in problems if isinstance(p, RetriableError)), None) or problems[0]
            failed = ", ".join(n for n, p in results.items() if p is not None)
            kind = type(worst) if isinstance(worst, ArbridgeError) else ArbridgeError
            raise kind(f"portal check failed for {failed}: {str(worst).splitlines()[0]}")

    guarded(action)


@app.command("demo-server")
def demo_server_command(
    port: int = typer.Option(8765, help="Port on 127.0.0.1."),
    folder: Path = typer.Option(None, help="State folder (default: ARBRIDGE_HOME/demo-portal)."),
) -> None:
    """Run the bundled demo portal (both flavours: /coupa and /ariba) in the foreground."""
    def action() -> None:
        from config.settings import load_settings
        from portals.demo.server import serve_forever

        target = folder or load_settings().demo_portal_path
        err.print(f"demo portal on http://127.0.0.1:{port}/coupa and /ariba (state in {target});"
                  " Ctrl-C stops it")
        try:
            serve_forever(target, port=port)
        except KeyboardInterrupt:  # the way to stop a server: not a failure
            err.print("demo portal stopped")

    guarded(action)
