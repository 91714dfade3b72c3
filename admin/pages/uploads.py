"""The upload queue: filter by portal, client and state; approve (also in bulk), retry, hold,
cancel, mark as submitted by hand — every action through ``sync.uploads.actions``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.actions import apply_action
from admin.context import context
from admin.filters import ListQuery, queue_query
from admin.security import Principal, current, require
from admin.templating import Paging, flash_redirect, list_page, paging, render
from sync.uploads import actions as upload_actions
from sync.uploads import view as queue_view
from sync.uploads.states import STATES

router = APIRouter()
MAX_BULK = 500


@router.get("/uploads")
def queue_page(request: Request, who: Principal = Depends(current),
               asked: ListQuery[queue_view.QueueFilter] = Depends(queue_query),
               shown: Paging = Depends(paging)) -> Response:
    return list_page(request, "uploads.html", asked, path="/uploads", paging=shown,
                     listing=queue_view.listing, portals=queue_view.portals, states=STATES,
                     actions_for=upload_actions.actions_for)


def _back(request: Request, target: str, done: list[str], refused: list[str],
          verb: str) -> Response:
    if not target.startswith("/uploads"):
        target = "/uploads"
    extra: dict[str, Any] = {}
    if done:
        extra["notice"] = f"{len(done)} upload(s) {verb}: {', '.join(done[:20])}"
    if refused:
        extra["error"] = "; ".join(refused[:5])
    return flash_redirect(request, target, **extra)


@router.post("/uploads/bulk")
def bulk_action(request: Request, who: Principal = Depends(require("uploads.act")),
                action: str = Form(...), documents: list[str] = Form(default_factory=list),
                reason: str | None = Form(None, max_length=500),
                back: str = Form("/uploads")) -> Response:
    if not documents:
        return _back(request, back, [], ["tick at least one upload"], action)
    if len(documents) > MAX_BULK:
        return _back(request, back, [], [f"at most {MAX_BULK} uploads at once"], action)
    done, refused = apply_action(request, who, documents, action, reason)
    verb = upload_actions.RULES[action].verb if action in upload_actions.RULES else action
    return _back(request, back, done, refused, verb)


@router.post("/uploads/{document}/act")
def single_action(request: Request, document: str,
                  who: Principal = Depends(require("uploads.act")),
                  action: str = Form(...), reason: str | None = Form(None, max_length=500),
                  back: str | None = Form(None)) -> Response:
    done, refused = apply_action(request, who, [document], action, reason)
    verb = upload_actions.RULES[action].verb if action in upload_actions.RULES else action
    if request.headers.get("hx-request"):
        ctx = context(request)
        with ctx.engine.connect() as conn:
            row = queue_view.one(conn, document)
        if row is None:
            raise HTTPException(404, f"no upload for billing document {document}")
        return render(request, "_upload_row.html", row=row,
                      actions_for=upload_actions.actions_for,
                      row_error="; ".join(refused) or None,
                      row_notice=f"{verb}" if done else None)
    return _back(request, back or f"/uploads/{document}", done, refused, verb)


@router.get("/uploads/{document}")
def upload_page(request: Request, document: str, who: Principal = Depends(current),
                notice: str | None = Query(None, max_length=500),
                error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        row = queue_view.one(conn, document)
        if row is None:
            raise HTTPException(404, f"no upload for billing document {document}")
        tries = queue_view.attempts(conn, row["id"])
    return render(request, "upload.html", row=row, attempts=tries, notice=notice,
                  error=error, actions=upload_actions.actions_for(row["state"]),
                  rules=upload_actions.RULES)
