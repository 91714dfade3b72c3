"""``arbridge status`` and ``arbridge init``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from workers.cli.output import checked_settings, err, guarded, out, print_json

if TYPE_CHECKING:
    from config.settings import Settings


def status_of(settings: Settings) -> dict[str, Any]:
    """Everything ``status`` shows, read without the ORM (see ``sync.overview``)."""
    from config.checks import configured_portals
    from config.settings import redact_url
    from sync import overview
    from sync.db import current_revision, make_engine, migrate
    from sync.store import require_store
    from sync.uploads.states import grouped

    require_store(settings)
    engine = make_engine(settings.db_url,
                         connect_timeout_seconds=settings.database_timeout_seconds)
    migrate(engine)
    with engine.connect() as conn:
        counts = overview.entity_counts(conn)
        uploads = grouped(overview.upload_counts(conn))
        per_portal = overview.customers_per_portal(conn)
        cursor_rows = overview.cursors(conn)
        held = uncertain_mail(conn)
    return {
        "home": str(settings.home.resolve()),
        "store": redact_url(settings.db_url),
        "schema": current_revision(engine),
        "sap": {"kind": settings.sap.kind, "company_codes": settings.company_codes},
        "counts": counts,
        "portals": uploads,
        "bindings": bindings_of(per_portal, configured_portals(settings)),
        "cursors": cursor_rows,
        "uncertain_mail": held,
    }


def uncertain_mail(conn: Any) -> list[dict[str, Any]]:
    """Statements and reminders whose run stopped after handing them to a mail server:
    held for a person, with the command that releases each (see sync.work.outgoing)."""
    from sync.collections.dunning import REMINDERS
    from sync.reports.statements import STATEMENTS
    from sync.work.outgoing import uncertain

    return [{"kind": kind, "id": row["id"], "customer": row["customer"],
             "detail": row["detail"], "release": command.format(row["id"])}
            for kind, table, command in (
                ("statement", STATEMENTS, "arbridge report statements --resend {}"),
                ("reminder", REMINDERS, "arbridge collections resend {}"))
            for row in uncertain(conn, table)]


def bindings_of(per_portal: dict[str | None, int], configured: tuple[str, ...]
                ) -> dict[str, Any]:
    """Customers per configured portal, those bound to no portal, and those bound to a portal
    that is no longer configured (their invoices are not queued until the binding is fixed)."""
    found = dict(per_portal)
    unbound = int(found.pop(None, 0))
    return {"by_portal": {p: int(found.get(p, 0)) for p in configured},
            "unbound": unbound,
            "unconfigured": {p: int(n) for p, n in sorted(found.items()) if p not in configured}}


def queue_line(counts: dict[str, int]) -> str:
    """``41 submitted, 4 held, 0 failed, 0 waiting, 0 in review`` (the ``portals`` section)."""
    return (f"{counts['submitted']:,} submitted, {counts['held']:,} held, "
            f"{counts['failed']:,} failed, {counts['queued']:,} waiting, "
            f"{counts['review']:,} in review")


def _when(moment: datetime | None, zone: str) -> str:
    from sync.local_time import people_time

    return people_time(moment, zone, empty="never")


def init_command() -> None:
    """Create the working folder and the store (applies migrations)."""
    def action() -> None:
        from config.settings import redact_url
        from sync.db import current_revision
        from sync.store import open_store, start_up

        settings = checked_settings()
        start_up(settings, create=True)
        store = open_store(settings, create=True)
        out.print(f"store ready at {redact_url(settings.db_url)} "
                  f"(schema {current_revision(store.engine)})")
        if settings.sap.kind == "simulator":
            from sap.simulator import SapSimulator

            if not SapSimulator(settings.simulator_path).is_seeded():
                err.print("the SAP simulator is seeded on the first `arbridge sap pull` "
                          "(or `arbridge demo`)")

    guarded(action)


def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the store, what it holds and where each incremental pull stands."""
    def action() -> None:
        settings = checked_settings()
        status = status_of(settings)
        if as_json:
            print_json(status)
            return
        _print_status(status, settings.time_zone)

    guarded(action)


def _print_status(status: dict[str, Any], zone: str) -> None:
    from rich.table import Table

    codes = status["sap"]["company_codes"]
    out.print(f"store: {status['store']} (schema {status['schema']})")
    out.print(f"SAP: {status['sap']['kind']}, company codes {', '.join(codes)}")
    table = Table("entity", "rows", "cursor (since)", "last pull")
    cursors = {(c["entity"], c["scope"]): c for c in status["cursors"]
               if c["scope"] in codes}
    for entity, count in status["counts"].items():
        for code in codes:
            cursor = cursors.get((entity, code), {})
            label = entity.replace("_", " ") + (f" ({code})" if len(codes) > 1 else "")
            table.add_row(label, f"{count:,}" if code == codes[0] else "",
                          str(cursor.get("since") or "-"), _when(cursor.get("updated_at"), zone))
    out.print(table)
    out.print(f"portal uploads: {queue_line(status['portals'])}")
    bindings = status["bindings"]
    bound = ", ".join(f"{n:,} to {p}" for p, n in bindings["by_portal"].items())
    out.print(f"customers: {bound}, {bindings['unbound']:,} bound to no portal")
    for held in status.get("uncertain_mail", []):
        out.print(f"warning: {held['kind']} {held['id']} ({held['customer']}) may or may not "
                  "have reached the customer (its run stopped mid-send): check the mailbox "
                  f"or the mail server's log; if it did not arrive: {held['release']}")
    for portal, count in bindings["unconfigured"].items():
        out.print(f"warning: {count:,} customers are bound to portal {portal!r}, which is not "
                  "configured: their invoices are not uploaded")
