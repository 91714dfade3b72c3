"""Per-user API tokens for scripts: make one (shown once), see when each was last used,
revoke it. Any role may hold tokens; a token can do what its user's role allows."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from admin.context import RowId, context
from admin.security import Principal, current
from admin.templating import render
from sync.txn import writing
from sync.users import accounts as users

router = APIRouter()


def _page(request: Request, who: Principal, new_token: str | None = None) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        held = users.tokens_of(conn, who.user)
    return render(request, "tokens.html", tokens=held, new_token=new_token,
                  endpoints=endpoints(request))


def endpoints(request: Request) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every API operation, from the OpenAPI schema."""
    paths = request.app.openapi().get("paths", {})
    return [(method.upper(), path, operation.get("summary", ""))
            for path, operations in paths.items() for method, operation in operations.items()]


@router.get("/tokens")
def tokens_page(request: Request, who: Principal = Depends(current)) -> Response:
    return _page(request, who)


@router.post("/tokens")
def create_token(request: Request, who: Principal = Depends(current),
                 label: str = Form("script", max_length=80)) -> Response:
    ctx = context(request)
    with writing(ctx.engine) as conn:
        token = users.create_token(conn, who.user, label, now=ctx.clock())
    return _page(request, who, new_token=token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: RowId, who: Principal = Depends(current)) -> Response:
    ctx = context(request)
    with writing(ctx.engine) as conn:
        users.revoke_token(conn, who.user, token_id, now=ctx.clock())
    return RedirectResponse("/tokens", status_code=303)
