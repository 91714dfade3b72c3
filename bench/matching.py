"""Benchmark and accuracy harness for the matching engine over a labelled synthetic month.

Generates N open items for C customers and R receipts, each labelled with the items it really
pays, in the mix a debtors team sees: most receipts backed by a remittance advice (several
invoices, short payments with deductions, overpayments), some with the invoice as reference
(with leading zeros, spaces or an INV prefix), some with invoice numbers only in the
narrative, some paying by name only, some unknown. Prints the share allocated automatically,
the share allocated wrongly (automatic decisions whose items differ from the label), and the
run time of the matcher.

    python bench/matching.py                       # 20,000 receipts vs 200,000 open items
    python bench/matching.py --receipts 2000 --items 20000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.cash.matching import Advice, AdviceLine, Item, Receipt, match  # noqa: E402

CENT = Decimal("0.01")
MIX = [("remittance", 0.70), ("reference", 0.12), ("narrative", 0.06), ("name", 0.07),
       ("unknown", 0.05)]


def generate(receipts: int, items: int, customers: int, seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    names = {f"{100000 + c:010d}": f"Customer {c} {rng.choice(['Mining', 'Foods', 'Steel'])} "
             f"(Pty) Ltd" for c in range(customers)}
    customer_ids = list(names)
    book: list[Item] = []
    for n in range(items):
        customer = customer_ids[n % customers]
        number = f"{90_000_001 + n:010d}"
        amount = Decimal(rng.randint(10_000, 5_000_000)) / 100
        due = date(2026, 10, 1) + timedelta(days=n % 60)
        book.append(Item(company_code="1000", customer=customer,
                         document=str(1_400_000_001 + n), fiscal_year=2026, line=1,
                         amount=amount, currency="ZAR", posting_date=due - timedelta(days=30),
                         document_date=due - timedelta(days=30), due_date=due, reference=None,
                         assignment=f"PO-{customer[-4:]}", doc_type="RV",
                         billing_document=number))
    by_customer: dict[str, list[Item]] = {}
    for item in book:
        by_customer.setdefault(item.customer, []).append(item)
    free = {c: list(v) for c, v in by_customer.items()}
    out_receipts, advices, truth = [], [], {}
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    for rid in range(1, receipts + 1):
        kind = rng.choices(kinds, weights)[0]
        customer = rng.choice(customer_ids)
        pool = free[customer]
        if len(pool) < 4:
            kind = "unknown"
        take = [pool.pop(rng.randrange(len(pool))) for _ in range(
            rng.randint(1, 3) if kind in ("remittance", "narrative") else 1)] \
            if kind != "unknown" else []
        amount = sum((i.amount for i in take), Decimal("0.00"))
        reference, narrative, payer = "", "", ""
        if kind == "remittance":
            lines = []
            for i in take:
                style = rng.random()
                if style < 0.15:  # short payment with a deduction
                    deduction = (i.amount * Decimal("0.05")).quantize(CENT)
                    lines.append(AdviceLine(i.invoice, i.amount - deduction, deduction,
                                            "damaged goods"))
                else:
                    lines.append(AdviceLine(i.invoice, i.amount))
            if rng.random() < 0.05:  # overpayment
                lines[-1] = AdviceLine(lines[-1].invoice_ref, lines[-1].paid + 100,
                                       lines[-1].deduction, lines[-1].reason)
            amount = sum((x.paid for x in lines), Decimal("0.00"))
            reference = f"RA-{rid:07d}"
            advices.append(Advice(id=rid, payer=names[customer], payment_reference=reference,
                                  currency="ZAR", lines=tuple(lines)))
        elif kind == "reference":
            invoice = take[0].invoice
            reference = rng.choice([invoice, invoice.zfill(10), f"INV {invoice}",
                                    f"{invoice[:4]} {invoice[4:]}"])
        elif kind == "narrative":
            narrative = "EFT " + " ".join(i.invoice for i in take)
        elif kind == "name":
            payer = names[customer].upper().replace("(PTY) LTD", "")
            narrative = "MONTHLY PAYMENT"
        else:
            amount = Decimal(rng.randint(1000, 100000)) / 100
            payer, narrative = f"J Smith {rid}", "DEPOSIT"
        truth[rid] = (kind, {i.key for i in take})
        out_receipts.append(Receipt(id=rid, amount=amount, currency="ZAR",
                                    booking_date=date(2026, 11, 1) + timedelta(days=rid % 28),
                                    reference=reference, narrative=narrative,
                                    payer_name=payer))
    return out_receipts, book, advices, names, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=20_000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    receipts, book, advices, names, truth = generate(args.receipts, args.items,
                                                     args.customers, args.seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    decisions = match(receipts, book, advices, names=names)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    auto = [d for d in decisions if d.outcome == "auto"]
    wrong = [d for d in auto if {a.item for a in d.applications} != truth[d.receipt_id][1]]
    backed = [d for d in decisions if truth[d.receipt_id][0] == "remittance"]
    backed_auto = [d for d in backed if d.outcome == "auto"]
    proposed = sum(d.outcome == "proposed" for d in decisions)
    print(f"receipts {len(receipts):,}, open items {len(book):,}, advices {len(advices):,}")
    print(f"automatic: {len(auto) / len(decisions):.1%} of all receipts; "
          f"{len(backed_auto) / max(len(backed), 1):.1%} of remittance-backed receipts "
          "(target >= 90%)")
    print(f"wrong automatic allocations: {len(wrong)} ({len(wrong) / max(len(auto), 1):.2%}; "
          "target 0)")
    print(f"proposals for a person: {proposed:,}; unallocated: "
          f"{sum(d.outcome == 'unallocated' for d in decisions):,}")
    print(f"matching time: {seconds:.2f} s wall, {cpu:.2f} s CPU (target < 10 s; the CPU "
          "time is the steadier figure on a busy machine)")


if __name__ == "__main__":
    main()
