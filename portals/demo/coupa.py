"""The Coupa-style flavour: email login with a TOTP second step, an Orders table, PO flip to
an invoice form with a PDF, an Invoices list with statuses and rejection reasons."""

from __future__ import annotations

import pyotp
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from portals.demo.common import Catalogue, FrontDoor, amount, day, flavour_app, submit_delay, today
from portals.demo.pages import COUPA
from portals.demo.state import PortalState, Rejected

COOKIE = "coupa_session"
BRAND = "Coupa Supplier Portal (demo)"
DOOR = FrontDoor(home="/orders", path="/login", page="login.html", title="Sign in",
                 fields=("user[login]", "user[password]"), expired_param="expired",
                 refusal="Invalid email or password.", second_step="/two_factor")
CATALOGUE = Catalogue(orders="/orders", form_path="/orders/{po:path}/invoices/new",
                      form_page="invoice_new.html")


def create_app(state: PortalState, root: str = "") -> FastAPI:
    app, render, sessions = flavour_app(state, COUPA, brand=BRAND, root=root, cookie=COOKIE,
                                        door=DOOR, catalogue=CATALOGUE)

    @app.get("/two_factor")
    def two_factor_page() -> Response:
        return render("two_factor.html", title="Verify")

    @app.post("/two_factor")
    async def two_factor(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        session = state.session(token)
        if session is None or token is None:
            return sessions.to_login()
        form = await request.form()
        secret = (state.account(session[0]) or ("", None))[1]
        if not secret or not pyotp.TOTP(secret).verify(str(form.get("otp_code", "")),
                                                       valid_window=1):
            return render("two_factor.html", status=401, title="Verify",
                          error="That code is not valid.")
        state.verify_session(token)
        return RedirectResponse(f"{root}/orders", status_code=303)

    @app.post("/orders/{number:path}/invoices")
    async def create_invoice(number: str, request: Request) -> Response:
        user = sessions.signed_in(request)
        form = await request.form()
        po = state.purchase_order(number)
        attachment = form.get("attachment")
        content = await attachment.read() if hasattr(attachment, "read") else b""
        name = getattr(attachment, "filename", "") or ""
        field = "inv_no" if render.form_changed() else "invoice_number"
        try:
            net = amount(str(form.get("line_amount", "")), "Line amount")
            invoice = state.submit_invoice(
                number=str(form.get(field, "")).strip(), po_number=number,
                invoice_date=day(str(form.get("invoice_date", ""))), net=net,
                tax=amount(str(form.get("tax_amount", "")), "VAT amount"),
                currency=str(form.get("currency", "")).strip(), attachment_name=name,
                attachment_size=len(content), today=today())
        except Rejected as error:
            return render("invoice_new.html", status=422, title="Create Invoice", user=user,
                          po=po or state.purchase_orders()[0], error=str(error))
        await submit_delay(state)
        return RedirectResponse(f"{root}/invoices?search={invoice.number}&submitted=1",
                                status_code=303)

    @app.get("/invoices")
    def invoices(request: Request, search: str = "", submitted: int = 0) -> Response:
        user = sessions.signed_in(request)
        notice = f"Invoice {search} submitted for approval." if submitted else None
        return render("invoices.html", title="Invoices", user=user, search=search,
                      invoices=state.invoices(search), notice=notice)

    return app
