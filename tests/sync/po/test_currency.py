"""A PO's figures are in its own currency: an invoice in another currency is held with its own
reason, counted apart, never added to the PO's pending, never an "exhausted" alert, and the
dashboard and the alert e-mail tell it from a PO that ran dry (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from config.po_alerts import PoAlertSettings
from sync.po import alerts, messages
from sync.po import ledger as po_ledger
from sync.po.evaluation import run_rules
from sync.po.ledger import PoRead
from sync.po.view import enrich
from sync.uploads import view as uploads_view
from sync.uploads.holds import PoBalance, hold_reason
from tests.sync.po.po_fixtures import NOW, customer, document, queue, set_state

D = Decimal
PO = "4538420432"


def _read_usd(conn, total: str = "10000.00", invoiced: str = "0") -> None:
    po_ledger.record_read(conn, "demo-coupa", [PoRead(PO, D(total), D(invoiced), "USD")],
                          now=NOW)


def _held_in_zar(conn, number: int, net: str) -> str:
    doc = document(conn, number, PO, net, NOW.date(), currency="ZAR")
    queue(conn)
    reason = hold_reason(po_number=PO, net=D(net), currency="ZAR", portal="demo-coupa",
                         po=PoBalance(PO, D("10000.00"), "USD", True, None), today=NOW.date())
    set_state(conn, doc, "held", reason=reason)
    return doc


def test_po_pending_adds_only_invoices_in_its_own_currency(store):
    with store.engine.begin() as conn:
        customer(conn)
        document(conn, 90000001, PO, "1000.00", NOW.date(), currency="USD")
        _held_in_zar(conn, 90000002, "175582.98")
        _read_usd(conn)
        [row] = po_ledger.rows(conn)
        assert (row["pending"], row["remaining"], row["currency"]) == (
            D("1000.00"), D("10000.00"), "USD")
        enrich(conn, [row], NOW.date())
    # the ZAR invoice is counted apart, in its own currency
    assert row["other_currency"] == {"ZAR": [1, D("175582.98")]}
    assert sum(n for n, _ in row["waiting"].values()) == 1


def test_invoice_in_another_currency_is_held_as_such_and_never_exhausts_the_po(store):
    with store.engine.begin() as conn:
        customer(conn)
        doc = _held_in_zar(conn, 90000001, "966.32")
        _read_usd(conn)
        run_rules(conn, PoAlertSettings(recipients=["outbox"]), now=NOW)
        found = alerts.listing(conn)
        held = uploads_view.one(conn, doc)
    assert held["reason"] == ("currency differs from the PO's: invoice in ZAR, PO "
                              f"{PO} in USD")
    assert [(a["rule"], a["level"]) for a in found] == [("currency", "critical")]
    [alert] = found
    assert "currency differs from the PO's" in alert["summary"]
    body = messages.body(alert)
    assert "EXHAUSTED" not in body and "new PO (or a top-up" not in body
    assert "a new PO or a top-up will not release them" in body
    assert "966.32 ZAR" in body and "966.32 USD" not in body
    assert "Remaining balance: 10,000.00 USD of 10,000.00 USD" in body


def test_dashboard_why_held_tells_a_currency_mismatch_from_a_po_that_ran_dry(store):
    with store.engine.begin() as conn:
        customer(conn)
        dry = [document(conn, 90000010 + i, f"45000000{i}", "5000.00", NOW.date())
               for i in range(2)]
        queue(conn)
        for i, doc in enumerate(dry):
            set_state(conn, doc, "held", reason=hold_reason(
                po_number=f"45000000{i}", net=D("5000.00"), currency="ZAR",
                portal="demo-coupa", today=NOW.date(),
                po=PoBalance(f"45000000{i}", D(f"{10 * i + 1}.00"), "ZAR", True, None)))
        _held_in_zar(conn, 90000001, "966.32")
        groups = uploads_view.attention(conn).held_by_reason
    assert [(reason.split(":")[0], n) for reason, n in groups] == [
        ("the PO ran dry", 2), ("currency differs from the PO's", 1)]
