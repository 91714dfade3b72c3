"""What a person does from a page or through the JSON API, written once for both: act on
uploads, acknowledge alerts, allocate or approve a receipt and post it, ask for a correcting
journal. Each goes through the state machines in ``sync/`` (and ``connectors/`` for SAP),
with the person's name in the audit trail."""

from __future__ import annotations

from fastapi import Request

from admin.context import context
from admin.security import Principal
from config.errors import InputError
from connectors import cash_actions
from sync.cash.allocations import Allocation
from sync.cash.journals import Journal
from sync.po import alerts
from sync.po.entry import FieldNames
from sync.store import Store
from sync.txn import writing
from sync.uploads import actions as upload_actions

# The PO entry form's and the API's names for the fields ``po_read`` checks.
FORM_NAMES = FieldNames(total="Total", invoiced="Already invoiced", currency="Currency",
                        valid_to="Valid to", number="The PO number")


def store_of(request: Request) -> Store:
    return Store(context(request).engine)


def apply_action(request: Request, who: Principal, documents: list[str], action: str,
                 reason: str | None) -> tuple[list[str], list[str]]:
    """Apply ``action`` to each document, each in its own transaction (one refusal does not
    undo the others). Returns (done, refusals)."""
    ctx = context(request)
    return upload_actions.act_on_each(ctx.engine, documents, action=action,
                                      actor=who.user.name, clock=ctx.clock, reason=reason)


def acknowledge_all(request: Request, who: Principal, ids: list[int]
                    ) -> tuple[list[int], list[str]]:
    """Acknowledge each alert in its own transaction; returns (done, refusals)."""
    ctx = context(request)
    done: list[int] = []
    refused: list[str] = []
    for alert_id in ids:
        try:
            with writing(ctx.engine) as conn:
                alerts.acknowledge(conn, alert_id, who=who.user.name, now=ctx.clock())
            done.append(alert_id)
        except InputError as refusal:
            refused.append(str(refusal))
    return done, refused


def allocate(request: Request, who: Principal, receipt_id: int,
             splits: list[cash_actions.Split], *, on_account: bool, note: str) -> Allocation:
    """Allocate by hand and post at once; audited with the person's name."""
    ctx = context(request)
    store = store_of(request)
    allocation_id = cash_actions.allocate_by_hand(store, receipt_id, splits,
                                                  actor=who.user.name, on_account=on_account,
                                                  note=note, now=ctx.clock())
    return cash_actions.post_now(ctx.settings, store, allocation_id, now=ctx.clock())


def approve(request: Request, who: Principal, allocation_id: int) -> Allocation:
    ctx = context(request)
    store = store_of(request)
    cash_actions.approve_proposal(store, allocation_id, actor=who.user.name, now=ctx.clock())
    return cash_actions.post_now(ctx.settings, store, allocation_id, now=ctx.clock())


def request_journal(request: Request, who: Principal, allocation_id: int,
                    invoices: list[str], reason: str) -> Journal:
    """Record the correcting journal with the person's name and reason, and run it in SAP."""
    ctx = context(request)
    if not invoices:
        raise InputError("name the invoice(s) the money should have gone to")
    return cash_actions.correct_now(ctx.settings, store_of(request), allocation_id, invoices,
                                    reason=reason, actor=who.user.name, now=ctx.clock())
