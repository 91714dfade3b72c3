"""The hand-over pack for legal collection: one owner-only zip with the statement, the
invoice PDFs, the contract references, the contact log, the reminders and notices sent with
their proof of delivery, and the disputes. Refused while the National Credit Act forbids the
hand-over (no section 129 notice delivered 10 business days ago); listed in the audit trail."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from config.errors import BusinessError
from config.settings import Settings
from connectors.reports.statement_pdf import render_pdf
from sync import audit
from sync.collections import contacts, disputes, legal
from sync.collections.dunning import REMINDERS
from sync.files import private_dir, write_private
from sync.mirror.models import BillingDocumentRow, OpenItemRow
from sync.reports.statements import compose
from sync.tables import table_of
from sync.txn import writing

OPEN = table_of(OpenItemRow)
DOCS = table_of(BillingDocumentRow)


def _cell(value: Any) -> str:
    """A CSV field that a spreadsheet shows as the text it is: a note starting with '=', '+',
    '-', '@' (a formula to Excel) gets a leading apostrophe; amounts stay numbers."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            Decimal(text)
        except ArithmeticError:
            return "'" + text
    return text


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in r.items()} for r in rows)
    return buffer.getvalue()


def _invoice_pdfs(settings: Settings, engine: Engine, company_code: str, customer: str,
                  name: str) -> dict[str, bytes]:
    """The PDFs of the customer's open invoices, as arbridge renders or stores them."""
    from connectors.pdfs import Facts, pdf_source

    source = pdf_source(settings)
    out = {}
    with engine.connect() as conn:
        documents = sorted(set(conn.execute(select(OPEN.c.billing_document).where(
            OPEN.c.company_code == company_code, OPEN.c.customer == customer,
            OPEN.c.billing_document.is_not(None))).scalars()))
        rows = conn.execute(select(DOCS).where(DOCS.c.number.in_(documents))).all() \
            if documents else []
    for r in rows:
        facts = Facts(r.number, r.number.lstrip("0"), r.customer_po, r.billing_date,
                         r.net, r.tax, r.gross, r.currency)
        out[f"invoices/{r.number}.pdf"] = source.pdf_for(facts, name).read_bytes()
    return out


def build_pack(settings: Settings, engine: Engine, *, company_code: str, customer: str,
               today: date, now: datetime, by: str) -> Path:
    """Write the pack under ``<home>/handover/`` and return its path."""
    cs = settings.collections
    with engine.connect() as conn:
        allowed, why = legal.handover_allowed(conn, cs, company_code, customer, today)
    if not allowed:
        raise BusinessError(f"customer {customer} may not be handed over yet: {why}")
    files: dict[str, bytes | str] = {}
    with engine.connect() as conn:
        statement = compose(conn, company_code, customer, today)
        log = [asdict(c) for c in contacts.recent(conn, company_code, customer,
                                                  limit=10_000)]
        reminders = [dict(r._mapping) for r in conn.execute(select(REMINDERS).where(
            REMINDERS.c.company_code == company_code, REMINDERS.c.customer == customer)
            .order_by(REMINDERS.c.id))]
        notices = legal.notices(conn, company_code, customer)
        cases = disputes.open_cases(conn, company_code, customer)
        contracts = sorted({r[0] for r in conn.execute(select(DOCS.c.customer_po).where(
            DOCS.c.payer == customer, DOCS.c.customer_po.is_not(None)))})
    files["statement.pdf"] = render_pdf(statement, settings.reports.statements)
    files["contact_log.csv"] = _csv(log)
    files["reminders.csv"] = _csv(reminders)
    files["notices.csv"] = _csv(notices)
    files["disputes.json"] = json.dumps(cases, default=str, indent=2)
    files["contracts.txt"] = "\n".join(["Customer purchase orders / contract references:",
                                        *contracts]) + "\n"
    for row in [*reminders, *notices]:
        document = row.get("document")
        if document and (settings.home / document).is_file():
            files[f"sent/{Path(document).name}"] = (settings.home / document).read_bytes()
    files.update(_invoice_pdfs(settings, engine, company_code, customer, statement.name))
    target = private_dir(settings.home / "handover") / \
        f"handover-{company_code}-{customer}-{today.isoformat()}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, content in sorted(files.items()):
            pack.writestr(name, content)
    write_private(target, buffer.getvalue())
    with writing(engine) as conn:
        audit.record(conn, [audit.event(action="hand-over pack made", entity="customer",
                                        key=customer, at=now, actor=by,
                                        detail={"file": target.name, "files": len(files),
                                                "why": why})])
    return target
