"""cXML payloadIDs, both ways: each outbound document's payloadID is stored (with its upload
and attempt) *before* the POST, and each inbound message's payloadID with the answer given,
so a replayed message changes nothing and gets the same answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Column, Connection, Text, select, update
from sqlmodel import Field, SQLModel

from sync.tables import table_of
from sync.types import UtcDateTime
from sync.uploads.models import UploadAttemptRow


class CxmlPayloadRow(SQLModel, table=True):
    """One cXML message sent or received, by its portal and payloadID (a payloadID is unique
    only within one network's messages)."""

    __tablename__ = "cxml_payload"

    portal: str = Field(primary_key=True, max_length=40)
    payload_id: str = Field(primary_key=True, max_length=250)
    direction: str = Field(max_length=3, description="out or in")
    kind: str = Field(max_length=40, description="InvoiceDetailRequest, StatusUpdateRequest, "
                      "PaymentRemittanceRequest")
    document: str = Field(max_length=35, description="invoice number or remittance id")
    upload_id: int | None = Field(default=None, index=True)
    attempt_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_type=UtcDateTime)
    response_code: int | None = None
    response_text: str | None = Field(default=None, sa_column=Column(Text))


PAYLOADS = table_of(CxmlPayloadRow)
ATTEMPTS = table_of(UploadAttemptRow)


def record_outbound(conn: Connection, *, payload_id: str, portal: str, invoice: str,
                    upload_id: int, attempt_id: int, now: datetime) -> None:
    """Store the payloadID before the POST; it is also the attempt's idempotency key."""
    conn.execute(PAYLOADS.insert().values(
        payload_id=payload_id, direction="out", kind="InvoiceDetailRequest", portal=portal,
        document=invoice, upload_id=upload_id, attempt_id=attempt_id, created_at=now))
    conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(
        idempotency_key=payload_id[:80]))


def answered(conn: Connection, payload_id: str, code: int, text: str) -> None:
    conn.execute(update(PAYLOADS).where(PAYLOADS.c.payload_id == payload_id,
                                        PAYLOADS.c.direction == "out").values(
        response_code=code, response_text=text))


def outbound_of(conn: Connection, upload_id: int) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(select(PAYLOADS).where(
        PAYLOADS.c.upload_id == upload_id, PAYLOADS.c.direction == "out").order_by(
        PAYLOADS.c.created_at))]


def seen(conn: Connection, portal: str, payload_id: str) -> tuple[int, str] | None:
    """The answer given to an inbound message of ``portal`` already received, or None."""
    row = conn.execute(select(PAYLOADS.c.response_code, PAYLOADS.c.response_text).where(
        PAYLOADS.c.portal == portal, PAYLOADS.c.payload_id == payload_id,
        PAYLOADS.c.direction == "in")).first()
    return (int(row[0] or 200), row[1] or "") if row else None


def record_inbound(conn: Connection, *, payload_id: str, kind: str, portal: str,
                   document: str, code: int, text: str, now: datetime) -> None:
    conn.execute(PAYLOADS.insert().values(
        payload_id=payload_id, direction="in", kind=kind, portal=portal, document=document,
        created_at=now, response_code=code, response_text=text))


Direction = Literal["out", "in"]
