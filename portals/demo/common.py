"""What both demo flavours share: fault middleware, form parsing, the portal's clock."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal, InvalidOperation

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

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


def today() -> date:
    return date.today()
