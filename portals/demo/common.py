"""What both demo flavours share: page rendering (orders list, invoice form), sessions, the
front door (sign-in page and form) and the sign-in redirect, fault middleware and the slow
submit, form parsing, the portal's clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from fastapi import FastAPI, Query
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from portals.demo.pages import environment
from portals.demo.state import PortalState, Rejected


class Renderer:
    """Renders one flavour's pages with what every page needs: brand, root, layout switch."""

    def __init__(self, templates: dict[str, str], *, brand: str, root: str,
                 state: PortalState) -> None:
        self.pages = environment(templates)
        self.brand, self.root, self.state = brand, root, state

    def __call__(self, name: str, status: int = 200, **context: object) -> HTMLResponse:
        context.setdefault("user", None)
        layout = self.state.fault("layout")
        html = self.pages.get_template(name).render(
            brand=self.brand, root=self.root, v2=layout == "v2",
            v2_form=layout in ("v2", "v2-form"), **context)
        return HTMLResponse(html, status_code=status)

    def form_changed(self) -> bool:
        return self.state.fault("layout") in ("v2", "v2-form")

    def orders(self, user: str, status: int = 200) -> HTMLResponse:
        """The purchase orders list."""
        return self("orders.html", status=status, title="Orders", user=user,
                    orders=self.state.purchase_orders())

    def invoice_form(self, name: str, user: str, po_number: str) -> HTMLResponse:
        """The create-invoice page ``name`` for one PO, or the orders list (404) when the
        portal has no such PO."""
        order = self.state.purchase_order(po_number)
        if order is None:
            return self.orders(user, status=404)
        return self(name, title="Create Invoice", user=user, po=order)


class SignedOut(Exception):
    """A page for signed-in users was asked for without a (verified) session."""


class Sessions:
    """One flavour's session cookie: who is signed in, and the sign-in page for the rest.

    A page calls ``signed_in`` first; without a session it raises ``SignedOut``, which the app
    answers (``install``) with a redirect to the sign-in page."""

    def __init__(self, state: PortalState, *, cookie: str, login_url: str,
                 verified_only: bool) -> None:
        self.state, self.cookie, self.login_url = state, cookie, login_url
        self.verified_only = verified_only

    def install(self, app: Starlette) -> None:
        app.add_exception_handler(SignedOut, lambda request, error: self.to_login())

    def user(self, request: Request) -> str | None:
        session = self.state.session(request.cookies.get(self.cookie))
        if session is None or (self.verified_only and not session[1]):
            return None
        return session[0]

    def signed_in(self, request: Request) -> str:
        user = self.user(request)
        if user is None:
            raise SignedOut
        return user

    def to_login(self) -> Response:
        return RedirectResponse(self.login_url, status_code=303)


class FaultMiddleware(BaseHTTPMiddleware):
    """Slow pages and 500 errors, switched on in the portal's state."""

    def __init__(self, app, state: PortalState) -> None:  # type: ignore[no-untyped-def]
        super().__init__(app)
        self.state = state

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        slow = self.state.fault("slow_ms")
        if slow:
            await asyncio.sleep(int(slow) / 1000)
        form_page = request.url.path.endswith(("/invoices/new", "/invoice/create"))
        if self.state.take_fault("fail_next") or (form_page and
                                                   self.state.take_fault("fail_invoice_form")):
            return HTMLResponse("<h1>500 Internal Server Error</h1><p>Something went wrong.</p>",
                                status_code=500)
        return await call_next(request)


@dataclass(frozen=True, slots=True)
class FrontDoor:
    """How a flavour signs its users in: ``/`` leads to ``home``; ``path`` shows the sign-in
    ``page`` (told that a session expired by ``?<expired_param>=1``) and takes its form, whose
    user and password are in ``fields``. With a ``second_step`` (the TOTP page), an account
    with a secret goes there and its session counts only once verified."""

    home: str
    path: str
    page: str
    title: str
    fields: tuple[str, str]
    refusal: str
    expired_param: str
    second_step: str | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Where a signed-in user finds the purchase orders (``orders``) and the create-invoice
    page of one (``form_path``, with the PO number as ``{po}`` in the path or as ``?po=``),
    shown with the template ``form_page``."""

    orders: str
    form_path: str
    form_page: str


def flavour_app(state: PortalState, templates: dict[str, str], *, brand: str, root: str,
                cookie: str, door: FrontDoor,
                catalogue: Catalogue) -> tuple[FastAPI, Renderer, Sessions]:
    """A flavour's app with the fault middleware, its front door, the sign-in redirect and
    its orders and create-invoice pages in place, with its page renderer and its
    sessions."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(FaultMiddleware, state=state)
    sessions = Sessions(state, cookie=cookie, login_url=f"{root}{door.path}?{door.expired_param}=1",
                        verified_only=door.second_step is not None)
    sessions.install(app)
    render = Renderer(templates, brand=brand, root=root, state=state)
    _front_door(app, state, render, door, root=root, cookie=cookie)

    @app.get(catalogue.orders)
    def orders(request: Request) -> Response:
        return render.orders(sessions.signed_in(request))

    @app.get(catalogue.form_path)
    def invoice_form(request: Request, po: str) -> Response:
        return render.invoice_form(catalogue.form_page, sessions.signed_in(request), po)

    return app, render, sessions


def _front_door(app: FastAPI, state: PortalState, render: Renderer, door: FrontDoor, *,
                root: str, cookie: str) -> None:
    @app.get("/")
    def index() -> Response:
        return RedirectResponse(f"{root}{door.home}", status_code=303)

    @app.get(door.path)
    def sign_in_page(expired: int = Query(0, alias=door.expired_param)) -> Response:
        return render(door.page, title=door.title, expired=bool(expired))

    @app.post(door.path)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        name, password = (str(form.get(field, "")) for field in door.fields)
        account = state.account(name)
        if account is None or account[0] != password:
            return render(door.page, status=401, title=door.title, error=door.refusal)
        verified = door.second_step is None or account[1] is None
        target = door.home if verified else door.second_step
        response = RedirectResponse(f"{root}{target}", status_code=303)
        response.set_cookie(cookie, state.open_session(name, verified=verified), httponly=True,
                            samesite="lax")
        return response


def amount(text: str | None, label: str) -> Decimal:
    try:
        value = Decimal((text or "").replace(",", "").strip())
    except InvalidOperation:
        raise Rejected(f"{label} must be an amount.") from None
    if value < 0:
        raise Rejected(f"{label} cannot be negative.")
    return value


def day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise Rejected("Invoice date must be a date (YYYY-MM-DD).") from None


async def submit_delay(state: PortalState) -> None:
    """Answer a submitted invoice slowly when the ``slow_submit_ms`` fault is on."""
    slow = state.fault("slow_submit_ms")
    if slow:
        await asyncio.sleep(int(slow) / 1000)


def today() -> date:
    return date.today()
