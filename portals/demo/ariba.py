"""The Ariba-style flavour: user-name login, a home page with navigation, order cards, a
two-step invoice (form, then review and submit) and an outbox with Ariba's status words."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from portals.demo.common import Catalogue, FrontDoor, amount, day, flavour_app, submit_delay, today
from portals.demo.pages import ARIBA, ARIBA_STATUS
from portals.demo.state import PortalState, Rejected

COOKIE = "ariba_session"
BRAND = "SAP Business Network (demo)"
DOOR = FrontDoor(home="/home", path="/Authn/SignIn", page="signin.html", title="Login",
                 fields=("UserName", "Password"), expired_param="timeout",
                 refusal="The user name or password is incorrect.")
CATALOGUE = Catalogue(orders="/inbox/orders", form_path="/invoice/create", form_page="create.html")


def create_app(state: PortalState, root: str = "") -> FastAPI:
    app, render, sessions = flavour_app(state, ARIBA, brand=BRAND, root=root, cookie=COOKIE,
                                        door=DOOR, catalogue=CATALOGUE)

    @app.get("/home")
    def home(request: Request) -> Response:
        return render("home.html", title="Home", user=sessions.signed_in(request))

    @app.post("/invoice/review")
    async def review(request: Request, po: str) -> Response:
        user = sessions.signed_in(request)
        form = await request.form()
        upload = form.get("AttachmentFile")
        content = await upload.read() if hasattr(upload, "read") else b""
        field = "SupplierInvoiceID" if render.form_changed() else "InvoiceNumber"
        payload = {"number": str(form.get(field, "")).strip(), "po": po,
                   "date": str(form.get("InvoiceDate", "")), "net": str(form.get("SubTotal", "")),
                   "tax": str(form.get("TaxAmount", "")), "currency": str(form.get("Currency", "")),
                   "attachment": getattr(upload, "filename", "") or ""}
        draft = state.save_draft(json.dumps(payload), content)
        return render("review.html", title="Review", user=user, draft=draft,
                      number=payload["number"], po=po, net=payload["net"], tax=payload["tax"],
                      gross=payload["net"], currency=payload["currency"])

    @app.post("/invoice/submit")
    async def submit(request: Request) -> Response:
        user = sessions.signed_in(request)
        form = await request.form()
        draft = state.draft(str(form.get("draft", "")))
        if draft is None:
            return render("home.html", status=404, title="Home", user=user)
        payload, content = json.loads(draft[0]), draft[1]
        try:
            invoice = state.submit_invoice(
                number=payload["number"], po_number=payload["po"],
                invoice_date=day(payload["date"]),
                net=amount(payload["net"], "Subtotal"), tax=amount(payload["tax"], "Tax"),
                currency=payload["currency"], attachment_name=payload["attachment"],
                attachment_size=len(content), today=today())
        except Rejected as error:
            order = state.purchase_order(payload["po"]) or state.purchase_orders()[0]
            return render("create.html", status=422, title="Create Invoice", user=user,
                          po=order, error=str(error))
        await submit_delay(state)
        return RedirectResponse(f"{root}/outbox?InvoiceNumber={invoice.number}&sent=1",
                                status_code=303)

    @app.get("/outbox")
    def outbox(request: Request, InvoiceNumber: str = "", sent: int = 0) -> Response:  # noqa: N803
        user = sessions.signed_in(request)
        notice = f"Invoice {InvoiceNumber} has been sent to the customer." if sent else None
        return render("outbox.html", title="Invoices", user=user, notice=notice,
                      invoices=state.invoices(InvoiceNumber), ariba_status=ARIBA_STATUS)

    return app
