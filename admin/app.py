"""The admin web app: wires the page areas (``admin/pages``) and the API (``admin/api``).

Add a page area by writing ``admin/pages/<area>.py`` with a ``router`` and listing it in
``PAGE_AREAS`` (its API in ``admin/api/<area>.py`` and ``API_AREAS``); the navigation comes
from ``NAVIGATION``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from admin.api import audit as api_audit
from admin.api import cash as api_cash
from admin.api import me as api_me
from admin.api import pos as api_pos
from admin.api import uploads as api_uploads
from admin.context import AdminContext
from admin.pages import (
    alerts,
    audit,
    book,
    collections,
    dashboard,
    evidence,
    login,
    pos,
    tokens,
)
from admin.pages import allocations as allocation_pages
from admin.pages import receipts as receipt_pages
from admin.pages import uploads as upload_pages
from admin.security import (
    CsrfRefused,
    Forbidden,
    LoginRequired,
    Principal,
    csrf_guard,
    current,
    refuse_nul,
)
from admin.templating import make_templates, render
from config.settings import Settings
from sync.local_time import people_time
from sync.store import open_store
from sync.users.accounts import prepare_dummy_hash

STATIC = Path(__file__).parent / "static"
PAGE_AREAS = (login, dashboard, upload_pages, evidence, pos, alerts, audit, tokens,
              receipt_pages, allocation_pages, book, collections)
API_AREAS = (api_me, api_uploads, api_pos, api_audit, api_cash)
NAVIGATION = (("/", "Dashboard"), ("/book", "Debtors' book"), ("/collections", "Collections"),
              ("/uploads", "Upload queue"),
              ("/pos", "POs"),
              ("/alerts", "PO alerts"), ("/receipts", "Receipts"), ("/allocations", "Allocations"),
              ("/audit", "Audit trail"), ("/tokens", "API tokens"))
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _htmx_refusal(request: Request, message: str, status_code: int) -> Response | None:
    """For an htmx request, the refusal as a message in the page's flash area (htmx is
    configured to swap 4xx answers; these headers point the swap at ``#flash``)."""
    if not request.headers.get("hx-request"):
        return None
    return Response(f'<p class="problem" role="alert">{escape(message)}</p>',
                    status_code=status_code, media_type="text/html",
                    headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "log in, or send an API token as "
                                           "'Authorization: Bearer arb_...'"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=403)
        if partial := _htmx_refusal(request, f"Not allowed: {error}.", 403):
            return partial
        return render(request, "error.html", status_code=403, title="Not allowed",
                      message=f"{error}. Ask an administrator if you need to.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if _wants_json(request) or request.url.path.startswith("/static"):
            return await http_exception_handler(request, error)
        titles = {404: "Not found", 405: "Not allowed here", 422: "Not understood"}
        return render(request, "error.html", status_code=error.status_code,
                      title=titles.get(error.status_code, "Something went wrong"),
                      message=str(error.detail))

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, error: DataError) -> Response:
        """A value the store cannot hold (a NUL character in a form or JSON body on
        PostgreSQL, a number out of range): the transaction was rolled back."""
        message = ("a value was refused by the store (a NUL character, or a number too "
                   "large); nothing was changed")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=422)
        if partial := _htmx_refusal(request, f"Refused: {message}.", 422):
            return partial
        return render(request, "error.html", status_code=422, title="Not understood",
                      message=message.capitalize() + ".")

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _: CsrfRefused) -> Response:
        message = ("the form was missing its security token or it was stale: "
                   "reload the page and try again")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=403)
        if partial := _htmx_refusal(request, f"Refused: {message}.", 403):
            return partial
        return render(request, "error.html", status_code=403, title="Refused",
                      message=message.capitalize() + ".")


class HeadAsGet:
    """ASGI wrapper: HEAD answers as GET would, without the body (uptime monitors send HEAD;
    FastAPI routes declared with GET alone answered it 405)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any],
                       send: Callable[..., Any]) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def _serve_schema_after_login(app: FastAPI) -> None:
    """The OpenAPI document only to a logged-in user or an API token (it maps every
    action an attacker could try)."""
    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi_document(_: Principal = Depends(current)) -> JSONResponse:
        return JSONResponse(app.openapi())


def _declare_bearer(app: FastAPI) -> None:
    """Say in the OpenAPI schema that every operation takes a per-user Bearer token."""
    plain = app.openapi

    def schema() -> dict:
        if app.openapi_schema is None:
            document = plain()
            document.setdefault("components", {})["securitySchemes"] = {
                "apiToken": {"type": "http", "scheme": "bearer",
                             "description": "a per-user API token (arb_...), made on the "
                                            "API tokens page"}}
            document["security"] = [{"apiToken": []}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]


def create_app(settings: Settings, *, engine: Engine | None = None,
               clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The app on the configured store (migrated on first use)."""
    engine = engine or open_store(settings).engine
    prepare_dummy_hash()  # an unknown user's first login then costs what any other does
    ctx = AdminContext(settings=settings, engine=engine, templates=make_templates())
    if clock is not None:
        ctx.clock = clock
    ctx.templates.env.globals["navigation"] = NAVIGATION
    ctx.templates.env.filters["when"] = partial(people_time, zone=settings.time_zone)
    app = FastAPI(title="arbridge admin API", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None,
                  dependencies=[Depends(refuse_nul), Depends(csrf_guard)],
                  description="The administrators' actions for scripts. Authenticate with a "
                              "per-user API token: `Authorization: Bearer arb_...` (make one "
                              "on the API tokens page).")
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    from admin.cxml_inbound import create_inbound_app  # noqa: PLC0415 - start-up time

    app.mount("/cxml", create_inbound_app(settings, engine, clock=clock))
    for area in PAGE_AREAS:
        app.include_router(area.router, include_in_schema=False)
    for area in API_AREAS:
        app.include_router(area.router, prefix="/api")
    _install_handlers(app)
    _declare_bearer(app)
    _serve_schema_after_login(app)
    app.add_middleware(HeadAsGet)

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
