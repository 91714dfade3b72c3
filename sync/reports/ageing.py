"""The age analysis (pure): per customer, company code and currency, the open items as at a
date summed into age buckets; totals per currency (never across currencies); customers whose
balance is a credit listed apart with the causes found in their items.

Credit items (credit memos, payments on account, residuals) sit in their buckets and count in
every total, as SAP's own age analysis (S_ALR_87012178) does.

The items aged are :mod:`receivables.items`' records, the very ones the SAP port returns: an
``OpenItem`` still open today, a ``ClearedItem`` cleared since, each saying whether it was
open at a date. The book once kept a copy of the item's fields here; one definition beneath
``sap`` and ``sync`` keeps the two from drifting apart (``sync`` may not import ``sap``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from receivables.items import OpenItem
from sync.reports.buckets import Basis, bucket_names, bucket_of, days_past

ZERO = Decimal("0")
PAYMENT_TYPES = frozenset({"DZ", "ZP"})  # incoming payments
CREDIT_MEMO_TYPES = frozenset({"DG", "G2"})  # customer credit memos (FI, SD)


@dataclass(slots=True)
class Line:
    customer: str
    name: str
    company_code: str
    currency: str
    buckets: dict[str, Decimal]
    commentary: str | None = None

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.buckets.items() if k != "current"), ZERO)


@dataclass(frozen=True, slots=True)
class CreditBalance:
    customer: str
    name: str
    company_code: str
    currency: str
    amount: Decimal
    causes: tuple[str, ...]


@dataclass(slots=True)
class Ageing:
    as_of: date
    basis: Basis
    buckets: list[str]
    lines: list[Line]
    credit_balances: list[CreditBalance] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """Per currency: each bucket and ``total`` (credits included)."""
        out: dict[str, dict[str, Decimal]] = {}
        for line in self.lines:
            sums = out.setdefault(line.currency, {b: ZERO for b in self.buckets} | {"total": ZERO})
            for name, amount in line.buckets.items():
                sums[name] += amount
            sums["total"] += line.total
        return dict(sorted(out.items()))

    def overdue(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            out[line.currency] += line.overdue
        return dict(sorted(out.items()))

    def as_json(self) -> dict[str, Any]:
        """The contract of ``arbridge report ageing --json``: amounts as decimal strings."""
        return {
            "as_of": self.as_of.isoformat(), "basis": self.basis, "buckets": self.buckets,
            "customers": [{"customer": ln.customer, "name": ln.name,
                           "company_code": ln.company_code, "currency": ln.currency,
                           "buckets": {k: money_text(v, ln.currency)
                                       for k, v in ln.buckets.items()},
                           "total": money_text(ln.total, ln.currency),
                           "commentary": ln.commentary}
                          for ln in self.lines],
            "totals": {ccy: {k: money_text(v, ccy) for k, v in sums.items()}
                       for ccy, sums in self.totals().items()},
            "credit_balances": [{"customer": c.customer, "name": c.name,
                                 "company_code": c.company_code, "currency": c.currency,
                                 "amount": money_text(c.amount, c.currency),
                                 "causes": list(c.causes)}
                                for c in self.credit_balances],
        }


DECIMALS = {"JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3}


def money_text(amount: Decimal, currency: str) -> str:
    """An amount as a decimal string with its currency's places (JPY none, KWD three)."""
    return f"{amount:.{DECIMALS.get(currency, 2)}f}"


Key = tuple[str, str, str]  # company code, customer, currency


def age_items(items: Iterable[OpenItem], as_of: date, *, basis: Basis = "due",
              edges: tuple[int, ...] = (30, 60, 90, 120)) -> dict[Key, dict[str, Decimal]]:
    """Bucket sums per (company code, customer, currency) of the items open at ``as_of``:
    the reference implementation the store's SQL is checked against."""
    names = bucket_names(edges)
    out: dict[Key, dict[str, Decimal]] = {}
    for item in items:
        if not item.open_at(as_of):
            continue
        key = (item.company_code, item.customer, item.currency)
        sums = out.setdefault(key, {n: ZERO for n in names})
        days = days_past(as_of, item.due_date, item.document_date, basis)
        sums[bucket_of(days, edges)] += item.amount
    return out


def assemble(sums: Mapping[Key, Mapping[str, Decimal]], *, as_of: date, basis: Basis,
             edges: tuple[int, ...], names: Mapping[tuple[str, str], str],
             commentary: Mapping[tuple[str, str], str],
             causes: Mapping[Key, tuple[str, ...]]) -> Ageing:
    """The report from bucket sums: lines ordered by customer, credit balances apart."""
    buckets = bucket_names(edges)
    order = tuple(buckets)
    name_of, comment_of = names.get, commentary.get
    lines = [Line(customer, name_of((company_code, customer), ""), company_code, currency,
                  # the store's sums come in bucket order already: used as they are
                  sums_ if type(sums_) is dict and tuple(sums_) == order
                  else {b: sums_.get(b, ZERO) for b in buckets},
                  comment_of((company_code, customer)))
             for (company_code, customer, currency), sums_ in sorted(sums.items())]
    credits = [CreditBalance(customer=ln.customer, name=ln.name, company_code=ln.company_code,
                             currency=ln.currency, amount=ln.total,
                             causes=causes.get((ln.company_code, ln.customer, ln.currency), ()))
               for ln in lines if ln.total < 0]
    return Ageing(as_of=as_of, basis=basis, buckets=buckets, lines=lines,
                  credit_balances=credits)


def credit_causes(items: Iterable[OpenItem], *, allocated_twice: bool = False) -> tuple[str, ...]:
    """Why a customer's balance (in one currency) is a credit, from its open items: payments
    on account or overpayments, credit memos not yet applied, a payment that looks like
    another (same amount and reference), a receipt arbridge allocated twice."""
    causes: list[str] = []
    credits = [i for i in items if i.amount < 0]
    payments = [i for i in credits if i.doc_type in PAYMENT_TYPES]
    if payments:
        causes.append("payment on account or overpayment")
    if any(i.doc_type in CREDIT_MEMO_TYPES for i in credits):
        causes.append("unapplied credit memo")
    seen: set[tuple[Decimal, str]] = set()
    for pay in payments:
        mark = (pay.amount, (pay.reference or "").strip().upper())
        if mark[1] and mark in seen:
            causes.append("possible duplicate payment")
            break
        seen.add(mark)
    if allocated_twice:
        causes.append("receipt allocated twice")
    if not causes and credits:
        causes.append("other credit items")
    return tuple(causes)
