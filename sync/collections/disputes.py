"""Dispute cases and credit-note requests.

A case names the items, the disputed amount, a reason and root cause from the configured
list, an owner and a due date from the reason's agreed timeline. Its items leave the
reminders. Past its due date it is escalated. It resolves as paid, credited, written off or
rejected, with the original, disputed, credited and written-off amounts kept. Portal uploads
that the client rejected or disputed open a case by themselves, with the portal's reason.

A credit-note request goes to the billing manager with the evidence and stays ``requested``
until the pull brings a credit memo for the customer with the amount (SAP billing types G2 or
RE); then it is ``linked`` to that memo, the case is credited and closed.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from config.collections import CollectionSettings
from config.errors import InputError
from sync import audit
from sync.collections.models import CreditRequestRow, DisputeRow
from sync.collections.policy import item_key
from sync.mirror.models import BillingDocumentRow, OpenItemRow
from sync.tables import inserted_id, table_of
from sync.uploads.models import PortalUploadRow

MAX_TEXT = 2000  # what the customer says, as comments are capped
DISPUTES = table_of(DisputeRow)
REQUESTS = table_of(CreditRequestRow)
UPLOADS = table_of(PortalUploadRow)
OPEN = table_of(OpenItemRow)
DOCS = table_of(BillingDocumentRow)
RESOLUTIONS = ("paid", "credited", "written_off", "rejected")
CREDIT_MEMO_TYPES = ("G2", "RE")
ZERO = Decimal(0)


def _audit(conn: Connection, action: str, entity: str, key: int, now: datetime, by: str,
           **detail: Any) -> None:
    audit.record(conn, [audit.event(action=action, entity=entity, key=str(key), at=now,
                                    actor=by, detail={k: str(v) for k, v in detail.items()})])


def open_case(conn: Connection, settings: CollectionSettings, *, source: str,
              company_code: str, customer: str, items: list[str], currency: str,
              original: Decimal, disputed: Decimal, reason: str, owner: str, today: date,
              now: datetime, root_cause: str | None = None, text: str | None = None,
              billing_document: str | None = None) -> tuple[int, bool]:
    """(case id, new?). One case per ``source``: a second call finds the first."""
    found = conn.execute(select(DISPUTES.c.id).where(DISPUTES.c.source == source)).first()
    if found is not None:
        return int(found[0]), False
    timeline = settings.reasons.get(reason)
    if timeline is None:
        raise InputError(f"reason {reason!r}: one of {', '.join(sorted(settings.reasons))} "
                         "([collections.reasons])")
    if root_cause is not None and root_cause not in timeline.root_causes:
        raise InputError(f"root cause {root_cause!r} for {reason}: one of "
                         f"{', '.join(timeline.root_causes)}")
    if text is not None and len(text) > MAX_TEXT:
        raise InputError(f"the dispute text is {len(text)} characters; at most {MAX_TEXT} "
                         "(as for comments): put long documents in the case's evidence")
    if not ZERO < disputed <= original:
        raise InputError(f"disputed {disputed} must be above zero and at most the original "
                         f"{original}")
    for other in open_cases(conn, company_code, customer):
        shared = sorted(set(items) & set(json.loads(other["items"] or "[]")))
        if shared:
            raise InputError(f"item {shared[0]} is already in open dispute case {other['id']}: "
                             "resolve that case first, or add to it")
    new_id = inserted_id(conn.execute(insert(DISPUTES).values(
        source=source, company_code=company_code, customer=customer, items=json.dumps(items),
        billing_document=billing_document, currency=currency, original=original,
        disputed=disputed, credited=ZERO, written_off=ZERO, reason=reason,
        root_cause=root_cause, text=text, owner=owner,
        due_date=today + timedelta(days=timeline.days), status="open", opened_on=today,
        created_at=now)))
    _audit(conn, "dispute opened", "dispute_case", new_id, now, owner, customer=customer,
           reason=reason, disputed=disputed)
    return new_id, True


def from_uploads(conn: Connection, settings: CollectionSettings, *, today: date,
                 now: datetime, owner: str = "collections") -> list[int]:
    """A case for every portal invoice the client rejected or disputed (once each)."""
    made = []
    have = set(conn.execute(select(DISPUTES.c.source)).scalars())
    for u in conn.execute(select(UPLOADS).where(UPLOADS.c.state.in_(("rejected", "disputed")))
                          .order_by(UPLOADS.c.id)).all():
        if f"upload:{u.id}" in have:
            continue
        items = [item_key(r.company_code, r.document, r.fiscal_year, r.line)
                 for r in conn.execute(select(OPEN).where(
                     OPEN.c.billing_document == u.billing_document, OPEN.c.amount > 0))]
        reason = f"portal_{u.state}"
        try:
            case_id, new = open_case(
                conn, settings, source=f"upload:{u.id}", company_code=u.company_code,
                customer=u.customer, items=items, currency=u.currency, original=u.gross,
                disputed=u.gross, reason=reason if reason in settings.reasons else "other",
                owner=owner, today=today, now=now, billing_document=u.billing_document,
                text=f"{u.portal}: {u.reason or u.state}"[:MAX_TEXT])
        except InputError:  # its items are in a case a person opened: that case holds them
            continue
        if new:
            made.append(case_id)
    return made


def escalate_overdue(conn: Connection, today: date, *, now: datetime) -> list[int]:
    ids = list(conn.execute(select(DISPUTES.c.id).where(
        DISPUTES.c.status == "open", DISPUTES.c.due_date < today)).scalars())
    if ids:
        conn.execute(update(DISPUTES).where(DISPUTES.c.id.in_(ids)).values(status="escalated"))
        for case_id in ids:
            _audit(conn, "dispute escalated", "dispute_case", case_id, now, "system",
                   reason="past its agreed due date")
    return ids


def case(conn: Connection, case_id: int) -> dict[str, Any]:
    row = conn.execute(select(DISPUTES).where(DISPUTES.c.id == case_id)).first()
    if row is None:
        raise InputError(f"dispute case {case_id} does not exist")
    return dict(row._mapping)


def resolve(conn: Connection, case_id: int, *, resolution: str, today: date, now: datetime,
            by: str, credited: Decimal = ZERO, written_off: Decimal = ZERO) -> None:
    if resolution not in RESOLUTIONS:
        raise InputError(f"resolution {resolution!r}: one of {', '.join(RESOLUTIONS)}")
    for name, amount in (("credited", credited), ("written off", written_off)):
        if not amount.is_finite() or amount < 0:
            raise InputError(f"{name} {amount} must be a number, zero or above")
    row = case(conn, case_id)
    if row["status"] == "resolved":
        raise InputError(f"dispute case {case_id} was already resolved as "
                         f"{row['resolution']}")
    if credited + written_off > row["disputed"]:
        raise InputError(f"credited {credited} + written off {written_off} exceed the "
                         f"disputed {row['disputed']}")
    conn.execute(update(DISPUTES).where(DISPUTES.c.id == case_id).values(
        status="resolved", resolution=resolution, credited=credited, written_off=written_off,
        resolved_on=today))
    _audit(conn, "dispute resolved", "dispute_case", case_id, now, by, resolution=resolution,
           credited=credited, written_off=written_off)


def request_credit(conn: Connection, *, source: str, company_code: str, customer: str,
                   currency: str, amount: Decimal, evidence: dict[str, Any], today: date,
                   now: datetime, by: str, dispute_id: int | None = None,
                   billing_document: str | None = None) -> tuple[int, bool]:
    """(request id, new?): a credit note asked of billing, once per ``source``."""
    found = conn.execute(select(REQUESTS.c.id).where(REQUESTS.c.source == source)).first()
    if found is not None:
        return int(found[0]), False
    new_id = inserted_id(conn.execute(insert(REQUESTS).values(
        source=source, dispute_id=dispute_id, company_code=company_code, customer=customer,
        billing_document=billing_document, currency=currency, amount=amount,
        evidence=json.dumps(evidence, sort_keys=True, default=str), state="requested",
        requested_on=today, created_at=now)))
    _audit(conn, "credit note requested", "credit_note_request", new_id, now, by,
           customer=customer, amount=amount, currency=currency)
    return new_id, True


def request_for_case(conn: Connection, case_id: int, *, today: date, now: datetime,
                     by: str) -> tuple[int, bool]:
    row = case(conn, case_id)
    evidence = {"dispute": case_id, "reason": row["reason"], "text": row["text"],
                "items": json.loads(row["items"]), "billing_document": row["billing_document"]}
    return request_credit(conn, source=f"dispute:{case_id}", company_code=row["company_code"],
                          customer=row["customer"], currency=row["currency"],
                          amount=row["disputed"], evidence=evidence, today=today, now=now,
                          by=by, dispute_id=case_id, billing_document=row["billing_document"])


def requests_for_cancellations(conn: Connection, *, today: date, now: datetime) -> list[int]:
    """A cancelled invoice already on a portal needs a credit note there: one request each."""
    made = []
    query = select(UPLOADS).select_from(UPLOADS.join(
        DOCS, DOCS.c.number == UPLOADS.c.billing_document)).where(
        DOCS.c.cancelled.is_(True), UPLOADS.c.state.in_(
            ("submitted", "approved", "paid", "disputed", "rejected")))
    for u in conn.execute(query).all():
        new_id, new = request_credit(
            conn, source=f"cancelled:{u.billing_document}", company_code=u.company_code,
            customer=u.customer, currency=u.currency, amount=u.gross, today=today, now=now,
            by="system", billing_document=u.billing_document,
            evidence={"portal": u.portal, "state": u.state, "reason": u.reason})
        if new:
            made.append(new_id)
    return made


def link_credit_memos(conn: Connection, *, today: date, now: datetime) -> list[int]:
    """Link each open request to a credit memo the pull brought (same customer, currency
    and amount, billed on or after the request, not linked yet); credit its case."""
    taken = set(conn.execute(select(REQUESTS.c.credit_memo).where(
        REQUESTS.c.credit_memo.is_not(None))).scalars())
    linked = []
    for r in conn.execute(select(REQUESTS).where(REQUESTS.c.state == "requested")
                          .order_by(REQUESTS.c.id)).all():
        memo = next((m for m in conn.execute(select(DOCS.c.number, DOCS.c.gross).where(
            DOCS.c.doc_type.in_(CREDIT_MEMO_TYPES), DOCS.c.company_code == r.company_code,
            DOCS.c.payer == r.customer, DOCS.c.currency == r.currency,
            DOCS.c.billing_date >= r.requested_on).order_by(DOCS.c.number))
            if m.gross == r.amount and m.number not in taken), None)  # Decimal, not text
        if memo is None:
            continue
        taken.add(memo[0])
        conn.execute(update(REQUESTS).where(REQUESTS.c.id == r.id).values(
            state="linked", credit_memo=memo[0], closed_on=today))
        _audit(conn, "credit note linked", "credit_note_request", r.id, now, "system",
               credit_memo=memo[0])
        if r.dispute_id is not None and case(conn, r.dispute_id)["status"] != "resolved":
            resolve(conn, r.dispute_id, resolution="credited", today=today, now=now,
                    by="system", credited=r.amount)
        linked.append(r.id)
    return linked


def disputed_items(conn: Connection) -> dict[str, int]:
    """Item key → case id, for the items of every unresolved case (the ageing shows them)."""
    out: dict[str, int] = {}
    for case_id, raw in conn.execute(select(DISPUTES.c.id, DISPUTES.c["items"]).where(
            DISPUTES.c.status != "resolved")):
        out.update(dict.fromkeys(json.loads(raw), case_id))
    return out


def open_cases(conn: Connection, company_code: str | None = None,
               customer: str | None = None) -> list[dict[str, Any]]:
    query = select(DISPUTES).where(DISPUTES.c.status != "resolved").order_by(DISPUTES.c.id)
    if customer is not None:
        query = query.where(DISPUTES.c.company_code == company_code,
                            DISPUTES.c.customer == customer)
    return [dict(r._mapping) for r in conn.execute(query)]


def counts(conn: Connection) -> dict[str, Any]:
    """Cases open and resolved; credit-note requests for cases and cancelled portal invoices
    (those from short payments are counted by the run, as ``credit_requests_from_deductions``)."""
    by: dict[str, int] = {r[0]: int(r[1]) for r in conn.execute(
        select(DISPUTES.c.status, func.count()).group_by(DISPUTES.c.status))}
    requests = int(conn.execute(select(func.count()).select_from(REQUESTS).where(
        REQUESTS.c.source.not_like("deduction:%"))).scalar_one())
    return {"disputes": {"open": int(by.get("open", 0)) + int(by.get("escalated", 0)),
                         "resolved": int(by.get("resolved", 0))},
            "credit_note_requests": requests}
