"""Post approved allocations to SAP exactly once.

For each allocation: claim it (:mod:`sync.work.claims`: owner, lease, fencing generation;
committed before SAP is touched; its idempotency key was stored with it; a claim whose owner
is provably dead on this host is taken over at once) → if it was ever sent to SAP, look the
document up by that key first → note the moment it is sent (``sent_at``, confirming the claim
against the clock at that moment) → post, with a heartbeat renewing the lease while the call
is in flight → record the document and SAP's messages under the claim.

A timeout or dropped connection is an uncertain outcome: the document is looked up by key at
once; if SAP has none yet the allocation stays in doubt (``posting``), because SAP may still
be executing the call. Every later attempt looks it up first and posts again only when SAP
has no document after ``cash.sap_max_execution_seconds`` since it was sent. A document found
by key is believed only if it is this posting (company code, customer, amount, currency); a
mismatch goes to a person. SAP's refusals go to a person with SAP's messages. A worker whose
lease was taken over while it waited on SAP records nothing (:class:`ClaimLost`).

The run ends with an account of what it left behind and why (:mod:`sync.cash.left_behind`).
See docs/posting-exactly-once.md.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, select

from config.cash import CashSettings
from config.errors import ConfigError
from sap.client import SapClient
from sap.errors import SapBusinessError, SapError, SapTimeout, SapUnavailable
from sap.posting import ClearItem, PaymentPosting, Posted, PostingRefused
from sync.cash import allocations, left_behind
from sync.cash import store as cash_store
from sync.cash.allocations import Allocation, Taken
from sync.mirror.models import OpenItemRow
from sync.store import Store
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims
from sync.work.heartbeat import Heartbeat

log = logging.getLogger(__name__)


@dataclass
class PostSummary:
    posted: int = 0
    found: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    in_doubt: int = 0
    errors: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # what the run left behind, and why


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
    table = table_of(OpenItemRow)
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
                     owner: claims.Owner | str | None = None, now: datetime | None = None,
                     clock: claims.Clock | None = None) -> PostSummary:
    """Post every postable allocation. Time is read at each step from ``clock`` (default:
    the wall clock; ``now`` starts a moving clock there, for tests and replays)."""
    if not hasattr(client, "post_payment"):
        raise ConfigError(f"posting to SAP needs the rfc adapter (or the simulator); "
                          f"{client.name} cannot post")
    run = run_owner(owner)
    clock = clock or claims.clock_from(now)
    summary = PostSummary()
    with store.engine.connect() as conn:
        due = sorted(allocations.postable(conn, clock()) +
                     allocations.held_by_the_dead(conn, clock()))
    for allocation_id in due:
        post_one(store, client, cash, allocation_id, owner=run, clock=clock, summary=summary)
    with store.engine.connect() as conn:
        summary.left = left_behind.account(conn, clock(), max_execution=timedelta(
            seconds=cash.sap_max_execution_seconds))
    return summary


def post_one(store: Store, client: SapClient, cash: CashSettings, allocation_id: int, *,
             owner: claims.Owner, summary: PostSummary, now: datetime | None = None,
             clock: claims.Clock | None = None) -> None:
    clock = clock or claims.clock_from(now)
    lease = timedelta(seconds=cash.lease_seconds)
    with writing(store.engine) as conn:
        taken = allocations.claim(conn, allocation_id, owner=owner, now=clock(), lease=lease)
        allocation = allocations.get(conn, allocation_id) if taken else None
    if taken is None or allocation is None:
        summary.skipped += 1
        return
    try:
        _post_claimed(store, client, cash, allocation, taken, clock=clock, summary=summary)
    except claims.ClaimLost as lost:  # froze past the lease: the new owner looks SAP up
        log.warning("allocation %s: %s", allocation.id, lost)
        summary.deferred += 1
        summary.errors.append(f"allocation {allocation.id}: {lost}")


def _post_claimed(store: Store, client: SapClient, cash: CashSettings, allocation: Allocation,
                  taken: Taken, *, clock: claims.Clock, summary: PostSummary) -> None:
    lease = timedelta(seconds=cash.lease_seconds)
    if taken.sent_at is not None or taken.previous == "posting":  # SAP first, never blind
        try:
            found = client.find_posting(allocation.company_code, allocation.key)
        except SapError as exc:
            _in_doubt(store, summary, allocation, taken, clock, f"look-up failed: {exc}")
            return
        if _settle(store, allocation, taken, found, clock, summary):
            return
        sent = taken.sent_at
        until = sent + timedelta(seconds=cash.sap_max_execution_seconds) if sent else None
        if until is not None and clock() < until:
            _in_doubt(store, summary, allocation, taken, clock,
                      f"sent to SAP at {sent:%Y-%m-%d %H:%M:%S}, no document yet; SAP may "
                      f"still be executing it until {until:%H:%M:%S}")
            return
        # SAP has no document with the key, and cannot still be writing one: post it
    posting = build_posting(allocation, cash, document_date=_receipt_date(
        store, allocation.receipt_id), posting_date=client.today(),
        assignments=_assignments(store, allocation) if cash.posting == "assignment" else None)
    with writing(store.engine) as conn:
        allocations.mark_sent(conn, taken, now=clock(), lease=lease)
    try:
        with Heartbeat(store.engine, [taken.claim], lease=lease, clock=clock):
            posted = client.post_payment(posting)
    except PostingRefused as exc:
        _fail(store, allocation, taken, str(exc), exc.messages, clock(), summary)
        return
    except SapBusinessError as exc:
        _fail(store, allocation, taken, str(exc), [], clock(), summary)
        return
    except (SapTimeout, SapUnavailable) as exc:
        log.warning("posting %s uncertain (%s); looking it up by key", allocation.key, exc)
        try:
            found = client.find_posting(allocation.company_code, allocation.key)
        except SapError as lookup_error:
            found, exc = None, SapUnavailable(f"{exc}; look-up failed too: {lookup_error}")
        if not _settle(store, allocation, taken, found, clock, summary):
            _in_doubt(store, summary, allocation, taken, clock, f"{exc}; SAP may still "
                      "post it: looked up again before anything")
        return
    with writing(store.engine) as conn:
        now = clock()
        allocations.mark_posted(conn, taken, document=posted.document,
                                fiscal_year=posted.fiscal_year,
                                messages=posted.as_messages(), now=now)
        _learn(conn, allocation, now)
    summary.posted += 1


def _settle(store: Store, allocation: Allocation, taken: Taken, found: Posted | None,
            clock: claims.Clock, summary: PostSummary) -> bool:
    """Record a live document found by key: posted if it is this posting, a conflict for a
    person if it is not. False if there is none."""
    if found is None or found.reversed_by:
        return False
    wrong = found.mismatch(company_code=allocation.company_code,
                           customer=allocation.customer, amount=Decimal(allocation.amount),
                           currency=allocation.currency)
    if wrong:
        reason = (f"conflict: SAP document {found.document}/{found.fiscal_year} carries key "
                  f"{allocation.key} but is not this posting ({wrong}); nothing was posted "
                  "for this allocation. Check SAP, then allocate the receipt again by hand")
        _fail(store, allocation, taken, reason, [{"TYPE": "E", "ID": "ARB", "NUMBER": "002",
                                                  "MESSAGE": reason[:220]}], clock(), summary)
        return True
    with writing(store.engine) as conn:
        now = clock()
        allocations.mark_posted(conn, taken, document=found.document,
                                fiscal_year=found.fiscal_year, messages=found.as_messages(),
                                now=now)
        _learn(conn, allocation, now)
    summary.found += 1
    return True


def _learn(conn: Connection, allocation: Allocation, now: datetime) -> None:
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


def _in_doubt(store: Store, summary: PostSummary, allocation: Allocation, taken: Taken,
              clock: claims.Clock, reason: str) -> None:
    """Leave it ``posting`` and give the claim back: whoever comes next looks it up first."""
    log.warning("allocation %s in doubt, left for a look-up: %s", allocation.id, reason)
    with writing(store.engine) as conn:
        allocations.leave_in_doubt(conn, taken, now=clock(), reason=reason)
    summary.deferred += 1
    summary.in_doubt += 1
    summary.errors.append(f"allocation {allocation.id}: {reason}")
