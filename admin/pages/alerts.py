"""The PO alerts: filter by portal, level and state; acknowledge one in place (htmx) or the
ticked ones at once. Acknowledging goes through ``sync.po.alerts.acknowledge`` (who and when
on the alert and in the audit trail); the alert stays open until what raised it is
resolved."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from admin.actions import acknowledge_all
from admin.context import MAX_ID, RowId, context
from admin.filters import ListQuery, alert_query
from admin.pages.pos import po_url
from admin.security import Principal, current, require
from admin.templating import Paging, flash_redirect, list_page, paging, render
from sync.po import view as po_view
from sync.po.alert_rules import LEVELS

router = APIRouter()
MAX_BULK = 200


@router.get("/alerts")
def alerts_page(request: Request, who: Principal = Depends(current),
                asked: ListQuery[po_view.AlertFilter] = Depends(alert_query),
                shown: Paging = Depends(paging)) -> Response:
    return list_page(request, "alerts.html", asked, path="/alerts", paging=shown,
                     listing=po_view.alert_listing, portals=po_view.alert_portals,
                     levels=LEVELS, states=po_view.ALERT_STATES, po_url=po_url)


@router.post("/alerts/acknowledge")
def bulk_acknowledge(request: Request, who: Principal = Depends(require("alerts.act")),
                     ids: list[int] = Form(default_factory=list),
                     back: str = Form("/alerts", max_length=500)) -> Response:
    extra = {}
    if not ids:
        extra["error"] = "tick at least one alert"
    elif len(ids) > MAX_BULK:
        extra["error"] = f"at most {MAX_BULK} alerts at once"
    elif bad := [i for i in ids if not 1 <= i <= MAX_ID]:
        extra["error"] = f"no alert {bad[0]}"
    else:
        done, refused = acknowledge_all(request, who, ids)
        if done:
            extra["notice"] = (f"{len(done)} alert(s) acknowledged: "
                               f"{', '.join(str(i) for i in done[:20])}")
        if refused:
            extra["error"] = "; ".join(refused[:5])
    target = back if back.startswith("/alerts") else "/alerts"
    return flash_redirect(request, target, **extra)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: RowId,
                who: Principal = Depends(require("alerts.act")),
                back: str | None = Form(None, max_length=500)) -> Response:
    ctx = context(request)
    done, refused = acknowledge_all(request, who, [alert_id])
    if request.headers.get("hx-request"):
        with ctx.engine.connect() as conn:
            row = po_view.alert_one(conn, alert_id)
        if row is None:
            raise HTTPException(404, f"no alert {alert_id}")
        return render(request, "_alert_row.html", a=row, po_url=po_url,
                      row_error="; ".join(refused) or None,
                      row_notice="acknowledged" if done else None)
    extra = {"notice": f"alert {alert_id} acknowledged"} if done else {"error": refused[0]}
    target = back if back and back.startswith(("/alerts", "/pos/")) else "/alerts"
    return flash_redirect(request, target, **extra)
