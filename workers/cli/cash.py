"""``arbridge allocate``, ``arbridge allocations …`` and ``arbridge journal …``: cash
application from the command line."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

import typer

from config.errors import InputError
from workers.cli.output import (
    MAX_ID,
    choice,
    console,
    guarded,
    load_settings,
    print_json,
    print_rows,
)

if TYPE_CHECKING:
    from config.settings import Settings
    from sync.store import Store

allocations_app = typer.Typer(help="Allocations of receipts to invoices.",
                              invoke_without_command=True)
journal_app = typer.Typer(help="Correcting journals.", no_args_is_help=True)


def allocate_command(
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    no_post: bool = typer.Option(False, "--no-post", help="Match only; post nothing."),
) -> None:
    """Match open receipts, post approved allocations to SAP, run pending journals."""
    def action() -> None:
        from connectors.cash_run import run_cash
        from sap.factory import make_sap_client
        from sync.store import open_store

        settings = load_settings()
        store = open_store(settings)
        client = None if no_post else make_sap_client(settings)
        try:
            result = run_cash(settings, store, client)
        finally:
            if client is not None:
                client.close()
        if as_json:
            print_json(result)
            return
        console.print(f"matched: {result['auto']} automatic, {result['proposed']} proposed, "
                      f"{result['unallocated']} unallocated; SAP: {result['posted']} posted, "
                      f"{result['found']} found already posted, {result['failed']} refused, "
                      f"{result['deferred']} left for a look-up", highlight=False)
        for error in result["errors"]:
            console.print(f"{error}", highlight=False)
        if result.get("left"):
            console.print(f"left behind: {len(result['left'])}", highlight=False)
            for line in result["left"]:
                console.print(f"  {line}", highlight=False)

    guarded(action)


@allocations_app.callback()
def allocations_command(
    ctx: typer.Context,
    state: str = typer.Option(None, "--state", help="proposed, approved, posting, posted, "
                              "failed, reversed, held or rejected."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """List allocations with their rule, evidence and SAP document."""
    if ctx.invoked_subcommand is not None:
        return

    def action() -> None:
        from sync.cash import allocations
        from sync.store import open_store

        choice("--state", state, allocations.STATES)
        store = open_store(load_settings())
        with store.engine.connect() as conn:
            rows = allocations.listing(conn, state)
        if as_json:
            print_json([_as_json(a) for a in rows])
            return
        print_rows(("id", "state", "rule", "customer", "amount", "invoices", "SAP doc"),
                   ([a.id, a.state, a.rule, a.customer.lstrip("0"), f"{a.currency} {a.amount}",
                     ", ".join(i["invoice"] for i in a.items) or "on account",
                     a.sap_document or "-"] for a in rows),
                   title=f"{len(rows)} allocations", wrap=("invoices",))

    guarded(action)


def documents_text(documents: dict) -> str:
    """A journal's SAP documents for people: "payment 1400000123 · reversal 1500000009"."""
    def one(value: object) -> str:
        if isinstance(value, dict):
            return " ".join(str(v) for v in value.values() if v not in (None, ""))
        if isinstance(value, (list, tuple)):
            return " ".join(str(v) for v in value)
        return str(value)
    return " · ".join(f"{step} {one(value)}" for step, value in documents.items()) or "-"


def _as_json(a) -> dict:  # type: ignore[no-untyped-def]
    return {"id": a.id, "receipt": a.receipt_id, "state": a.state, "rule": a.rule,
            "automatic": a.automatic, "customer": a.customer, "currency": a.currency,
            "amount": str(a.amount), "on_account": str(a.on_account), "items": a.items,
            "evidence": a.evidence, "idempotency_key": a.key, "sap_document": a.sap_document,
            "sap_fiscal_year": a.sap_fiscal_year, "sap_messages": a.messages}


@allocations_app.command("approve")
def approve_command(allocation_id: int = typer.Argument(..., min=1, max=MAX_ID,
                                                       help="A proposed allocation.")
                    ) -> None:
    """Approve a proposal; the next ``arbridge allocate`` posts it."""
    def action() -> None:
        from datetime import datetime, timezone

        from sync.cash import allocations
        from sync.store import open_store

        store = open_store(load_settings())
        with store.engine.begin() as conn:
            allocation = allocations.approve(conn, allocation_id, actor=getpass.getuser(),
                                             now=datetime.now(timezone.utc))
        console.print(f"allocation {allocation.id} approved ({allocation.rule}, "
                      f"{allocation.currency} {allocation.amount}); arbridge allocate posts it",
                      highlight=False)

    guarded(action)


@allocations_app.command("allocate")
def allocate_by_hand_command(
    receipt_id: int = typer.Argument(..., min=1, max=MAX_ID,
                                     help="An unallocated receipt (arbridge bank "
                                          "unallocated)."),
    to: list[str] = typer.Option(..., "--to", help="INVOICE=AMOUNT, once per invoice "
                                 "(one customer's)."),
    on_account: bool = typer.Option(False, "--on-account", help="Post what the amounts "
                                    "leave over on account (else they must add up)."),
    note: str = typer.Option("", "--note", help="Kept with the allocation."),
    no_post: bool = typer.Option(False, "--no-post", help="Store it approved; the next "
                                 "arbridge allocate posts it."),
) -> None:
    """Allocate a receipt by hand with an amount split and post it to SAP (as the web app)."""
    def action() -> None:
        from connectors import cash_actions
        from sync.store import open_store

        splits = []
        for n, pair in enumerate(to, start=1):
            invoice, sep, amount = pair.partition("=")
            if not sep or not invoice.strip():
                raise InputError(f"--to number {n}: {pair!r} is not INVOICE=AMOUNT")
            splits.append(cash_actions.Split(invoice.strip(), cash_actions.parse_amount(
                amount, f"--to {invoice.strip()}")))
        settings = load_settings()
        store = open_store(settings)
        allocation_id = cash_actions.allocate_by_hand(
            store, receipt_id, splits, actor=getpass.getuser(), on_account=on_account,
            note=note)
        if no_post:
            console.print(f"allocation {allocation_id} approved; arbridge allocate posts it",
                          highlight=False)
            return
        done = cash_actions.post_now(settings, store, allocation_id)
        console.print(f"allocation {done.id}: {done.state}"
                      + (f", SAP document {done.sap_document}" if done.sap_document else ""),
                      highlight=False)

    guarded(action)


def _run_and_show_journal(settings: Settings, store: Store, journal_id: int, *,
                          as_json: bool) -> None:
    """Run a requested or resumed journal against SAP now, then print where it stands."""
    from datetime import datetime, timezone

    from connectors.journals import run_journal
    from connectors.posting import run_owner
    from sap.factory import make_sap_client
    from sync.cash import journals

    client = make_sap_client(settings)
    try:
        run_journal(store, client, settings.cash, journal_id, owner=run_owner(None),
                    now=datetime.now(timezone.utc))
    finally:
        client.close()
    with store.engine.connect() as conn:
        journal = journals.as_json(journals.get(conn, journal_id))
    if as_json:
        print_json(journal)
        return
    console.print(f"journal {journal['id']}: {journal['state']} "
                  f"{documents_text(journal['documents'])}"
                  + (f" — {journal['message']}" if journal["message"] else ""),
                  highlight=False)


@journal_app.command("correct")
def correct_command(
    allocation_id: int = typer.Argument(..., min=1, max=MAX_ID,
                                       help="The posted allocation that is wrong."),
    to: str = typer.Option(..., "--to", help="The right invoice(s), comma separated."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the journal)."),
    as_json: bool = typer.Option(False, "--json", help="Print the journal as JSON."),
) -> None:
    """Reset the clearing, reverse the payment and re-post it to the right invoices."""
    def action() -> None:
        from connectors.journals import request_correction
        from sync.store import open_store

        settings = load_settings()
        store = open_store(settings)
        journal_id = request_correction(store, allocation_id,
                                        [x.strip() for x in to.split(",") if x.strip()],
                                        reason=reason, actor=getpass.getuser())
        _run_and_show_journal(settings, store, journal_id, as_json=as_json)

    guarded(action)


@journal_app.command("resume")
def resume_command(
    journal_id: int = typer.Argument(..., min=1, max=MAX_ID,
                                     help="The failed journal to carry on."),
    as_json: bool = typer.Option(False, "--json", help="Print the journal as JSON."),
) -> None:
    """Carry on a failed journal from the step where it stopped (each step checks SAP)."""
    def action() -> None:
        from connectors.journals import resume
        from sync.store import open_store

        settings = load_settings()
        store = open_store(settings)
        resume(store, journal_id, actor=getpass.getuser())
        _run_and_show_journal(settings, store, journal_id, as_json=as_json)

    guarded(action)


@journal_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")
                 ) -> None:
    """Correcting journals with who, why and every SAP document number."""
    def action() -> None:
        from sync.cash import journals
        from sync.store import open_store

        store = open_store(load_settings())
        with store.engine.connect() as conn:
            rows = [journals.as_json(j) for j in journals.listing(conn)]
        if as_json:
            print_json(rows)
            return
        print_rows(("id", "kind", "state", "allocation", "by", "reason", "SAP documents"),
                   ([j["id"], j["kind"], j["state"], j["allocation"], j["by"], j["reason"],
                     documents_text(j["documents"])] for j in rows),
                   title=f"{len(rows)} journals", wrap=("reason", "SAP documents"))

    guarded(action)
