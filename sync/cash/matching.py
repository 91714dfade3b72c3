"""The matching engine: receipts against open items, pure and explainable.

Rules, in order (the first that decides wins):

1. ``remittance``: a remittance advice whose payment reference is the receipt's (or in its
   narrative, or the bank delivered it with the receipt) and whose total is the receipt's
   amount; each advice line names an invoice.
2. ``reference``: the receipt's reference equals an invoice's number or reference after
   normalising spaces, punctuation and leading zeros, and only one open item has it.
3. ``narrative``: invoice numbers found in the narrative, each naming exactly one open item
   of one customer, whose amounts add up to the receipt.
4. ``payer``: the payer known only by bank account (learned from confirmed allocations) or
   by name (rapidfuzz): a proposal for a person, never automatic by default.
5. the rest stays unallocated.

Every decision carries its rule and the evidence that made it. Whether a decision is
automatic or a proposal is the policy's call (:class:`config.cash.MatchingPolicy`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from config.cash import MatchingPolicy
from receivables.items import OpenItem

Outcome = Literal["auto", "proposed", "unallocated"]
ZERO = Decimal("0.00")
_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_PREFIX = re.compile(r"^(?:INVOICE|INVNO|INV|IN|REF|NO|NR|RE)(?=\d)")
_TOKEN = re.compile(r"[A-Za-z]*[0-9][0-9A-Za-z\-/.]*")
MIN_TOKEN = 5


def normalise(text: str) -> str:
    """Upper case, no spaces or punctuation, no leading zeros, no 'INV' style prefix."""
    cleaned = _NON_ALNUM.sub("", text.upper())
    cleaned = _PREFIX.sub("", cleaned)
    return cleaned.lstrip("0")


@dataclass(frozen=True, slots=True)
class Receipt:
    id: int
    amount: Decimal
    currency: str
    booking_date: date
    reference: str = ""
    narrative: str = ""
    payer_name: str = ""
    payer_account: str = ""


class Item(OpenItem):
    """An open invoice (debit) item as the matcher reads it: the mirror's open item itself
    (:mod:`receivables.items`, not a copy of its fields), with what a payer may quote for it
    worked out from SAP's numbers here, where the matching rules are."""

    __slots__ = ()

    @property
    def refs(self) -> tuple[str, ...]:
        """The numbers a payer may quote: the billing document, the reference (XBLNR) and
        the assignment (ZUONR), those the item has."""
        return tuple(x for x in (self.billing_document, self.reference, self.assignment) if x)

    @property
    def invoice(self) -> str:
        """The invoice number as the customer knows it: the billing document without its
        leading zeros, else the reference, else the accounting document."""
        return (self.billing_document or "").lstrip("0") or (self.reference or self.document)


@dataclass(frozen=True, slots=True)
class AdviceLine:
    invoice_ref: str
    paid: Decimal
    deduction: Decimal = ZERO
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Advice:
    id: int
    payer: str
    payment_reference: str
    currency: str
    lines: tuple[AdviceLine, ...]
    receipt_id: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((x.paid for x in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class Application:
    """Part of a receipt applied to one open item. ``residual`` stays open in SAP as a new
    item (a partial or short payment); ``deduction`` and ``reason`` explain it."""

    item: str
    document: str
    fiscal_year: int
    line: int
    invoice: str
    open_amount: Decimal
    applied: Decimal
    deduction: Decimal = ZERO
    reason: str = ""

    @property
    def residual(self) -> Decimal:
        return self.open_amount - self.applied

    def as_json(self) -> dict[str, Any]:
        return {"item": self.item, "document": self.document, "fiscal_year": self.fiscal_year,
                "line": self.line, "invoice": self.invoice,
                "open_amount": str(self.open_amount), "applied": str(self.applied),
                "deduction": str(self.deduction), "reason": self.reason,
                "residual": str(self.residual)}


@dataclass(frozen=True, slots=True)
class Decision:
    receipt_id: int
    outcome: Outcome
    rule: str
    customer: str = ""
    company_code: str = ""
    currency: str = ""
    amount: Decimal = ZERO
    applications: tuple[Application, ...] = ()
    on_account: Decimal = ZERO
    evidence: dict[str, Any] = field(default_factory=dict)


class OpenBook:
    """Open items indexed by every normalised reference, consumed as receipts take them."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.items: dict[str, Item] = {}
        self.by_ref: dict[str, list[str]] = {}
        self.by_customer: dict[str, list[str]] = {}
        for item in items:
            if item.amount <= 0:
                continue  # credits (payments on account, credit notes) are not paid by receipts
            key = item.key
            self.items[key] = item
            for ref in {normalise(r) for r in item.refs}:
                if len(ref) >= 3:
                    self.by_ref.setdefault(ref, []).append(key)
            self.by_customer.setdefault(item.customer, []).append(key)
        self.used: set[str] = set()

    def find(self, ref: str, currency: str) -> list[Item]:
        keys = self.by_ref.get(normalise(ref), ())
        return [self.items[k] for k in keys if k not in self.used and
                self.items[k].currency == currency]

    def of_customer(self, customer: str, currency: str) -> list[Item]:
        items = [self.items[k] for k in self.by_customer.get(customer, ())
                 if k not in self.used and self.items[k].currency == currency]
        return sorted(items, key=lambda i: (i.due_date, i.document))

    def take(self, applications: Iterable[Application]) -> None:
        self.used.update(a.item for a in applications)


def _close(a: Decimal, b: Decimal, policy: MatchingPolicy) -> bool:
    return abs(a - b) <= policy.tolerance


def _decide(receipt: Receipt, rule: str, applications: list[Application], customer: Item,
            evidence: dict[str, Any], policy: MatchingPolicy, book: OpenBook,
            force_proposal: bool = False) -> Decision:
    applied = sum((a.applied for a in applications), ZERO)
    on_account = receipt.amount - applied
    partial = any(a.residual > 0 and not a.deduction for a in applications)
    auto = rule in policy.auto_rules and not force_proposal
    if partial and not policy.auto_partial:
        auto, evidence = False, {**evidence, "held": "partial payments need a person"}
    if on_account > 0 and not policy.auto_overpayment:
        auto, evidence = False, {**evidence, "held": "overpayments need a person"}
    if policy.max_auto_amount is not None and receipt.amount > policy.max_auto_amount:
        auto, evidence = False, {**evidence, "held": f"above {policy.max_auto_amount}"}
    book.take(applications)
    return Decision(receipt_id=receipt.id, outcome="auto" if auto else "proposed", rule=rule,
                    customer=customer.customer, company_code=customer.company_code,
                    currency=receipt.currency, amount=receipt.amount,
                    applications=tuple(applications), on_account=on_account,
                    evidence=evidence)


def _full(item: Item, applied: Decimal | None = None, deduction: Decimal = ZERO,
          reason: str = "") -> Application:
    return Application(item=item.key, document=item.document, fiscal_year=item.fiscal_year,
                       line=item.line, invoice=item.invoice,
                       open_amount=item.amount,
                       applied=item.amount if applied is None else applied,
                       deduction=deduction, reason=reason)


def by_remittance(receipt: Receipt, advices: list[Advice], book: OpenBook,
                  policy: MatchingPolicy) -> Decision | None:
    if not advices:
        return None
    fitting = [a for a in advices if a.currency == receipt.currency and
               _close(a.total, receipt.amount, policy)]
    if len(fitting) != 1:
        return None
    advice = fitting[0]
    applications: list[Application] = []
    customers: set[str] = set()
    first: Item | None = None
    for line in advice.lines:
        found = book.find(line.invoice_ref, receipt.currency)
        if len(found) != 1:
            return None  # an unknown or ambiguous line: not this rule's to decide
        item = found[0]
        first = first or item
        customers.add(item.customer)
        if line.paid <= 0 or line.deduction < 0:
            return None  # a credit or negative line: a person allocates it, never this rule
        applied = min(line.paid, item.amount)
        applications.append(_full(item, applied, line.deduction, line.reason))
    if first is None or len(customers) != 1 or len({a.item for a in applications}) != \
            len(applications):
        return None
    evidence = {"advice": advice.id, "payment_reference": advice.payment_reference,
                "payer": advice.payer, "lines": len(advice.lines),
                "matched_on": "remittance advice total equals the receipt"}
    return _decide(receipt, "remittance", applications, first, evidence, policy, book)


def by_reference(receipt: Receipt, book: OpenBook, policy: MatchingPolicy) -> Decision | None:
    if not receipt.reference or len(normalise(receipt.reference)) < MIN_TOKEN:
        return None
    found = book.find(receipt.reference, receipt.currency)
    if len(found) != 1:
        return None
    item = found[0]
    applied = min(receipt.amount, item.amount)
    evidence = {"reference": receipt.reference, "normalised": normalise(receipt.reference),
                "item": item.key, "matched_on": "reference equals the invoice's number"}
    return _decide(receipt, "reference", [_full(item, applied)], item, evidence, policy, book)


def by_narrative(receipt: Receipt, book: OpenBook, policy: MatchingPolicy) -> Decision | None:
    text = f"{receipt.reference} {receipt.narrative}"
    tokens = [t for t in _TOKEN.findall(text) if len(normalise(t)) >= MIN_TOKEN]
    items: dict[str, Item] = {}
    for token in tokens:
        found = book.find(token, receipt.currency)
        if len(found) > 1:
            return None  # a number that names several items is not unique
        if found:
            items[found[0].key] = found[0]
    if not items or len({i.customer for i in items.values()}) != 1:
        return None
    chosen = sorted(items.values(), key=lambda i: (i.due_date, i.document))
    total = sum((i.amount for i in chosen), ZERO)
    evidence = {"found": [i.invoice for i in chosen], "narrative": text.strip(),
                "matched_on": "invoice numbers in the narrative"}
    if not _close(total, receipt.amount, policy):
        evidence["held"] = f"invoices total {total}, receipt is {receipt.amount}"
        return _decide(receipt, "narrative", _fill(chosen, receipt.amount), chosen[0],
                       evidence, policy, book, force_proposal=True)
    return _decide(receipt, "narrative", [_full(i) for i in chosen], chosen[0], evidence,
                   policy, book)


def _fill(items: list[Item], amount: Decimal) -> list[Application]:
    """Apply ``amount`` to ``items`` oldest first; the last one may be partly paid."""
    result, left = [], amount
    for item in items:
        if left <= 0:
            break
        applied = min(left, item.amount)
        result.append(_full(item, applied))
        left -= applied
    return result


def by_payer(receipt: Receipt, book: OpenBook, policy: MatchingPolicy,
             accounts: dict[str, str], names: NameIndex | None) -> Decision | None:
    customer: str | None = None
    evidence: dict[str, Any] = {}
    account = _NON_ALNUM.sub("", receipt.payer_account.upper())
    if account and account in accounts:
        customer = accounts[account]
        evidence = {"payer_account": "***" + account[-4:], "matched_on": "bank account seen "
                    "on confirmed allocations"}
    elif receipt.payer_name and names is not None:
        found = names.best(receipt.payer_name, policy.name_score)
        if found:
            customer, score = found
            evidence = {"payer_name": receipt.payer_name, "score": round(score, 1),
                        "matched_on": "payer name resembles the customer's"}
    if customer is None:
        return None
    items = book.of_customer(customer, receipt.currency)
    if not items:
        return None
    exact = [i for i in items if _close(i.amount, receipt.amount, policy)]
    applications = [_full(exact[0])] if exact else _fill(items, receipt.amount)
    evidence["customer"] = customer
    return _decide(receipt, "payer", applications, items[0], evidence, policy, book,
                   force_proposal="payer" not in policy.auto_rules)


class NameIndex:
    """Customer names for rapidfuzz look-ups (normalised once)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.customers = list(names)
        self.choices = [_clean_name(n) for n in names.values()]

    def best(self, name: str, cutoff: float) -> tuple[str, float] | None:
        from rapidfuzz import fuzz, process

        found = process.extractOne(_clean_name(name), self.choices, scorer=fuzz.token_sort_ratio,
                                   score_cutoff=cutoff)
        if found is None:
            return None
        return self.customers[found[2]], float(found[1])


_LEGAL = re.compile(r"\b(PTY|LTD|LIMITED|HOLDINGS|GROUP|SOC|CC|INC|THE)\b")


def _clean_name(name: str) -> str:
    return " ".join(_LEGAL.sub(" ", re.sub(r"[^A-Z0-9 ]", " ", name.upper())).split())


def match(receipts: Iterable[Receipt], items: Iterable[Item], advices: Iterable[Advice] = (),
          *, policy: MatchingPolicy | None = None, accounts: dict[str, str] | None = None,
          names: dict[str, str] | None = None) -> list[Decision]:
    """One decision per receipt, in the order given (oldest first is fairest)."""
    policy = policy or MatchingPolicy()
    book = OpenBook(items)
    by_receipt: dict[int, list[Advice]] = {}
    by_ref: dict[str, list[Advice]] = {}
    for advice in advices:
        if advice.receipt_id is not None:
            by_receipt.setdefault(advice.receipt_id, []).append(advice)
        ref = normalise(advice.payment_reference)
        if ref:
            by_ref.setdefault(ref, []).append(advice)
    used_advices: set[int] = set()
    name_index = NameIndex(names) if names else None
    accounts = {_NON_ALNUM.sub("", k.upper()): v for k, v in (accounts or {}).items()}
    decisions = []
    for receipt in receipts:
        candidates = by_receipt.get(receipt.id) or _advices_for(receipt, by_ref)
        candidates = list({a.id: a for a in candidates if a.id not in used_advices}.values())
        decision = (by_remittance(receipt, candidates, book, policy)
                    or by_reference(receipt, book, policy)
                    or by_narrative(receipt, book, policy)
                    or by_payer(receipt, book, policy, accounts, name_index))
        if decision is None:
            decision = Decision(receipt_id=receipt.id, outcome="unallocated", rule="none",
                                currency=receipt.currency, amount=receipt.amount,
                                evidence={"reason": "no advice, reference, invoice number or "
                                          "known payer"})
        elif decision.rule == "remittance":
            used_advices.add(decision.evidence["advice"])
        decisions.append(decision)
    return decisions


def _advices_for(receipt: Receipt, by_ref: dict[str, list[Advice]]) -> list[Advice]:
    found: list[Advice] = []
    if receipt.reference:
        found += by_ref.get(normalise(receipt.reference), [])
    if not found:
        for token in set(receipt.narrative.split()) | set(_TOKEN.findall(receipt.narrative)):
            found += by_ref.get(normalise(token), [])
    return found
