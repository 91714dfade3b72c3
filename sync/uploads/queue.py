"""The portal upload queue: enqueue invoices for bound customers, move them through the state
machine (every change audited), and record attempts before the portal is touched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from sync import audit
from sync.mirror.models import BillingDocumentRow, CustomerRow
from sync.tables import inserted_id, table_of
from sync.uploads import attempts as attempt_rules
from sync.uploads.cancellations import flag_cancelled, not_cancelled
from sync.uploads.holds import PoBalance
from sync.uploads.models import PortalPurchaseOrderRow, PortalUploadRow, UploadAttemptRow
from sync.uploads.states import ON_PORTAL, STATES, check
from sync.upsert import upsert

UPLOADS = table_of(PortalUploadRow)
ATTEMPTS = table_of(UploadAttemptRow)
POS = table_of(PortalPurchaseOrderRow)
DOCS = table_of(BillingDocumentRow)
CREDIT_MEMO_TYPES = ("G2", "RE")  # SD credit memos: sent over cXML against their invoice


def credit_memos(conn: Connection, portal: str) -> dict[int, str]:
    """The portal's credit memo uploads: upload id → the invoice number it credits (the
    upload of the billing document its reference names, on the same portal)."""
    original = UPLOADS.alias("original")
    rows = conn.execute(select(UPLOADS.c.id, original.c.invoice_number).join_from(
        UPLOADS, DOCS, DOCS.c.number == UPLOADS.c.billing_document).join(
        original, and_(func.ltrim(original.c.billing_document, "0") ==
                       func.ltrim(DOCS.c.reference, "0"), original.c.portal == UPLOADS.c.portal)
    ).where(UPLOADS.c.portal == portal, DOCS.c.doc_type.in_(CREDIT_MEMO_TYPES)))
    return {row[0]: row[1] for row in rows}
CUSTOMERS = table_of(CustomerRow)
BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class Upload:
    id: int
    billing_document: str
    portal: str
    invoice_number: str
    po_number: str | None
    invoice_date: Any
    net: Any
    tax: Any
    gross: Any
    currency: str
    state: str
    attempts: int
    reason: str | None


def enqueue(conn: Connection, *, now: datetime, portals: Iterable[str],
            billed_from: date | None = None, credit_memo_portals: Iterable[str] = ()) -> int:
    """Queue every billing document of a customer bound to one of ``portals`` that has no
    upload yet (invoices, not cancelled, billed on or after ``billed_from`` — older ones
    predate go-live and were uploaded by hand). On ``credit_memo_portals`` (cXML networks)
    a credit memo is queued too, once the invoice it names (its reference) is on that
    portal. Returns how many were queued."""
    names = list(portals)
    flag_cancelled(conn, now=now)
    if not names:
        return 0
    kinds = DOCS.c.doc_type == "F2"
    memo_portals = [name for name in credit_memo_portals if name in names]
    if memo_portals:
        original = UPLOADS.alias("original")
        sent = select(original.c.id).where(
            func.ltrim(original.c.billing_document, "0") == func.ltrim(DOCS.c.reference, "0"),
            original.c.portal == CUSTOMERS.c.portal, original.c.state.in_(ON_PORTAL)).exists()
        kinds = or_(kinds, and_(DOCS.c.doc_type.in_(CREDIT_MEMO_TYPES),
                                CUSTOMERS.c.portal.in_(memo_portals), sent))
    source = select(
        DOCS.c.number, CUSTOMERS.c.portal, DOCS.c.company_code, DOCS.c.sold_to,
        func.ltrim(DOCS.c.number, "0"), DOCS.c.customer_po, DOCS.c.billing_date, DOCS.c.net,
        DOCS.c.tax, DOCS.c.gross, DOCS.c.currency,
    ).select_from(DOCS.join(CUSTOMERS, and_(CUSTOMERS.c.company_code == DOCS.c.company_code,
                                            CUSTOMERS.c.number == DOCS.c.sold_to))).where(
        CUSTOMERS.c.portal.in_(names), DOCS.c.cancelled.is_(False), kinds,
        DOCS.c.billing_date >= (billed_from or date.min),
        ~select(UPLOADS.c.id).where(UPLOADS.c.billing_document == DOCS.c.number).exists(),
    ).order_by(DOCS.c.number)
    rows = [dict(zip(("billing_document", "portal", "company_code", "customer",
                      "invoice_number", "po_number", "invoice_date", "net", "tax", "gross",
                      "currency"), r, strict=False)) for r in conn.execute(source)]
    if not rows:
        return 0
    for row in rows:
        row.update(state="queued", attempts=0, created_at=now, updated_at=now)
    from sqlalchemy.dialects import postgresql, sqlite  # on use: start-up time

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(UPLOADS).on_conflict_do_nothing(
        index_elements=["billing_document"]), rows)
    first, last = rows[0]["billing_document"], rows[-1]["billing_document"]
    audit.record(conn, [audit.event(action="upload queued", entity="portal_upload",
                                    key=f"{first}..{last}", detail={"count": len(rows)},
                                    at=now)])
    return len(rows)


def route_queued(conn: Connection, *, now: datetime, review_portals: set[str]) -> int:
    """queued → review (portal requires a person's approval) or ready."""
    moved = 0
    for upload in by_state(conn, "queued"):
        target = "review" if upload.portal in review_portals else "ready"
        transition(conn, upload.id, target, now=now)
        moved += 1
    return moved


def _upload(row: Any) -> Upload:
    m = row._mapping
    return Upload(id=m["id"], billing_document=m["billing_document"], portal=m["portal"],
                  invoice_number=m["invoice_number"], po_number=m["po_number"],
                  invoice_date=m["invoice_date"], net=m["net"], tax=m["tax"], gross=m["gross"],
                  currency=m["currency"], state=m["state"], attempts=m["attempts"],
                  reason=m["reason"])


def upload_of(row: Any) -> Upload:
    """An upload from a row of the uploads table."""
    return _upload(row)


def get(conn: Connection, upload_id: int) -> Upload:
    return _upload(conn.execute(select(UPLOADS).where(UPLOADS.c.id == upload_id)).one())


def _listing(state: str | None, portal: str | None, limit: int | None) -> Any:
    query = select(UPLOADS).order_by(UPLOADS.c.id)
    if state:
        query = query.where(UPLOADS.c.state == state)
    if portal:
        query = query.where(UPLOADS.c.portal == portal)
    return query.limit(limit) if limit else query


def by_state(conn: Connection, state: str | None = None, portal: str | None = None,
             limit: int | None = None) -> list[Upload]:
    return [_upload(r) for r in conn.execute(_listing(state, portal, limit))]


def rows(conn: Connection, state: str | None = None, portal: str | None = None
         ) -> list[dict[str, Any]]:
    """Every column of the uploads, for listings (``arbridge portals queue --json``)."""
    return [dict(r._mapping) for r in conn.execute(_listing(state, portal, None))]


def by_document(conn: Connection, billing_document: str) -> Upload | None:
    """The upload of a billing document, given with or without leading zeros."""
    row = conn.execute(select(UPLOADS).where(UPLOADS.c.billing_document.in_(
        {billing_document, billing_document.zfill(10)}))).first()
    return _upload(row) if row else None


def due(conn: Connection, portal: str, now: datetime) -> list[Upload]:
    """What to work on for ``portal``: interrupted attempts first, then ready ones due now,
    in billing-date order (so a PO with room for some takes the earliest invoices)."""
    query = select(UPLOADS).where(
        UPLOADS.c.portal == portal,
        or_(UPLOADS.c.state == "submitting",
            and_(UPLOADS.c.state == "ready", not_cancelled(),
                 or_(UPLOADS.c.next_attempt_at.is_(None), UPLOADS.c.next_attempt_at <= now))),
    ).order_by((UPLOADS.c.state != "submitting"), UPLOADS.c.invoice_date, UPLOADS.c.id)
    return [_upload(r) for r in conn.execute(query)]


def awaiting_client(conn: Connection, portal: str, limit: int) -> list[Upload]:
    """Invoices on the portal whose client has not finished with them (not paid or rejected),
    least recently checked first."""
    query = select(UPLOADS).where(
        UPLOADS.c.portal == portal, UPLOADS.c.state.in_(("submitted", "approved", "disputed"))
    ).order_by(UPLOADS.c.updated_at, UPLOADS.c.id).limit(limit)
    return [_upload(r) for r in conn.execute(query)]


def transition(conn: Connection, upload_id: int, target: str, *, now: datetime,
               reason: str | None = None, actor: str = audit.SYSTEM_ACTOR,
               **fields: Any) -> None:
    """Move one upload to ``target`` if the machine allows it, and audit the change."""
    query = select(UPLOADS.c.state, UPLOADS.c.billing_document).where(UPLOADS.c.id == upload_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    current, document = conn.execute(query).one()
    if current != target:
        check(current, target, upload=document)
    conn.execute(update(UPLOADS).where(UPLOADS.c.id == upload_id).values(
        state=target, reason=reason, updated_at=now, **fields))
    audit.record(conn, [audit.event(action=f"upload {target}", entity="portal_upload",
                                    key=document, actor=actor, at=now,
                                    detail={"from": current, "to": target, "reason": reason})])


def begin_attempt(conn: Connection, upload: Upload, *, now: datetime) -> int:
    """Record the attempt and enter ``submitting`` — committed before the portal is touched."""
    transition(conn, upload.id, "submitting", now=now, reason=None,
               attempts=upload.attempts + 1)
    result = conn.execute(insert(ATTEMPTS).values(
        upload_id=upload.id, number=upload.attempts + 1, started_at=now,
        idempotency_key=f"{upload.portal}:{upload.invoice_number}"))
    return inserted_id(result)


def finish_attempt(conn: Connection, attempt_id: int, *, now: datetime, outcome: str,
                   detail: str, evidence: str | None) -> None:
    conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(
        finished_at=now, outcome=outcome, detail=detail, evidence=evidence))


def retry_later(conn: Connection, upload: Upload, *, now: datetime, reason: str,
                max_attempts: int) -> str:
    """A technical failure: back to ``ready`` with exponential backoff, or ``failed`` (a
    person) when the attempts are used up (interrupted ones, and ones that only waited for
    their PDF, do not count). Returns the new state."""
    counted = get(conn, upload.id).attempts - attempt_rules.uncounted(conn, upload.id)
    if counted >= max_attempts:
        transition(conn, upload.id, "failed", now=now,
                   reason=f"{reason} (gave up after {counted} attempts)")
        return "failed"
    delay = min(BACKOFF_BASE * (2 ** max(counted - 1, 0)), BACKOFF_MAX)
    transition(conn, upload.id, "ready", now=now, reason=reason, next_attempt_at=now + delay)
    return "ready"


def counts(conn: Connection) -> dict[str, int]:
    found: dict[str, int] = dict(conn.execute(
        select(UPLOADS.c.state, func.count()).group_by(UPLOADS.c.state)).all())
    return {state: int(found.get(state, 0)) for state in STATES}


def save_purchase_orders(conn: Connection, portal: str, orders: list[dict[str, Any]],
                         now: datetime) -> None:
    upsert(conn, POS, [{**o, "portal": portal, "read_at": now} for o in orders],
           ("portal", "number"))


def purchase_orders(conn: Connection, portal: str) -> dict[str, PoBalance]:
    rows = conn.execute(select(POS).where(POS.c.portal == portal))
    return {r.number: PoBalance(number=r.number, remaining=r.remaining, currency=r.currency,
                                open=r.open, valid_to=r.valid_to) for r in rows}


def attempts_of(conn: Connection, upload_id: int) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(
        select(ATTEMPTS).where(ATTEMPTS.c.upload_id == upload_id).order_by(ATTEMPTS.c.number))]
