from datetime import date
from decimal import Decimal

from sync.uploads.holds import PoBalance, hold_reason

TODAY = date(2026, 11, 23)
OPEN = PoBalance("4500000001", Decimal("1000.00"), "ZAR", True, date(2027, 1, 1))


def reason(**kwargs):
    args = {"po_number": "4500000001", "net": Decimal("500.00"), "currency": "ZAR", "po": OPEN,
            "portal": "demo-coupa", "today": TODAY, **kwargs}
    return hold_reason(**args)


def test_invoice_that_fits_its_po_is_not_held():
    assert reason() is None
    assert reason(net=Decimal("1000.00")) is None  # exactly the remaining balance fits


def test_each_reason_to_hold_is_named():
    assert "exceeds the remaining balance" in reason(net=Decimal("1000.01"))
    assert "no customer PO number" in reason(po_number=None)
    assert "not on demo-coupa" in reason(po=None)
    assert "closed" in reason(po=PoBalance("4500000001", Decimal("1"), "ZAR", False, None))
    assert "expired on 2026-11-22" in reason(
        po=PoBalance("4500000001", Decimal("9e9"), "ZAR", True, date(2026, 11, 22)))
    assert "currency differs from the PO's: invoice in USD, PO 4500000001 in ZAR" in \
        reason(currency="USD")
