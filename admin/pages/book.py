"""The debtors' book in the admin app: the dashboard (receivables and overdue per currency,
the ageing as bars, DSO over twelve months, top debtors, credit balances, unallocated
receipts) and the age-analysis page, where a person sorts, filters, reads and writes
commentary and downloads the Excel file. Every figure comes from the functions the CLI uses."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.book_charts import ageing_bars, dso_line
from admin.context import context
from admin.security import Principal, current, require
from admin.templating import flash_redirect, render
from sync.reports.comments import CommentError, add_comment, history
from sync.txn import writing

router = APIRouter()
SORTS = ("customer", "name", "total", "overdue")


def _key_date(text: str | None, conn) -> date:  # type: ignore[no-untyped-def]
    from connectors.reports.book import ledger_today

    if not text:
        return ledger_today(conn)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"as_of {text!r} is not a date (YYYY-MM-DD)") from None


@router.get("/book")
def book_page(request: Request, who: Principal = Depends(current)) -> Response:
    from sync.reports.summary import dashboard

    ctx = context(request)
    settings = ctx.settings.reports
    with ctx.engine.connect() as conn:
        key = _key_date(None, conn)
    # the book as summed by the last pull, or now if anything changed since (never old
    # figures shown as current)
    data = dashboard(ctx.engine, key, currency=settings.currency,
                     edges=tuple(settings.ageing_edges), now=ctx.clock())
    return render(request, "book.html", d=data,
                      bars=ageing_bars(data["buckets"], data["ageing"],
                                       currency=data["currency"]),
                      trend=dso_line(data["dso_trend"]))


@router.get("/book/ageing")
def ageing_page(request: Request, who: Principal = Depends(current),
                as_of: str | None = Query(None, max_length=10),
                q: str | None = Query(None, max_length=80),
                currency: str | None = Query(None, max_length=5),
                sort: str = Query("customer", max_length=10),
                notice: str | None = Query(None, max_length=500),
                error: str | None = Query(None, max_length=500)) -> Response:
    from sync.reports.ageing_store import ageing

    if sort not in SORTS:
        raise HTTPException(422, f"sort must be one of {', '.join(SORTS)}")
    ctx = context(request)
    with ctx.engine.connect() as conn:
        key = _key_date(as_of, conn)
        report = ageing(conn, key, basis=ctx.settings.reports.ageing_basis,
                        edges=tuple(ctx.settings.reports.ageing_edges))
    lines = [ln for ln in report.lines
             if (not currency or ln.currency == currency)
             and (not q or q.lower() in f"{ln.customer} {ln.name} {ln.commentary or ''}"
                  .lower())]
    reverse = sort in ("total", "overdue")
    lines.sort(key=lambda ln: getattr(ln, sort) if sort != "name" else ln.name.lower(),
               reverse=reverse)
    params = {"as_of": as_of or "", "q": q or "", "currency": currency or "", "sort": sort}
    return render(request, "book_ageing.html", report=report, lines=lines, params=params,
                      currencies=sorted(report.totals()), sorts=SORTS, notice=notice,
                      error=error, xlsx=f"/book/ageing.xlsx?{urlencode({'as_of': key})}",
                      back=f"/book/ageing?{urlencode(params)}")


@router.get("/book/ageing.xlsx")
def ageing_download(request: Request, who: Principal = Depends(current),
                    as_of: str | None = Query(None, max_length=10)) -> Response:
    import tempfile
    from pathlib import Path

    from connectors.reports.ageing_xlsx import write_ageing
    from sync.reports.ageing_store import ageing

    ctx = context(request)
    with ctx.engine.connect() as conn:
        report = ageing(conn, _key_date(as_of, conn),
                        basis=ctx.settings.reports.ageing_basis,
                        edges=tuple(ctx.settings.reports.ageing_edges))
    with tempfile.TemporaryDirectory() as folder:
        content = write_ageing(report, Path(folder) / "ageing.xlsx").read_bytes()
    name = f"ageing-{report.as_of.isoformat()}.xlsx"
    return Response(content, media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/book/customers/{company_code}/{customer}")
def comments_page(request: Request, company_code: str, customer: str,
                  who: Principal = Depends(current)) -> Response:
    if len(company_code) > 4 or len(customer) > 10:
        raise HTTPException(404, "no such customer")
    ctx = context(request)
    with ctx.engine.connect() as conn:
        notes = history(conn, company_code, customer)
    return render(request, "book_comments.html", notes=notes, company_code=company_code,
                      customer=customer)


@router.post("/book/comment")
def comment(request: Request, who: Principal = Depends(require("book.act")),
            company_code: str = Form(..., max_length=4),
            customer: str = Form(..., max_length=10),
            text: str = Form(..., max_length=2000),
            back: str = Form("/book/ageing", max_length=500)) -> Response:
    ctx = context(request)
    target = back if back.startswith("/book/") else "/book/ageing"
    try:
        with writing(ctx.engine) as conn:
            add_comment(conn, company_code=company_code, customer=customer, text=text,
                        author=who.user.name, now=ctx.clock())
    except CommentError as refusal:
        return flash_redirect(request, target, error=str(refusal))
    return flash_redirect(request, target, notice=f"comment on {customer} saved")
