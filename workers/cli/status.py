"""``arbridge status`` and ``arbridge init``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from config.settings import Settings, load_settings, redact_url
from sync import cursors
from sync.db import current_revision
from sync.store import open_store
from workers.cli.output import console, guarded, print_json
from workers.uploads import queue_counts


def status_of(settings: Settings) -> dict[str, Any]:
    store = open_store(settings)
    with store.engine.connect() as conn:
        cursor_rows = cursors.all_cursors(conn)
    return {
        "home": str(settings.home.resolve()),
        "store": redact_url(settings.db_url),
        "schema": current_revision(store.engine),
        "sap": {"kind": settings.sap.kind, "company_codes": settings.company_codes},
        "counts": store.counts(),
        "portals": queue_counts(store),
        "cursors": [{k: r[k] for k in ("source", "entity", "scope", "since", "after_key",
                                        "updated_at")} for r in cursor_rows],
    }


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def init_command() -> None:
    """Create the working folder and the store (applies migrations)."""
    def action() -> None:
        settings = load_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings)
        console.print(f"store ready at {redact_url(settings.db_url)} "
                      f"(schema {current_revision(store.engine)})", highlight=False)

    guarded(action)


def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the store, what it holds and where each incremental pull stands."""
    def action() -> None:
        status = status_of(load_settings())
        if as_json:
            print_json(status)
            return
        console.print(f"store: {status['store']} (schema {status['schema']})", highlight=False)
        console.print(f"SAP: {status['sap']['kind']}, company codes "
                      f"{', '.join(status['sap']['company_codes'])}", highlight=False)
        table = Table("entity", "rows", "cursor (since)", "last pull")
        by_entity = {c["entity"]: c for c in status["cursors"]}
        for entity, count in status["counts"].items():
            cursor = by_entity.get(entity, {})
            table.add_row(entity.replace("_", " "), f"{count:,}", str(cursor.get("since") or "-"),
                          _when(cursor.get("updated_at")))
        console.print(table)
        console.print(f"portal uploads: {status['portals']}", highlight=False)

    guarded(action)
