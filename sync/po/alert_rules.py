"""PO-depletion rules (pure): given one PO as the ledger sees it, its forecast and the
thresholds that apply to it, which rules fire and at which level.

Levels rise warning → critical → exhausted. An exhausted or expired PO gets only findings
at the exhausted level: no "runs out in N days" or "expires in N days" beside them. A PO that is
no longer needed (a newer PO of the
same customer took over, or the client closed it, and nothing waits on it) fires nothing, so
its alerts close by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from config.po_alerts import RuleSettings, Threshold
from sync.po.forecast import Forecast

Level = Literal["warning", "critical", "exhausted"]
LEVELS: tuple[Level, ...] = ("warning", "critical", "exhausted")
RANK: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}  # stored levels: str
RULES = ("remaining_pct", "invoices_left", "runout_days", "expiry_days", "exhausted", "held",
         "currency")


@dataclass(frozen=True, slots=True)
class Waiting:
    """An invoice of arbridge's that waits on the PO (queued, ready, held, …)."""

    document: str
    net: Decimal
    billed: date
    state: str
    reason: str | None = None
    currency: str = ""


@dataclass(frozen=True, slots=True)
class PoView:
    portal: str
    number: str
    total: Decimal
    remaining: Decimal
    currency: str
    forecast: Forecast
    open: bool = True
    valid_to: date | None = None
    customer: str | None = None
    customer_name: str | None = None
    waiting: tuple[Waiting, ...] = ()
    superseded_by: str | None = None
    usable: bool = True  # open and not expired: its remaining balance can take invoices
    on_portal: bool = True  # False: invoices are held on a PO the portal does not show

    def in_currency(self, waiting: Waiting) -> bool:
        """Whether ``waiting`` is in the PO's currency (unknown counts as the PO's)."""
        return not waiting.currency or waiting.currency == self.currency

    @property
    def held(self) -> tuple[Waiting, ...]:
        """Held invoices in the PO's currency: what a new PO or a top-up would release."""
        return tuple(w for w in self.waiting if w.state == "held" and self.in_currency(w))

    @property
    def other_currency(self) -> tuple[Waiting, ...]:
        """Invoices on the PO in another currency: never added to its figures; a new PO or
        a top-up cannot release them, the invoice or its PO number must change."""
        return tuple(w for w in self.waiting if not self.in_currency(w))

    @property
    def needed(self) -> Decimal:
        """What a new PO (or top-up) must cover at least: the waiting invoices in the PO's
        currency beyond what is left."""
        left = max(self.remaining, Decimal("0")) if self.usable else Decimal("0")
        mine = sum((w.net for w in self.waiting if self.in_currency(w)), Decimal("0"))
        return max(mine - left, Decimal("0"))


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    level: Level
    summary: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the rules say about one PO: the findings, or why none apply any more (the
    sentence is built only when an alert is closed with it)."""

    findings: tuple[Finding, ...] = ()
    po: PoView | None = None
    why: Literal["superseded", "closed", "gone", "clear"] = "clear"

    @property
    def resolution(self) -> str:
        po = self.po
        if po is None:
            return "nothing waits on this PO any more"
        if self.why == "superseded":
            return (f"new PO {po.superseded_by} loaded; nothing waits on PO {po.number}: no "
                    "longer needed")
        if self.why == "gone":
            return f"nothing waits on PO {po.number} any more"
        if self.why == "closed":
            return f"PO {po.number} closed by the client and nothing waits on it: no longer needed"
        return (f"PO {po.number} has {po.remaining:,.2f} {po.currency} left: no rule applies "
                "any more")


@lru_cache(maxsize=256)
def _marks(critical: float | None, warning: float | None) -> tuple[tuple[Level, Decimal], ...]:
    marks: tuple[tuple[Level, float | None], ...] = (("critical", critical), ("warning", warning))
    return tuple((level, Decimal(str(mark))) for level, mark in marks if mark is not None)


def _level(value: Decimal, threshold: Threshold | None, *, at_or_below: bool) -> Level | None:
    """critical if ``value`` is below (or at, for day counts) the critical mark, then
    warning; None when the rule is off or not reached."""
    if threshold is None:
        return None
    for level, limit in _marks(threshold.critical, threshold.warning):
        if value < limit or (at_or_below and value == limit):
            return level
    return None


def evaluate(po: PoView, rules: RuleSettings, today: date) -> Outcome:
    """The rules that fire for ``po`` today."""
    if not po.on_portal:  # only the held invoices speak for a PO the portal does not show
        held = [w for w in po.waiting if w.state == "held"]  # whatever their currency
        if not (held and rules.held):
            return Outcome(po=po, why="gone")
        docs = ", ".join(w.document.lstrip("0") for w in held)
        return Outcome(findings=(Finding(
            "held", "exhausted", f"{len(held)} invoice(s) held on PO {po.number}, which is "
            f"not on {po.portal}: {docs}"),), po=po)
    if not po.waiting:
        if po.superseded_by:
            return Outcome(po=po, why="superseded")
        if not po.open:
            return Outcome(po=po, why="closed")
    found: list[Finding] = []
    if po.held and rules.held:
        docs = ", ".join(w.document.lstrip("0") for w in po.held)
        found.append(Finding("held", "exhausted",
                             f"{len(po.held)} invoice(s) held on PO {po.number}: {docs} "
                             f"({po.held[0].reason or 'the PO does not fit'})"))
    strangers = [w for w in po.other_currency if w.state == "held"]
    if strangers and rules.held:  # not "exhausted": a new PO or a top-up cannot fix it
        docs = ", ".join(w.document.lstrip("0") for w in strangers)
        theirs = ", ".join(sorted({w.currency for w in strangers}))
        found.append(Finding("currency", "critical",
                             f"{len(strangers)} invoice(s) held on PO {po.number}: currency "
                             f"differs from the PO's (invoice(s) in {theirs}, PO in "
                             f"{po.currency}): {docs}"))
    expired = po.open and po.valid_to is not None and po.valid_to < today
    if po.remaining <= 0:
        if rules.exhausted:
            found.append(Finding("exhausted", "exhausted",
                                 f"PO {po.number} is exhausted ({po.remaining:,.2f} "
                                 f"{po.currency} left)"))
    elif not expired:  # an expired PO takes no invoice: only that it expired matters (below)
        found.extend(_balance_findings(po, rules, today))
    if po.valid_to is not None and po.open:
        days = (po.valid_to - today).days
        if expired:
            found.append(Finding("expiry_days", "exhausted",
                                 f"PO {po.number} expired on {po.valid_to.isoformat()}"))
        elif po.remaining > 0:  # an exhausted PO: "expires in N days" adds nothing to do
            level = _level(Decimal(days), rules.expiry_days, at_or_below=True)
            if level:
                found.append(Finding("expiry_days", level,
                                     f"PO {po.number} expires on {po.valid_to.isoformat()} "
                                     f"(in {days} days)"))
    return Outcome(findings=tuple(found), po=po)


def _balance_findings(po: PoView, rules: RuleSettings, today: date) -> list[Finding]:
    """What is left on a usable PO and when it runs out (warning or critical)."""
    found: list[Finding] = []
    if po.total > 0:
        pct = po.remaining / po.total * 100
        level = _level(pct, rules.remaining_pct, at_or_below=False)
        if level:
            found.append(Finding("remaining_pct", level,
                                 f"PO {po.number} has {pct:.0f}% left "
                                 f"({po.remaining:,.2f} {po.currency})"))
    left = po.forecast.invoices_left
    if left is not None:
        level = _level(Decimal(left), rules.invoices_left, at_or_below=False)
        if level:
            found.append(Finding("invoices_left", level,
                                 f"PO {po.number} has room for {left} more typical "
                                 f"invoice(s) of {po.forecast.typical_invoice:,.2f}"))
    if po.forecast.runout is not None:
        days = (po.forecast.runout - today).days
        level = _level(Decimal(days), rules.runout_days, at_or_below=True)
        if level:
            found.append(Finding("runout_days", level,
                                 f"PO {po.number} runs out around "
                                 f"{po.forecast.runout.isoformat()} (in {days} days)"))
    return found
