"""Post approved allocations to SAP exactly once.

For each allocation: claim it (:mod:`sync.work.claims`: owner, lease, fencing generation; committed
before SAP is touched; its idempotency key was stored with it) → if it was already ``posting``
(a crash, a timeout, an expired lease) look the document up by that key first → post → record
the document and SAP's messages under the claim. A timeout or dropped connection during the
post is an uncertain outcome: the document is looked up by key; only when SAP has none is the
allocation released for a later run. SAP's refusals go to a person with SAP's messages. A
worker whose lease ran out while it waited on SAP records nothing (:class:`ClaimLost`): the
new owner looks the document up.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from config.cash import CashSettings
from config.errors import ConfigError
from sap.client import SapClient
from sap.errors import SapBusinessError, SapError, SapTimeout, SapUnavailable
from sap.posting import ClearItem, PaymentPosting, PostingRefused
from sync.cash import allocations
from sync.cash import store as cash_store
from sync.cash.allocations import Allocation, Taken
from sync.mirror.models import OpenItemRow
from sync.store import Store
from sync.txn import writing
from sync.work import claims

log = logging.getLogger(__name__)


@dataclass
class PostSummary:
    posted: int = 0
    found: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def run_owner(owner: claims.Owner | str | None) -> claims.Owner:
    """The claims' owner for one run: this host and process, and a run id (a name given by
    the caller, e.g. a test's worker, is kept at the front of it)."""
    if isinstance(owner, claims.Owner):
        return owner
    run = uuid.uuid4().hex[:12]
    return claims.Owner.here(f"{owner[:24]}-{run}" if owner else run)


def build_posting(allocation: Allocation, cash: CashSettings, *, document_date: date,
                  posting_date: date,
                  assignments: dict[tuple[str, int, int], str] | None = None) -> PaymentPosting:
    """The posting for an allocation; ``assignments`` are the invoices' assignments as SAP
    holds them (by document, fiscal year, line), which way (a) repeats for F.13."""
    known = assignments or {}
    items = tuple(ClearItem(document=i["document"], fiscal_year=int(i["fiscal_year"]),
                            line=int(i["line"]), invoice=i["invoice"],
                            applied=Decimal(i["applied"]), residual=Decimal(i["residual"]),
                            reason=i.get("reason") or "",
                            assignment=known.get((i["document"], int(i["fiscal_year"]),
                                                  int(i["line"])), ""))
                  for i in allocation.items)
    return PaymentPosting(key=allocation.key, company_code=allocation.company_code,
                          customer=allocation.customer, currency=allocation.currency,
                          amount=Decimal(allocation.amount), document_date=document_date,
                          posting_date=posting_date, items=items,
                          on_account=Decimal(allocation.on_account), bank_gl=cash.bank_gl_account,
                          doc_type=cash.document_type, way=cash.posting,
                          text=f"arbridge allocation {allocation.id} ({allocation.rule})")


def _assignments(store: Store, allocation: Allocation) -> dict[tuple[str, int, int], str]:
    """The assignments of the allocation's invoices, as the last pull saw them in SAP."""
    wanted = {(i["document"], int(i["fiscal_year"]), int(i["line"])) for i in allocation.items}
    if not wanted:
        return {}
    table = OpenItemRow.__table__  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        rows = conn.execute(select(table.c.document, table.c.fiscal_year, table.c.line,
                                   table.c.assignment).where(
            table.c.company_code == allocation.company_code,
            table.c.customer == allocation.customer,
            table.c.document.in_(sorted({d for d, _, _ in wanted})))).all()
    return {(r.document, r.fiscal_year, r.line): r.assignment for r in rows
            if (r.document, r.fiscal_year, r.line) in wanted and r.assignment}


def _receipt_date(store: Store, receipt_id: int) -> date:
    with store.engine.connect() as conn:
        row = conn.execute(cash_store.ENTRIES.select().where(
            cash_store.ENTRIES.c.id == receipt_id)).first()
    return row.booking_date if row else date.today()


def post_allocations(store: Store, client: SapClient, cash: CashSettings, *,
                     owner: claims.Owner | str | None = None,
                     now: datetime | None = None) -> PostSummary:
    if not hasattr(client, "post_payment"):
        raise ConfigError(f"posting to SAP needs the rfc adapter (or the simulator); "
                          f"{client.name} cannot post")
    run = run_owner(owner)
    now = now or datetime.now(timezone.utc)
    summary = PostSummary()
    with store.engine.connect() as conn:
        due = allocations.postable(conn, now)
    for allocation_id in due:
        post_one(store, client, cash, allocation_id, owner=run, now=now, summary=summary)
    return summary


def post_one(store: Store, client: SapClient, cash: CashSettings, allocation_id: int, *,
             owner: claims.Owner, now: datetime, summary: PostSummary) -> None:
    lease = timedelta(seconds=cash.lease_seconds)
    with writing(store.engine) as conn:
        taken = allocations.claim(conn, allocation_id, owner=owner, now=now, lease=lease)
        allocation = allocations.get(conn, allocation_id) if taken else None
    if taken is None or allocation is None:
        summary.skipped += 1
        return
    try:
        _post_claimed(store, client, cash, allocation, taken, now=now, summary=summary)
    except claims.ClaimLost as lost:  # froze past the lease: the new owner looks SAP up
        log.warning("allocation %s: %s", allocation.id, lost)
        summary.deferred += 1
        summary.errors.append(f"allocation {allocation.id}: {lost}")


def _post_claimed(store: Store, client: SapClient, cash: CashSettings, allocation: Allocation,
                  taken: Taken, *, now: datetime, summary: PostSummary) -> None:
    if taken.previous == "posting":  # interrupted before: SAP first, never a blind second post
        try:
            if _resolve_by_lookup(store, client, allocation, taken, now=now, release=False):
                summary.found += 1
                return
        except SapError as exc:
            _defer(summary, allocation, f"look-up failed: {exc}")
            return
        # SAP has no document with the key: post it, still under the claim
    posting = build_posting(allocation, cash, document_date=_receipt_date(
        store, allocation.receipt_id), posting_date=client.today(),
        assignments=_assignments(store, allocation) if cash.posting == "assignment" else None)
    try:
        posted = client.post_payment(posting)
    except PostingRefused as exc:
        _fail(store, allocation, taken, str(exc), exc.messages, now, summary)
        return
    except SapBusinessError as exc:
        _fail(store, allocation, taken, str(exc), [], now, summary)
        return
    except (SapTimeout, SapUnavailable) as exc:
        log.warning("posting %s uncertain (%s); looking it up by key", allocation.key, exc)
        try:
            if _resolve_by_lookup(store, client, allocation, taken, now=now):
                summary.found += 1
                return
        except SapError as lookup_error:
            _defer(summary, allocation, f"{exc}; look-up failed too: {lookup_error}")
            return
        summary.deferred += 1
        return
    with writing(store.engine) as conn:
        allocations.mark_posted(conn, taken, document=posted.document,
                                fiscal_year=posted.fiscal_year,
                                messages=posted.as_messages(), now=now)
        _learn(conn, allocation, now)
    summary.posted += 1


def _resolve_by_lookup(store: Store, client: SapClient, allocation: Allocation, taken: Taken,
                       *, now: datetime, release: bool = True) -> bool:
    """True if SAP has the document (recorded as posted); else, with ``release``, the
    allocation goes back to ``approved`` and the claim is given back."""
    found = client.find_posting(allocation.company_code, allocation.key)
    with writing(store.engine) as conn:
        if found is not None and not found.reversed_by:
            allocations.mark_posted(conn, taken, document=found.document,
                                    fiscal_year=found.fiscal_year,
                                    messages=found.as_messages(), now=now)
            _learn(conn, allocation, now)
            return True
        if not release:
            return False
        allocations.release(conn, taken, now=now,
                            reason=f"SAP has no document {allocation.key}; posting again later")
    return False


def _learn(conn, allocation: Allocation, now: datetime) -> None:  # type: ignore[no-untyped-def]
    row = conn.execute(cash_store.ENTRIES.select().where(
        cash_store.ENTRIES.c.id == allocation.receipt_id)).first()
    if row is not None and row.payer_account:
        cash_store.learn_payer_account(conn, row.payer_account, allocation.company_code,
                                       allocation.customer, now)


def _fail(store: Store, allocation: Allocation, taken: Taken, reason: str,
          messages: list[dict[str, str]], now: datetime, summary: PostSummary) -> None:
    with writing(store.engine) as conn:
        allocations.mark_failed(conn, taken, reason=reason, messages=messages, now=now)
    summary.failed += 1
    summary.errors.append(f"allocation {allocation.id}: {reason}")


def _defer(summary: PostSummary, allocation: Allocation, reason: str) -> None:
    """Leave it claimed (``posting``): when the lease ends, the next run looks it up first."""
    log.warning("allocation %s left for a look-up on the next run: %s", allocation.id, reason)
    summary.deferred += 1
    summary.errors.append(f"allocation {allocation.id}: {reason}")
