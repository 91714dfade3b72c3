"""Driver for the Coupa-style demo portal (email + password, optional TOTP; PO flip)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyotp
from playwright.async_api import Page

from portals.driver import (
    InvoiceSubmission,
    PortalInvoice,
    PortalPurchaseOrder,
    SubmitResult,
)
from portals.drivers.base import PageDriver, money
from portals.errors import PortalLoginFailed

STATES = {"Pending Approval": "submitted", "Approved": "approved", "Disputed": "disputed",
          "Paid": "paid", "Rejected": "rejected"}
ROWS_JS = """rows => rows.map(r => Object.fromEntries(
    [...r.querySelectorAll('td[class]')].map(td => [td.className, td.textContent.trim()])))"""


class CoupaDemoDriver(PageDriver):
    kind = "demo-coupa"

    def is_login_page(self, url: str) -> bool:
        path = url.split("?")[0]
        return path.endswith("/login") or path.endswith("/two_factor")

    async def login(self) -> None:
        page = await self.goto("/login", expect_login=True)
        await (await self.find(page.locator('input[name="user[login]"]'), "email field")).fill(
            self.user)
        await (await self.find(page.locator('input[name="user[password]"]'),
                               "password field")).fill(self.password)
        await (await self.find(page.get_by_role("button", name="Sign In"), "Sign In")).click()
        await page.wait_for_load_state("domcontentloaded")
        if page.url.split("?")[0].endswith("/two_factor"):
            if not self.totp_secret:
                raise PortalLoginFailed(f"{self.kind} asks {self.user} for a verification code "
                                        "but no TOTP secret is configured")
            try:
                code = pyotp.TOTP(self.totp_secret).now()
            except (ValueError, TypeError) as exc:
                raise PortalLoginFailed(f"{self.kind}: the TOTP secret for {self.user} is not a "
                                        "valid base32 seed") from exc
            await (await self.find(page.locator('input[name="otp_code"]'), "code field")).fill(
                code)
            await (await self.find(page.get_by_role("button", name="Verify"), "Verify")).click()
        await self.logged_in(page, ".flash-error")

    async def purchase_orders(self) -> list[PortalPurchaseOrder]:
        async def read() -> list[PortalPurchaseOrder]:
            page = await self.goto("/orders")
            await self.find(page.locator("table#orders"), "Orders table")
            rows = await page.locator("table#orders tbody tr").evaluate_all(ROWS_JS)
            return [PortalPurchaseOrder(
                number=r["po-number"], total=money(r["po-total"], "PO total"),
                invoiced=money(r["po-invoiced"], "PO invoiced"), currency=r["po-currency"],
                open=r["po-status"] == "Open", valid_to=date.fromisoformat(r["po-valid-to"]))
                for r in rows]
        return await self.with_session(read)

    async def find_invoice(self, number: str) -> PortalInvoice | None:
        async def read() -> PortalInvoice | None:
            page = await self.goto(f"/invoices?search={self.segment(number)}")
            return await self._listed(page, number)
        return await self.with_session(read)

    async def _listed(self, page: Page, number: str) -> PortalInvoice | None:
        await self.find(page.locator("table#invoices"), "Invoices table")
        rows = await page.locator("table#invoices tbody tr").evaluate_all(
            """rows => rows.map(r => [...r.querySelectorAll('td')].map(
                   td => td.textContent.trim()))""")
        for cells in rows:
            if cells[0] == number:
                return PortalInvoice(number=cells[0], po_number=cells[1],
                                     gross=money(cells[2], "invoice total"),
                                     state=STATES.get(cells[3], "submitted"),  # type: ignore[arg-type]
                                     reason=cells[4])
        return None

    async def fill_and_send(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult:
        page = await self.goto(f"/orders/{self.segment(invoice.po_number)}/invoices/new")
        fields = {"invoice_number": invoice.number,
                  "invoice_date": invoice.invoice_date.isoformat(),
                  "line_description": invoice.description, "line_amount": f"{invoice.net:.2f}",
                  "tax_amount": f"{invoice.tax:.2f}", "currency": invoice.currency}
        for name, value in fields.items():
            await (await self.find(page.locator(f'input[name="{name}"]'),
                                   f"invoice form field {name!r}")).fill(value)
        await (await self.find(page.locator('input[name="attachment"]'),
                               "attachment field")).set_input_files(str(pdf))
        button = await self.find(page.get_by_role("button", name="Submit", exact=True),
                                 "Submit button")
        found = await self.send(page, button, invoice, post_path="/invoices",
                                error_selector=".flash-error", listed=self._listed)
        return SubmitResult(found, f"Invoice {invoice.number} submitted for approval")
