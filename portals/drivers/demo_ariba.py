"""Driver for the Ariba-style demo portal (user name login, order cards, two-step invoice)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.async_api import Page

from portals.driver import (
    InvoiceSubmission,
    PortalInvoice,
    PortalPurchaseOrder,
    SubmitResult,
)
from portals.drivers.base import PageDriver, SessionExpired, money
from portals.errors import PortalRejected

STATES = {"Sent": "submitted", "Approved": "approved", "On Hold": "disputed", "Paid": "paid",
          "Rejected": "rejected"}
CARDS_JS = """cards => cards.map(c => Object.fromEntries(
    [...c.querySelectorAll('span[class]')].map(s => [s.className, s.textContent.trim()])))"""


class AribaDemoDriver(PageDriver):
    kind = "demo-ariba"

    def is_login_page(self, url: str) -> bool:
        return "/Authn/SignIn" in url

    async def login(self) -> None:
        page = await self.goto("/Authn/SignIn", expect_login=True)
        await (await self.find(page.get_by_label("User Name"), "User Name field")).fill(self.user)
        await (await self.find(page.get_by_label("Password"), "Password field")).fill(
            self.password)
        await (await self.find(page.get_by_role("button", name="Login"), "Login button")).click()
        await self.logged_in(page, ".errorBox")

    async def purchase_orders(self) -> list[PortalPurchaseOrder]:
        async def read() -> list[PortalPurchaseOrder]:
            page = await self.goto("/home")
            await (await self.find(page.get_by_role("link", name="Orders and Releases"),
                                   "Orders and Releases link")).click()
            await page.wait_for_load_state("domcontentloaded")
            if self.is_login_page(page.url):
                raise SessionExpired("orders")
            await self.find(page.locator("#order-list"), "order list", visible=False)
            cards = await page.locator("#order-list .po-card").evaluate_all(CARDS_JS)
            orders = []
            for card in cards:
                currency, _, total = card["amount"].partition(" ")
                orders.append(PortalPurchaseOrder(
                    number=card["order-number"], total=money(total, "order amount"),
                    invoiced=money(card["amount-invoiced"], "amount invoiced"),
                    currency=currency, open=card["order-status"] == "Open",
                    valid_to=date.fromisoformat(card["valid-until"])))
            return orders
        return await self.with_session(read)

    async def find_invoice(self, number: str) -> PortalInvoice | None:
        async def read() -> PortalInvoice | None:
            page = await self.goto(f"/outbox?InvoiceNumber={self.segment(number)}")
            return await self._listed(page, number)
        return await self.with_session(read)

    async def _listed(self, page: Page, number: str) -> PortalInvoice | None:
        await self.find(page.locator("#outbox"), "invoice outbox", visible=False)
        rows = await page.locator("#outbox .invoice-row").evaluate_all(CARDS_JS)
        for row in rows:
            if row["inv-no"] == number:
                return PortalInvoice(number=number, po_number=row["inv-order"],
                                     gross=money(row["inv-total"], "invoice total"),
                                     state=STATES.get(row["inv-status"], "submitted"),  # type: ignore[arg-type]
                                     reason=row.get("inv-comment", ""))
        return None

    async def fill_and_send(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult:
        page = await self.goto(f"/invoice/create?po={self.segment(invoice.po_number)}")
        fields = {"InvoiceNumber": invoice.number, "InvoiceDate": invoice.invoice_date.isoformat(),
                  "SubTotal": f"{invoice.net:.2f}", "TaxAmount": f"{invoice.tax:.2f}"}
        for name, value in fields.items():
            await (await self.find(page.locator(f'input[name="{name}"]'),
                                   f"invoice field {name!r}")).fill(value)
        currencies = await self.find(page.locator('select[name="Currency"]'), "Currency list")
        offered = [o.strip() for o in await currencies.locator("option").all_inner_texts()]
        if invoice.currency not in offered:  # select_option would wait out the timeout
            raise PortalRejected(f"{self.kind} does not offer currency {invoice.currency} on "
                                 f"its invoice form (it offers {', '.join(offered)}): submit "
                                 f"invoice {invoice.number} another way or ask the client")
        await currencies.select_option(invoice.currency)
        await (await self.find(page.locator('input[name="AttachmentFile"]'),
                               "attachment field")).set_input_files(str(pdf))
        await (await self.find(page.get_by_role("button", name="Next"), "Next button")).click()
        await page.wait_for_load_state("domcontentloaded")
        if self.is_login_page(page.url):
            raise SessionExpired("review")
        button = await self.find(page.get_by_role("button", name="Submit"), "Submit button")
        found = await self.send(page, button, invoice, post_path="/invoice/submit",
                                error_selector=".errorBox", listed=self._listed)
        return SubmitResult(found, f"Invoice {invoice.number} has been sent to the customer")
