"""Allocations: the matcher's decisions stored, moved through their states, claimed before
SAP is touched. Every change is audited.

States: ``proposed`` (a person approves) → ``approved`` → ``posting`` (claimed, with owner and
lease; the idempotency key is already stored) → ``posted``; or ``failed`` (SAP refused, with
its messages); ``reversed`` when a correcting journal undid it; ``held`` is a correcting
journal's re-post waiting for the reversal; ``rejected`` a proposal or unposted allocation set
aside.

Posting is claimed work (:mod:`sync.work.claims`, kind ``allocation``): one owner, an expiring
lease and a fencing generation, audited like every claim, so of any number of processes
exactly one posts an allocation. Every result is recorded in a transaction that first
confirms the claim, so a worker that froze past its lease records nothing. An allocation found
in ``posting`` when claimed (its previous owner died, timed out or deferred) is looked up in
SAP by its key before anything else. (The table's own ``claimed_by``/``lease_until`` columns
are unused since migration 0008 and are to be dropped: see CHANGELOG.md.)

``sent_at`` is written, under the claim, just before each call to SAP. From then on the
allocation's outcome may be in doubt: it never goes back to ``approved``; every later attempt
looks SAP up first, and it is posted again only once a look-up finds no document after SAP's
longest execution (``cash.sap_max_execution_seconds``) has passed since ``sent_at``.

Idempotency keys are ``ARB`` + kind + this installation's id (:mod:`sync.installation`) + 8
random base-36 characters: 16 characters, BKPF-XBLNR's length, and never the same for two
installations, two stores or a store restored from a backup (a row id would be reused there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from config.errors import InputError
from sync import audit
from sync.cash.matching import Decision
from sync.cash.models import AllocationRow
from sync.cash.store import set_receipt_state, take_receipt
from sync.installation import base36, installation_id, random_base36
from sync.tables import inserted_id, table_of
from sync.work import claims

ALLOCATIONS = table_of(AllocationRow)
STATES = ("proposed", "held", "approved", "posting", "posted", "failed", "reversed",
          "rejected")
ACTIVE = ("proposed", "held", "approved", "posting", "posted")


@dataclass(frozen=True, slots=True)
class Allocation:
    id: int
    receipt_id: int
    state: str
    rule: str
    automatic: bool
    company_code: str
    customer: str
    currency: str
    amount: Any
    on_account: Any
    items: list[dict[str, Any]]
    evidence: dict[str, Any]
    key: str
    sap_document: str | None
    sap_fiscal_year: int | None
    messages: list[dict[str, str]]
    attempts: int
    sent_at: datetime | None = None


def key_for(kind: str, number: int, installation: str) -> str:
    """A key for a document numbered by the store (a journal's reversal): ``ARB`` + kind
    (``R`` reversal) + the installation's id + the number in base 36: 16 characters."""
    return f"ARB{kind[:1].upper()}{installation}{base36(number, 12 - len(installation))}"


def new_key(conn: Connection, kind: str = "P") -> str:
    """A fresh posting key (BKPF-XBLNR, 16 characters): ``ARB`` + kind + the installation's
    id + 8 random base-36 characters, unused in this store."""
    prefix = f"ARB{kind[:1].upper()}{installation_id(conn)}"
    while True:
        key = prefix + random_base36(16 - len(prefix))
        if conn.execute(select(ALLOCATIONS.c.id).where(
                ALLOCATIONS.c.idempotency_key == key)).first() is None:
            return key


def _allocation(row: Any) -> Allocation:
    m = row._mapping
    return Allocation(id=m["id"], receipt_id=m["receipt_id"], state=m["state"], rule=m["rule"],
                      automatic=m["automatic"], company_code=m["company_code"],
                      customer=m["customer"], currency=m["currency"], amount=m["amount"],
                      on_account=m["on_account"], items=json.loads(m["items"]),
                      evidence=json.loads(m["evidence"]), key=m["idempotency_key"],
                      sap_document=m["sap_document"], sap_fiscal_year=m["sap_fiscal_year"],
                      messages=json.loads(m["sap_messages"]), attempts=m["attempts"],
                      sent_at=m["sent_at"])


def get(conn: Connection, allocation_id: int) -> Allocation:
    row = conn.execute(select(ALLOCATIONS).where(ALLOCATIONS.c.id == allocation_id)).first()
    if row is None:
        raise InputError(f"allocation {allocation_id} does not exist "
                         "(arbridge allocations lists them)")
    return _allocation(row)


def insert_allocation(conn: Connection, *, receipt_id: int, state: str, rule: str,
                      automatic: bool, company_code: str, customer: str, currency: str,
                      amount: Any, on_account: Any, items: list[dict[str, Any]],
                      evidence: dict[str, Any], now: datetime,
                      actor: str = audit.SYSTEM_ACTOR) -> int:
    """Store an allocation with its idempotency key, so the key exists before anything can
    post it."""
    new_id = inserted_id(conn.execute(insert(ALLOCATIONS).values(
        receipt_id=receipt_id, state=state, rule=rule, automatic=automatic,
        company_code=company_code, customer=customer, currency=currency, amount=amount,
        on_account=on_account, items=json.dumps(items), evidence=json.dumps(evidence,
                                                                             default=str),
        idempotency_key=new_key(conn), sap_messages="[]", attempts=0,
        created_at=now, updated_at=now)))
    audit.record(conn, [audit.event(action=f"allocation {state}", entity="allocation",
                                    key=str(new_id), actor=actor, at=now,
                                    detail={"receipt": receipt_id, "rule": rule,
                                            "customer": customer, "amount": str(amount)})])
    return new_id


def store_decisions(conn: Connection, decisions: list[Decision], now: datetime) -> dict[str, int]:
    counts = {"auto": 0, "proposed": 0, "unallocated": 0}
    for d in decisions:
        if d.outcome == "unallocated":
            counts["unallocated"] += 1
            continue
        if not take_receipt(conn, d.receipt_id, "allocated" if d.outcome == "auto" else
                            "proposed"):
            continue  # another run allocated it meanwhile
        counts[d.outcome] += 1
        insert_allocation(
            conn, receipt_id=d.receipt_id, state="approved" if d.outcome == "auto" else
            "proposed", rule=d.rule, automatic=d.outcome == "auto",
            company_code=d.company_code, customer=d.customer, currency=d.currency,
            amount=d.amount, on_account=d.on_account,
            items=[a.as_json() for a in d.applications], evidence=d.evidence, now=now)
    return counts


def _set(conn: Connection, allocation_id: int, *, now: datetime, actor: str, action: str,
         detail: dict[str, Any], **values: Any) -> None:
    conn.execute(update(ALLOCATIONS).where(ALLOCATIONS.c.id == allocation_id).values(
        updated_at=now, **values))
    audit.record(conn, [audit.event(action=action, entity="allocation", key=str(allocation_id),
                                    actor=actor, at=now, detail=detail)])


KIND = "allocation"


@dataclass(frozen=True, slots=True)
class Taken:
    """An allocation claimed for posting: the state it was in (``approved``, or ``posting``
    when a previous post may have reached SAP: look it up first) and the claim."""

    previous: str
    claim: claims.Claim
    sent_at: datetime | None = None  # last sent to SAP: look it up before anything


def claim(conn: Connection, allocation_id: int, *, owner: claims.Owner, now: datetime,
          lease: timedelta) -> Taken | None:
    """Take the allocation for posting (call in :func:`sync.txn.writing`): None if another
    process holds its claim or it is not postable (then the claim is given straight back).
    A claim whose owner is provably dead (this host, this boot) is taken over at once."""
    held = claims.take(conn, KIND, str(allocation_id), owner, now=now, lease=lease,
                       dead_owners=True)
    if held is None:
        return None
    row = conn.execute(select(ALLOCATIONS.c.state, ALLOCATIONS.c.sent_at).where(
        ALLOCATIONS.c.id == allocation_id)).first()
    state = row.state if row else None
    if state not in ("approved", "posting"):
        claims.release(conn, held, now=now)
        return None
    conn.execute(update(ALLOCATIONS).where(ALLOCATIONS.c.id == allocation_id).values(
        state="posting", attempts=ALLOCATIONS.c.attempts + 1, updated_at=now))
    audit.record(conn, [audit.event(action="allocation claimed", entity="allocation",
                                    key=str(allocation_id), at=now,
                                    detail={"owner": str(owner), "from": state,
                                            "generation": held.generation})])
    return Taken(str(state), held, row.sent_at if row else None)


def postable(conn: Connection, now: datetime) -> list[int]:
    """Approved allocations, and those whose posting was interrupted (nobody holds them)."""
    return list(conn.execute(select(ALLOCATIONS.c.id).where(
        ALLOCATIONS.c.state.in_(("approved", "posting")),
        claims.unheld(KIND, ALLOCATIONS.c.id, now=now)).order_by(ALLOCATIONS.c.id)).scalars())


def held_by_the_dead(conn: Connection, now: datetime) -> list[int]:
    """Allocations to post or in doubt whose claim's owner is provably dead (this host,
    this boot, process gone): taken over at once, and looked up first."""
    ids = [str(i) for i in conn.execute(select(ALLOCATIONS.c.id).where(
        ALLOCATIONS.c.state.in_(("approved", "posting")))).scalars()]
    return sorted(int(key) for key, holder in claims.live_holders(conn, KIND, ids,
                                                                  now=now).items()
                  if holder.dead())


def mark_posted(conn: Connection, taken: Taken, *, document: str, fiscal_year: int,
                messages: list[dict[str, str]], now: datetime) -> None:
    claims.confirm(conn, taken.claim, now=now)
    key = int(taken.claim.key)
    _set(conn, key, now=now, actor=str(taken.claim.owner), action="allocation posted",
         detail={"document": document, "fiscal_year": fiscal_year}, state="posted",
         sap_document=document, sap_fiscal_year=fiscal_year,
         sap_messages=json.dumps(messages))
    claims.release(conn, taken.claim, now=now)


def mark_failed(conn: Connection, taken: Taken, *, reason: str,
                messages: list[dict[str, str]], now: datetime) -> None:
    claims.confirm(conn, taken.claim, now=now)
    _set(conn, int(taken.claim.key), now=now, actor=str(taken.claim.owner),
         action="allocation failed", detail={"reason": reason}, state="failed",
         sap_messages=json.dumps(messages or [{"TYPE": "E", "ID": "", "NUMBER": "",
                                               "MESSAGE": reason}]))
    claims.release(conn, taken.claim, now=now)


def mark_sent(conn: Connection, taken: Taken, *, now: datetime, lease: timedelta) -> None:
    """About to call SAP: confirm the claim at this moment (and extend it), and note when
    the call went out; from now on the outcome may be in doubt."""
    claims.confirm(conn, taken.claim, now=now, lease=lease)
    _set(conn, int(taken.claim.key), now=now, actor=str(taken.claim.owner),
         action="allocation sent", detail={"generation": taken.claim.generation},
         sent_at=now)


def leave_in_doubt(conn: Connection, taken: Taken, *, now: datetime, reason: str) -> None:
    """SAP's answer is not known: stay ``posting`` (looked up first by whoever comes next)
    and give the claim back."""
    claims.confirm(conn, taken.claim, now=now)
    _set(conn, int(taken.claim.key), now=now, actor=str(taken.claim.owner),
         action="allocation in doubt", detail={"reason": reason})
    claims.release(conn, taken.claim, now=now)


def waiting(conn: Connection) -> list[Allocation]:
    """Allocations still to post (approved) or in doubt (posting), for a run's account of
    what it left behind."""
    return [_allocation(r) for r in conn.execute(select(ALLOCATIONS).where(
        ALLOCATIONS.c.state.in_(("approved", "posting"))).order_by(ALLOCATIONS.c.id))]


def approve(conn: Connection, allocation_id: int, *, actor: str, now: datetime) -> Allocation:
    allocation = get(conn, allocation_id)
    if allocation.state != "proposed":
        raise InputError(f"allocation {allocation_id} is {allocation.state}; only proposed "
                         "allocations are approved")
    # conditional, so of two people approving at once (or one allocating the receipt by
    # hand meanwhile) only one wins; the other is told
    won = conn.execute(update(ALLOCATIONS).where(
        ALLOCATIONS.c.id == allocation_id, ALLOCATIONS.c.state == "proposed").values(
        state="approved", approved_by=actor, updated_at=now)).rowcount == 1
    if not won:
        raise InputError(f"allocation {allocation_id} was approved or set aside by someone "
                         "else a moment ago; reload to see its state")
    audit.record(conn, [audit.event(action="allocation approved", entity="allocation",
                                    key=str(allocation_id), actor=actor, at=now,
                                    detail={"rule": allocation.rule})])
    set_receipt_state(conn, allocation.receipt_id, "allocated")
    return get(conn, allocation_id)


def set_state(conn: Connection, allocation_id: int, state: str, *, now: datetime,
              actor: str, reason: str) -> None:
    _set(conn, allocation_id, now=now, actor=actor, action=f"allocation {state}",
         detail={"reason": reason}, state=state)


def listing(conn: Connection, state: str | None = None) -> list[Allocation]:
    query = select(ALLOCATIONS).order_by(ALLOCATIONS.c.id)
    if state:
        query = query.where(ALLOCATIONS.c.state == state)
    return [_allocation(r) for r in conn.execute(query)]


def busy_items(conn: Connection) -> set[str]:
    """Open items already taken by an active allocation (not to be matched again)."""
    taken: set[str] = set()
    for raw in conn.execute(select(ALLOCATIONS.c["items"]).where(
            ALLOCATIONS.c.state.in_(ACTIVE))).scalars():
        taken.update(i["item"] for i in json.loads(raw))
    return taken


def counts(conn: Connection) -> dict[str, int]:
    found: dict[str, int] = dict(conn.execute(select(ALLOCATIONS.c.state, func.count()).group_by(
        ALLOCATIONS.c.state)).all())
    return {s: int(found.get(s, 0)) for s in STATES}


def suggestions(conn: Connection, receipt_id: int) -> list[Allocation]:
    return [_allocation(r) for r in conn.execute(select(ALLOCATIONS).where(
        ALLOCATIONS.c.receipt_id == receipt_id, ALLOCATIONS.c.state == "proposed"))]



