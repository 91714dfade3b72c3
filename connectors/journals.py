"""Correcting journals: undo a wrong allocation in SAP and post it again to the right
invoices, as one tracked journal; and re-open what a returned receipt paid.

Steps, each checked against SAP first so an interrupted journal is safely run again:

1. reset the clearings of the customer's payment items, found by the payment's full key
   (``Z_ARB_RESET_CLEARING`` around FBRA; a warning if already reset), each one recorded;
2. reverse the payment document the way it was posted: BAPI_ACC_DOCUMENT_REV_POST for
   interface documents (way a), the FB08 wrapper ``Z_ARB_REVERSE_DOCUMENT`` for FB05's (way b),
   with the reason and posting date SAP's reversal rules allow, unless SAP shows it reversed
   already (BKPF-STBLG); after a timeout, look that up before retrying;
3. re-post the receipt to the right invoices: a new allocation with its own idempotency key,
   posted exactly once like any other.

A step SAP refuses leaves the journal ``failed`` with a message saying which steps are done in
SAP, which is not and what that leaves open; :func:`resume` puts it back to ``pending`` and the
next run carries on from that step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from config.cash import CashSettings
from config.errors import InputError
from connectors.cash import invoice_items
from connectors.posting import PostSummary, post_one, run_owner
from sap.client import SapClient
from sap.errors import SapBusinessError, SapError, SapTimeout, SapUnavailable
from sap.posting import reversal_terms
from sync import audit
from sync.cash import allocations, journals
from sync.cash.allocations import key_for
from sync.cash.matching import ZERO
from sync.installation import ensure
from sync.store import Store
from sync.txn import writing
from sync.work import claims
from sync.work.heartbeat import Heartbeat


def request_correction(store: Store, allocation_id: int, invoices: Sequence[str], *,
                       reason: str, actor: str, now: datetime | None = None) -> int:
    """Record the journal and the held re-post; nothing touches SAP yet."""
    now = now or datetime.now(timezone.utc)
    if not reason.strip():
        raise InputError("a correcting journal needs a reason (--reason)")
    with writing(store.engine) as conn:
        # one journal per allocation at a time: the allocation's row is locked (PostgreSQL;
        # SQLite's BEGIN IMMEDIATE already serialises) before looking for a pending one
        conn.execute(select(allocations.ALLOCATIONS.c.id).where(
            allocations.ALLOCATIONS.c.id == allocation_id).with_for_update())
        allocation = allocations.get(conn, allocation_id)
        if allocation.state != "posted":
            raise InputError(f"allocation {allocation_id} is {allocation.state}; only posted "
                             "allocations are corrected with a journal")
        pending = conn.execute(select(journals.JOURNALS.c.id).where(
            journals.JOURNALS.c.allocation_id == allocation_id,
            journals.JOURNALS.c.state == "pending")).scalar()
        if pending is not None:
            raise InputError(f"allocation {allocation_id} already has correcting journal "
                             f"{pending} under way; follow that one")
        targets = invoice_items(conn, invoices, allocation.currency)
        left, applications = Decimal(allocation.amount), []
        for item in sorted(targets, key=lambda i: (i.due_date, i.document)):
            applied = min(left, item.amount)
            if applied <= 0:
                break
            applications.append({"item": item.key, "document": item.document,
                                 "fiscal_year": item.fiscal_year, "line": item.line,
                                 "invoice": item.invoice, "open_amount": str(item.amount),
                                 "applied": str(applied), "deduction": "0.00", "reason": "",
                                 "residual": str(item.amount - applied)})
            left -= applied
        new_id = allocations.insert_allocation(
            conn, receipt_id=allocation.receipt_id, state="held", rule="correction",
            automatic=False, company_code=targets[0].company_code,
            customer=targets[0].customer, currency=allocation.currency,
            amount=allocation.amount, on_account=max(left, ZERO), items=applications,
            evidence={"corrects": allocation_id, "reason": reason, "by": actor}, now=now,
            actor=actor)
        return journals.create(conn, allocation_id=allocation_id, new_allocation_id=new_id,
                               kind="correction", actor=actor, reason=reason,
                               target=",".join(invoices), now=now)


def request_returns(store: Store, receipt_ids: Sequence[int], *,
                    now: datetime | None = None) -> int:
    """A returned receipt re-opens what it paid: a journal per posted allocation of it;
    allocations not yet posted are set aside. Returns the journals created."""
    now = now or datetime.now(timezone.utc)
    created = 0
    with store.engine.begin() as conn:
        for receipt_id in receipt_ids:
            for allocation in allocations.listing(conn):
                if allocation.receipt_id != receipt_id:
                    continue
                if allocation.state == "posted":
                    journals.create(conn, allocation_id=allocation.id, new_allocation_id=None,
                                    kind="return", actor=audit.SYSTEM_ACTOR,
                                    reason="receipt returned by the bank", target="",
                                    now=now)
                    created += 1
                elif allocation.state in ("proposed", "approved", "held"):
                    allocations.set_state(conn, allocation.id, "rejected", now=now,
                                          actor=audit.SYSTEM_ACTOR,
                                          reason="receipt returned by the bank")
    return created


def resume(store: Store, journal_id: int, *, actor: str,
           now: datetime | None = None) -> None:
    """Put a failed journal back to ``pending``: the next run carries on where it stopped."""
    now = now or datetime.now(timezone.utc)
    try:
        with writing(store.engine) as conn:
            journals.resume(conn, journal_id, actor=actor, now=now)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def run_journals(store: Store, client: SapClient, cash: CashSettings, *,
                 owner: claims.Owner | str | None = None,
                 now: datetime | None = None) -> dict[str, int]:
    run = run_owner(owner)
    now = now or datetime.now(timezone.utc)
    result = {"done": 0, "failed": 0, "pending": 0}
    with store.engine.connect() as conn:
        due = journals.pending(conn, now)
    for journal_id in due:
        result[run_journal(store, client, cash, journal_id, owner=run, now=now)] += 1
    return result


def run_journal(store: Store, client: SapClient, cash: CashSettings, journal_id: int, *,
                owner: claims.Owner, now: datetime) -> str:
    """Run one journal under its claim. A journal left ``pending`` (SAP unreachable or
    uncertain, the re-post deferred) gives its claim back: every step checks SAP first, so
    the next run simply carries on."""
    lease = timedelta(seconds=cash.lease_seconds)
    clock = claims.clock_from(now)  # read at each step, not once per run
    with writing(store.engine) as conn:
        held = journals.claim(conn, journal_id, owner=owner, now=clock(), lease=lease)
        if held is None:
            return "pending"
        journal = journals.get(conn, journal_id)
        allocation = allocations.get(conn, journal.allocation_id)
    try:
        with Heartbeat(store.engine, [held], lease=lease, clock=clock):  # renewed while SAP works
            outcome = _steps(store, client, cash, journal, allocation, held, lease, clock())
    except claims.ClaimLost:  # froze past the lease: the new owner checks SAP and carries on
        return "pending"
    if outcome == "pending":
        with writing(store.engine) as conn:
            claims.release(conn, held, now=clock())
    return outcome


STEPS = ("reset", "reversal", "repost")


def _steps(store: Store, client: SapClient, cash: CashSettings, journal: journals.Journal,
           allocation: allocations.Allocation, held: claims.Claim, lease: timedelta,
           now: datetime) -> str:
    docs = dict(journal.documents)
    company, document = allocation.company_code, allocation.sap_document or ""
    year = int(allocation.sap_fiscal_year or 0)
    step = "reset"
    try:
        if "reversal" not in docs:
            if "reset" not in docs:
                clearing = client.clearing_documents(company, document, year,
                                                     allocation.customer)
                docs["payment"] = f"{document}/{year}"
                done = docs.setdefault("resetting", [])
                for augbl, augbl_year in clearing:
                    if f"{augbl}/{augbl_year}" not in done:
                        client.reset_clearing(company, augbl, augbl_year)
                        done.append(f"{augbl}/{augbl_year}")
                        _save(store, held, docs, now, lease)
                docs["reset"] = docs.pop("resetting")
                _save(store, held, docs, now, lease)
            step = "reversal"
            docs["reversal"] = _reverse(client, company, document, year, cash,
                                        key_for("R", journal.id, ensure(store.engine)))
            docs.pop("stopped_at", None)
            with writing(store.engine) as conn:
                journals.record_documents(conn, held, docs, now, lease)
                allocations.set_state(conn, allocation.id, "reversed", now=now,
                                      actor=journal.actor, reason=journal.reason)
        if journal.new_allocation_id is not None:
            step = "repost"
            outcome = _repost(store, client, cash, journal.new_allocation_id, held.owner, now)
            if outcome is None:
                return "pending"
            docs["repost"] = outcome
            _save(store, held, docs, now, lease)
    except SapBusinessError as exc:
        docs["stopped_at"] = step
        with writing(store.engine) as conn:
            journals.record_documents(conn, held, docs, now, lease)
            journals.finish(conn, held, state="failed", now=now,
                            message=where_it_stands(docs, step, allocation, str(exc)))
        return "failed"
    except SapError:
        return "pending"  # uncertain or unreachable: the next run checks SAP again
    with writing(store.engine) as conn:
        journals.finish(conn, held, state="done", now=now)
    return "done"


def where_it_stands(docs: dict, step: str, allocation: allocations.Allocation,
                    error: str) -> str:
    """A failed journal's message: which steps are done in SAP, which is not, what that leaves
    open in SAP, and how to carry on (every step checks SAP first, so resuming is safe)."""
    payment = docs.get("payment") or f"{allocation.sap_document}/{allocation.sap_fiscal_year}"
    reset = docs.get("reset", docs.get("resetting", []))
    done = [f"clearing reset in SAP ({', '.join(reset) or 'nothing was cleared'})"] \
        if "reset" in docs else []
    if docs.get("resetting"):
        done.append(f"clearings reset so far: {', '.join(docs['resetting'])}")
    if "reversal" in docs:
        done.append(f"payment {payment} reversed by {docs['reversal']}")
    number = STEPS.index(step) + 1
    state = "; ".join(done) or "nothing changed in SAP"
    open_now = ""
    if "reset" in docs and "reversal" not in docs and reset:
        open_now = (f" The invoices paid by {payment} are OPEN in SAP again while the payment "
                    f"{payment} stands uncleared: finish the journal (or clear them again by "
                    "hand) before the next dunning run.")
    if "reversal" in docs and step == "repost":
        open_now = " The payment is reversed; the receipt is not yet posted to the right invoices."
    return (f"stopped at step {number} of 3 ({step}): {error}. Done: {state}.{open_now} "
            f"After fixing the cause in SAP, `arbridge journal resume` carries on from this step "
            f"(every step checks SAP first).")


def _save(store: Store, held: claims.Claim, docs: dict, now: datetime,
          lease: timedelta) -> None:
    with writing(store.engine) as conn:
        journals.record_documents(conn, held, docs, now, lease)


def _reverse(client: SapClient, company: str, document: str, year: int, cash: CashSettings,
             key: str) -> str:
    """Reverse the payment the way it was posted (REV_POST for BAPI documents, FB08 for
    FB05's), with the reason and date SAP's reversal rules allow; a reversal already in SAP
    is taken, and after a timeout SAP is asked before anything else."""
    header = client.document_header(company, document, year)
    if header is None:
        raise SapBusinessError(f"SAP has no document {document} {year} in company code "
                               f"{company} to reverse")
    if header.reversed_by:
        return header.reversed_by
    terms = reversal_terms(header, client.today(), date_rule=cash.reversal_date,
                           same_date_reason=cash.reversal_reason,
                           other_date_reason=cash.reversal_reason_other_date)
    try:
        return client.reverse_document(header, terms, key=key).document
    except (SapTimeout, SapUnavailable):
        existing = client.reversal_of(company, document, year)
        if existing:
            return existing
        raise


def _repost(store: Store, client: SapClient, cash: CashSettings, allocation_id: int,
            owner: claims.Owner, now: datetime) -> str | None:
    with writing(store.engine) as conn:
        new = allocations.get(conn, allocation_id)
        if new.state == "held":
            allocations.set_state(conn, allocation_id, "approved", now=now, actor=str(owner),
                                  reason="the wrong allocation is reversed")
    post_one(store, client, cash, allocation_id, owner=owner, now=now, summary=PostSummary())
    with store.engine.connect() as conn:
        new = allocations.get(conn, allocation_id)
    if new.state == "failed":
        raise SapBusinessError(f"re-post refused: {new.messages}")
    return new.sap_document if new.state == "posted" else None
