"""Collections in ``arbridge demo``: the demo portal's client rejects one invoice (read back
by the uploads' status refresh), a collector's two promises (one the demo's receipts keep,
one nobody pays), one customer marked a natural person under the National Credit Act, then
last week's run and today's: reminders at two levels, the promises judged, a dispute case
from the rejected invoice with a credit-note request, a section 129 notice. Every step is
keyed, so a second demo adds and sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sync.tables import table_of

if TYPE_CHECKING:
    from config.collections import CollectionSettings
    from config.settings import Settings
    from sync.store import Store

REASON = "PO closed by the buyer: re-invoice against the new PO"


def client_rejects_one(server: Any, store: Store) -> bool:
    """On a demo portal, the client rejects the first invoice there (once): True when it did
    so now (the next upload run's status refresh reads it back)."""
    from portals.demo.seed import FLAVOUR_OF
    from sync.uploads.models import PortalUploadRow

    table = table_of(PortalUploadRow)
    portals = tuple(FLAVOUR_OF)
    with store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(table).where(
                table.c.portal.in_(portals), table.c.state.in_(("rejected", "disputed")))
                ).scalar_one():
            return False
        first = conn.execute(select(table.c.portal, table.c.invoice_number).where(
            table.c.portal.in_(portals), table.c.state == "submitted").order_by(
            table.c.billing_document)).first()
    if first is None:
        return False
    server.states[FLAVOUR_OF[first[0]]].set_invoice_status(first[1], "Rejected", REASON)
    return True


def _picks(store: Store, today: Any) -> dict[str, Any]:
    """The demo's customers, chosen from the mirror alone (so both runs choose the same)."""
    from sync.cash.models import AllocationRow
    from sync.mirror.models import ClearedItemRow, OpenItemRow

    opened = table_of(OpenItemRow)
    cleared = table_of(ClearedItemRow)
    allocations = table_of(AllocationRow)
    with store.engine.connect() as conn:
        paid = conn.execute(select(cleared.c.customer, cleared.c.document,
                                   cleared.c.fiscal_year, cleared.c.line, cleared.c.amount,
                                   cleared.c.clearing_date).where(
            cleared.c.clearing_date == today, cleared.c.due_date < today,
            cleared.c.customer.in_(select(allocations.c.customer).where(
                allocations.c.state == "posted"))).order_by(cleared.c.due_date)).first()
        old = conn.execute(select(opened.c.customer, opened.c.document, opened.c.fiscal_year,
                                  opened.c.line, opened.c.amount).where(
            opened.c.amount > 0, opened.c.currency == "ZAR",
            opened.c.due_date < today - timedelta(days=45)).order_by(
            opened.c.customer, opened.c.document).limit(200)).all()
    firsts = list({r.customer: r for r in reversed(old)}.values())[::-1]  # first per customer
    return {"kept": paid, "broken": firsts[0] if firsts else None,
            "natural": firsts[1].customer if len(firsts) > 1 else None}


def _promises(store: Store, picks: dict[str, Any], today: Any, now: datetime) -> None:
    from sync.collections.promise_store import make_promise
    from sync.collections.promises import Instalment
    from sync.txn import writing

    with writing(store.engine) as conn:
        for ref, row, made, due in (("kept", picks["kept"], 7, 0),
                                    ("broken", picks["broken"], 14, 7)):
            if row is None:
                continue
            key = f"1000/{row.document}/{row.fiscal_year}/{row.line}"
            make_promise(conn, reference=f"demo:{ref}", company_code="1000",
                         customer=row.customer, items=[key],
                         instalments=[Instalment(today - timedelta(days=due),
                                                 Decimal(row.amount))],
                         made_on=today - timedelta(days=made), by="demo", now=now)


def collections_demo(settings: Settings, store: Store) -> tuple[dict[str, Any], str]:
    """The ``collections`` section of ``--json``, and the line for people."""
    from connectors.collections.run import run_collections
    from connectors.reports.book import ledger_today
    from sync.collections import disputes, dunning, legal, promise_store
    from sync.collections.worklist import build
    from sync.txn import writing

    now = datetime.now(timezone.utc)
    with store.engine.connect() as conn:
        today = ledger_today(conn)
    picks = _picks(store, today)
    chosen: CollectionSettings = settings.collections
    if picks["natural"] is not None and not chosen.nca:
        chosen = chosen.model_copy(update={"nca": {picks["natural"]: "natural"}})
    _promises(store, picks, today, now)
    for day in (today - timedelta(days=7), today):  # last week's run, then today's
        run_collections(store.engine, chosen, settings.home, as_of=day, now=now)
    with writing(store.engine) as conn:
        for case in disputes.open_cases(conn):
            if case["source"].startswith("upload:"):
                disputes.request_for_case(conn, case["id"], today=today, now=now, by="demo")
    with store.engine.connect() as conn:
        cases = disputes.counts(conn)
        section = {"worklist": len(build(conn, chosen, today)),
                   "reminders": dunning.counts_by_level(conn),
                   "promises": promise_store.counts(conn), "disputes": cases["disputes"],
                   "credit_note_requests": cases["credit_note_requests"],
                   "notices_s129": len([n for n in legal.notices(conn)
                                        if n["kind"] == "s129"])}
    def words(counts: dict[str, int], label: str = "") -> str:
        return ", ".join(f"{label}{k}: {n}" for k, n in counts.items()) or "none"

    line = (f"collections: {section['worklist']} customers on the worklist; reminders "
            f"{words(section['reminders'], 'level ')}; promises {words(section['promises'])}; "
            f"disputes {words(section['disputes'])}, {section['credit_note_requests']} "
            "credit-note requests; "
            f"{section['notices_s129']} section 129 notices (arbridge collections worklist)")
    return section, line
