"""The collector's home page: the ranked worklist (whom to call first, and why), each
customer's page with disputes, promises, reminders and the contact log, and the form that
records a call with a call-back date and a promise to pay. The contact log is personal data
(POPIA): only roles with ``collections.contacts`` read it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select

from admin.context import context
from admin.security import Principal, current, require
from admin.templating import flash_redirect, render
from config.errors import ArbridgeError

router = APIRouter()


def _today(conn) -> date:  # type: ignore[no-untyped-def]
    from connectors.reports.book import ledger_today

    return ledger_today(conn)


@router.get("/collections")
def worklist_page(request: Request, who: Principal = Depends(current),
                  notice: str | None = None, error: str | None = None) -> Response:
    from sync.collections.worklist import build

    ctx = context(request)
    with ctx.engine.connect() as conn:
        today = _today(conn)
        entries = build(conn, ctx.settings.collections, today, limit=100,
                        edges=tuple(ctx.settings.reports.ageing_edges))
    return render(request, "collections.html", entries=entries, today=today,
                      notice=notice, error=error)


@router.get("/collections/customers/{company_code}/{customer}")
def customer_page(request: Request, company_code: str, customer: str,
                  who: Principal = Depends(current), notice: str | None = None,
                  error: str | None = None) -> Response:
    from sync.collections import contacts, disputes, dunning, legal, promise_store
    from sync.reports.ageing_store import customer_names

    if len(company_code) > 4 or len(customer) > 10:
        raise HTTPException(404, "no such customer")
    ctx = context(request)
    with ctx.engine.connect() as conn:
        name = customer_names(conn).get((company_code, customer))
        if name is None:
            raise HTTPException(404, "no such customer")
        log = contacts.recent(conn, company_code, customer, limit=50) \
            if who.can("collections.contacts") else None
        reminders = [dict(r._mapping) for r in conn.execute(select(dunning.REMINDERS).where(
            dunning.REMINDERS.c.company_code == company_code,
            dunning.REMINDERS.c.customer == customer).order_by(dunning.REMINDERS.c.id))]
        data: dict[str, Any] = {"promises": promise_store.promises_of(conn, company_code, customer),
                "disputes": disputes.open_cases(conn, company_code, customer),
                "notices": legal.notices(conn, company_code, customer),
                "reminders": reminders, "today": _today(conn)}
    return render(request, "collections_customer.html", company_code=company_code,
                      customer=customer, name=name, log=log, notice=notice, error=error,
                      **data)


@router.post("/collections/call")
def record_call_form(request: Request, who: Principal = Depends(require("collections.act")),
                     company_code: str = Form(..., max_length=4),
                     customer: str = Form(..., max_length=10),
                     outcome: str = Form(..., max_length=2000),
                     agreed: str = Form("", max_length=2000),
                     contact_person: str = Form("", max_length=120),
                     call_back: str = Form("", max_length=10),
                     promise_amount: str = Form("", max_length=20),
                     promise_date: str = Form("", max_length=10),
                     instalment_amount: list[str] = Form([]),
                     instalment_date: list[str] = Form([])) -> Response:
    from connectors.collections.calls import record_call

    ctx = context(request)
    target = f"/collections/customers/{company_code}/{customer}"
    try:
        back = date.fromisoformat(call_back) if call_back else None
        by = date.fromisoformat(promise_date) if promise_date else None
        try:
            amount = Decimal(promise_amount) if promise_amount else None
        except InvalidOperation:
            amount = Decimal("NaN")
        if amount is not None and amount.is_nan():
            raise ValueError(f"{promise_amount!r} is not an amount (e.g. 1500.00)")
        if (amount is None) != (by is None):
            raise ValueError("a promise needs both an amount and a date")
        plan = _instalments(instalment_amount, instalment_date)
        with ctx.engine.connect() as conn:
            today = _today(conn)
        _, promise_id = record_call(
            ctx.engine, customer=customer, company_code=company_code,
            collector=who.user.name, channel="phone", outcome=outcome, agreed=agreed,
            contact_person=contact_person, call_back=back, promise_amount=amount,
            promise_date=by, now=ctx.clock(), as_of=today, instalments=plan)
    except (ValueError, InvalidOperation, ArbridgeError) as refusal:
        return flash_redirect(request, target, error=str(refusal) or "not a valid amount")
    what = "arrangement" if len(plan) + (amount is not None) > 1 else "promise"
    return flash_redirect(request, target, notice="call recorded" + (
        f"; {what} {promise_id} recorded" if promise_id else ""))


MAX_INSTALMENTS = 24


def _instalments(amounts: list[str], dates: list[str]) -> list[tuple[date, Decimal]]:
    """The arrangement's further instalments from the form's rows (blank rows skipped)."""
    if len(amounts) > MAX_INSTALMENTS or len(dates) > MAX_INSTALMENTS:
        raise ValueError(f"at most {MAX_INSTALMENTS} instalments")
    rows = []
    for n, (amount, when) in enumerate(zip(amounts, dates, strict=False), start=2):
        amount, when = amount.strip()[:20], when.strip()[:10]
        if not amount and not when:
            continue
        if not amount or not when:
            raise ValueError(f"instalment {n} needs both an amount and a date")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise ValueError(f"instalment {n}: {amount!r} is not an amount "
                             f"(e.g. 1500.00)") from None
        rows.append((date.fromisoformat(when), value))
    return rows
