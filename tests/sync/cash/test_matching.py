"""The matching engine, table-driven: one row per rule and edge case, with what a debtors
administrator expects to see (outcome, rule, items, on-account amount, residuals)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from config.cash import MatchingPolicy
from sync.cash.matching import Advice, AdviceLine, Item, Receipt, match, normalise

DAY = date(2026, 11, 2)


def item(doc: str, customer: str, amount: str, *, ref: str | None = None,
         assignment: str = "", currency: str = "ZAR", due: int = 1) -> Item:
    """An open invoice item whose billing document is ``ref`` (as SAP writes it, ten digits)."""
    posted = date(2026, 9, due)
    return Item(company_code="1000", customer=customer, document=doc, fiscal_year=2026,
                line=1, amount=D(amount), currency=currency, posting_date=posted,
                document_date=posted, due_date=date(2026, 10, due), reference=None,
                assignment=assignment or None, doc_type="RV",
                billing_document=(ref or f"9{doc[-7:]}").zfill(10))


BOOK = [
    item("1400000001", "C1", "1000.00", ref="90000001", assignment="PO-1"),
    item("1400000002", "C1", "2500.00", ref="90000002", assignment="PO-1", due=2),
    item("1400000003", "C2", "700.00", ref="90000003", due=3),
    item("1400000004", "C2", "300.00", ref="90000004", due=4),
    item("1400000005", "C3", "1150.00", ref="90000005"),
    item("1400000006", "C3", "1150.00", ref="90000006", due=5),
    item("1400000007", "C4", "400.00", ref="90000007", currency="USD"),
]
NAMES = {"C1": "Karoo Mining (Pty) Ltd", "C2": "Vaal Foods Ltd", "C3": "Boland Steel Ltd",
         "C4": "Kalahari Water Ltd"}


def receipt(amount: str, reference: str = "", narrative: str = "", payer: str = "",
            account: str = "", currency: str = "ZAR", rid: int = 1) -> Receipt:
    return Receipt(id=rid, amount=D(amount), currency=currency, booking_date=DAY,
                   reference=reference, narrative=narrative, payer_name=payer,
                   payer_account=account)


ADVICE_VAAL = Advice(id=7, payer="Vaal Foods", payment_reference="VF-NOV-01", currency="ZAR",
                     lines=(AdviceLine("90000003", D("700.00")),
                            AdviceLine("90000004", D("250.00"), D("50.00"), "damaged")))

CASES = [
    # id, receipt, advices, policy, outcome, rule, items applied, on account, residuals
    ("remittance, one receipt pays two invoices, short with deduction",
     receipt("950.00", "VF-NOV-01"), [ADVICE_VAAL], None, "auto", "remittance",
     ["1400000003", "1400000004"], "0.00", ["0.00", "50.00"]),
    ("remittance found through the narrative",
     receipt("950.00", "", "PAYMENT VF NOV 01 / VF-NOV-01"), [ADVICE_VAAL], None, "auto",
     "remittance", ["1400000003", "1400000004"], "0.00", ["0.00", "50.00"]),
    ("remittance total differs from the receipt: not this advice",
     receipt("940.00", "VF-NOV-01"), [ADVICE_VAAL], None, "unallocated", "none", [], "0.00",
     []),
    ("reference with leading zeros and spaces",
     receipt("1000.00", "00 9000 0001"), [], None, "auto", "reference", ["1400000001"],
     "0.00", ["0.00"]),
    ("reference with an INV prefix and punctuation",
     receipt("1000.00", "INV-90000001."), [], None, "auto", "reference", ["1400000001"],
     "0.00", ["0.00"]),
    ("partial payment by reference leaves a residual item",
     receipt("400.00", "90000002"), [], None, "auto", "reference", ["1400000002"], "0.00",
     ["2100.00"]),
    ("partial payment is a proposal when the policy says so",
     receipt("400.00", "90000002"), [], MatchingPolicy(auto_partial=False), "proposed",
     "reference", ["1400000002"], "0.00", ["2100.00"]),
    ("overpayment: the excess goes on account",
     receipt("1200.00", "90000001"), [], None, "auto", "reference", ["1400000001"], "200.00",
     ["0.00"]),
    ("a shared PO number is not an unambiguous reference",
     receipt("3500.00", "PO-1", payer="Nobody Known"), [], None, "unallocated", "none", [],
     "0.00", []),
    ("invoice numbers in the narrative that reconcile",
     receipt("1000.00", "", "EFT 90000003 AND 90000004"), [], None, "auto", "narrative",
     ["1400000003", "1400000004"], "0.00", ["0.00", "0.00"]),
    ("invoice numbers in the narrative that do not reconcile: a proposal",
     receipt("900.00", "", "EFT 90000003 AND 90000004"), [], None, "proposed", "narrative",
     ["1400000003", "1400000004"], "0.00", ["0.00", "100.00"]),
    ("another currency never matches",
     receipt("400.00", "90000007"), [], None, "unallocated", "none", [], "0.00", []),
    ("payer by name: a proposal, never automatic",
     receipt("1150.00", "", "MONTHLY PAYMENT", payer="BOLAND STEEL"), [], None, "proposed",
     "payer", ["1400000005"], "0.00", ["0.00"]),
    ("payer by learned bank account: a proposal",
     receipt("300.00", "", "THANK YOU", account="62-0000-99999"), [], None, "proposed",
     "payer", ["1400000004"], "0.00", ["0.00"]),
    ("payer by name may be automatic only if the policy allows it",
     receipt("1150.00", "", "", payer="Boland Steel (Pty) Ltd"), [],
     MatchingPolicy(auto_rules=["remittance", "reference", "narrative", "payer"]), "auto",
     "payer", ["1400000005"], "0.00", ["0.00"]),
    ("unknown payer stays unallocated",
     receipt("123.45", "", "CASH DEPOSIT", payer="J Smith"), [], None, "unallocated", "none",
     [], "0.00", []),
    ("receipts above the automatic limit are proposals",
     receipt("1000.00", "90000001"), [], MatchingPolicy(max_auto_amount=D("500")), "proposed",
     "reference", ["1400000001"], "0.00", ["0.00"]),
]


@pytest.mark.parametrize("name,rec,advices,policy,outcome,rule,docs,on_account,residuals",
                         CASES, ids=[c[0] for c in CASES])
def test_matching_rules(name, rec, advices, policy, outcome, rule, docs, on_account,  # type: ignore[no-untyped-def]
                        residuals) -> None:
    [decision] = match([rec], BOOK, advices, policy=policy,
                       accounts={"62000099999": "C2"}, names=NAMES)
    assert (decision.outcome, decision.rule) == (outcome, rule)
    assert [a.document for a in decision.applications] == docs
    assert decision.on_account == D(on_account)
    assert [str(a.residual) for a in decision.applications] == residuals
    assert decision.evidence  # always explainable


def test_an_item_is_never_allocated_twice_in_one_run() -> None:
    decisions = match([receipt("1000.00", "90000001", rid=1),
                       receipt("1000.00", "90000001", rid=2)], BOOK)
    assert [d.outcome for d in decisions] == ["auto", "unallocated"]


def test_an_advice_is_used_once() -> None:
    decisions = match([receipt("950.00", "VF-NOV-01", rid=1),
                       receipt("950.00", "VF-NOV-01", rid=2)], BOOK, [ADVICE_VAAL])
    assert [d.rule for d in decisions] == ["remittance", "none"]


def test_the_advice_delivered_with_the_receipt_wins() -> None:
    bound = Advice(id=9, payer="x", payment_reference="E2E", currency="ZAR",
                   lines=(AdviceLine("90000005", D("1150.00")),), receipt_id=5)
    [decision] = match([receipt("1150.00", "E2E", rid=5)], BOOK, [bound])
    assert decision.rule == "remittance" and decision.applications[0].document == "1400000005"


def test_normalise() -> None:
    assert normalise(" inv 0090-000.001 ") == "90000001"
    assert normalise("PO-1") == "PO1"


def test_unallocated_hint_names_a_resembling_customer_and_exact_invoice() -> None:
    from connectors.cash import _hints
    from sync.cash.matching import NameIndex

    names = NameIndex(NAMES)
    receipt = {"payer_name": "KAROO MINNG", "amount": D("2500.00"), "currency": "ZAR"}
    [hint] = _hints(receipt, names, {"C1": BOOK[:2]})
    assert hint["customer"] == "C1" and hint["invoices"] == ["90000002"]
    assert _hints({"payer_name": "Q", "amount": D("1"), "currency": "ZAR"}, names, {}) == []
