"""The worklist's ranking strategy (pure): whom to call first, and why.

Each customer with something overdue gets a score, the sum of parts a collector can read:

- **amount**: ``weight × log10(1 + largest overdue total)``, each currency's total weighed by
  its ``currency_weights`` entry (a rough rate, only for ordering: totals are never added
  across currencies); a tenfold larger debt scores one weight more;
- **age**: ``weight × days overdue of the oldest item / 30`` (capped at a year);
- **broken promises**: ``weight`` per broken or partly kept promise in the last 90 days;
- **risk class**: the configured points for A, B or C;
- **call-back due**: a person said to call back today or earlier;
- **prescription**: an item prescribes within the warning window.

The list is sorted by score, highest first, then by the older debt, then by customer number,
so two runs over the same book give the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from config.collections import Strategy


@dataclass(frozen=True, slots=True)
class Facts:
    customer: str
    overdue: dict[str, Decimal]
    days_overdue: int
    broken_promises: int = 0
    risk: str = "B"
    call_back_due: bool = False
    prescription_warning: bool = False


@dataclass(frozen=True, slots=True)
class Ranked:
    facts: Facts
    score: Decimal
    parts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def why(self) -> str:
        text = {"amount": "amount overdue", "age": "age", "broken_promise": "broken promises",
                "risk": "risk class", "call_back_due": "call-back due",
                "prescription": "prescribes soon"}
        return ", ".join(f"{text[k]} {v}" for k, v in
                         sorted(self.parts.items(), key=lambda kv: -kv[1]) if v > 0)


def score(facts: Facts, weights: Strategy) -> Ranked:
    largest = max((a * weights.currency_weights.get(c, Decimal(1))
                   for c, a in facts.overdue.items()), default=Decimal(0))
    amount = Decimal(str(round(math.log10(1 + float(max(largest, Decimal(0)))), 3)))
    parts = {
        "amount": (weights.amount * amount).quantize(Decimal("0.1")),
        "age": (weights.age * Decimal(min(facts.days_overdue, 365)) / 30).quantize(
            Decimal("0.1")),
        "broken_promise": weights.broken_promise * facts.broken_promises,
        "risk": weights.risk.get(facts.risk, Decimal(0)),
        "call_back_due": weights.call_back_due if facts.call_back_due else Decimal(0),
        "prescription": weights.prescription if facts.prescription_warning else Decimal(0),
    }
    return Ranked(facts, sum(parts.values(), Decimal(0)), parts)


def rank(all_facts: list[Facts], weights: Strategy) -> list[Ranked]:
    ranked = [score(f, weights) for f in all_facts]
    ranked.sort(key=lambda r: (-r.score, -r.facts.days_overdue, r.facts.customer))
    return ranked
