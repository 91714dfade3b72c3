"""PO-depletion alert settings: the rule thresholds (globally, per portal, per customer, per
PO), the delivery channels (Apprise URLs, kept as secrets) and who receives what.

In ``arbridge.toml``::

    [po_alerts]
    recipients = ["outbox", "billing"]        # the default recipients, by channel name
    digest = false                             # true: one message per recipient per run

    [po_alerts.channels]                       # name -> Apprise URL (a secret: tokens, passwords)
    billing = "mailtos://arbridge:PASSWORD@smtp.example.co.za?to=billing@example.co.za"

    [po_alerts.rules]                          # the global thresholds
    remaining_pct = { warning = 20, critical = 10 }

    [po_alerts.portals.acme-coupa]             # per portal, customer ("0000100042") or PO
    recipients = ["acme-team"]                 # ("acme-coupa/4500001234")
    rules = { runout_days = { warning = 45 } }

Overrides are merged field by field: the most specific place that sets a value wins
(PO, then customer, then portal, then global).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, SecretStr

OUTBOX = "outbox"


class Threshold(BaseModel):
    """Where a rule turns warning and critical; ``null`` for both switches the rule off."""

    warning: float | None = None
    critical: float | None = None


class RuleSettings(BaseModel):
    """Thresholds of the rules. Unset fields inherit from the less specific level."""

    remaining_pct: Threshold | None = Field(
        default=None, description="remaining below X% of the PO total")
    invoices_left: Threshold | None = Field(
        default=None, description="fewer than N typical invoices fit in the remaining balance")
    runout_days: Threshold | None = Field(
        default=None, description="forecast run-out within D days")
    expiry_days: Threshold | None = Field(
        default=None, description="PO valid-to date within D days")
    exhausted: bool | None = Field(default=None, description="alert when nothing is left")
    held: bool | None = Field(
        default=None, description="alert when an invoice is held for lack of PO balance")


DEFAULT_RULES = RuleSettings(
    remaining_pct=Threshold(warning=20, critical=10),
    invoices_left=Threshold(warning=3, critical=1),
    runout_days=Threshold(warning=30, critical=14),
    expiry_days=Threshold(warning=30, critical=7),
    exhausted=True, held=True,
)


class AlertScope(BaseModel):
    """Overrides for one portal, customer or PO."""

    rules: RuleSettings = Field(default_factory=RuleSettings)
    recipients: list[str] | None = None


class PoAlertSettings(BaseModel):
    rules: RuleSettings = Field(default_factory=lambda: DEFAULT_RULES.model_copy())
    recipients: list[str] = Field(default_factory=lambda: [OUTBOX])
    channels: dict[str, SecretStr] = Field(
        default_factory=dict, description="channel name -> Apprise URL (secret)")
    digest: bool = False
    max_attempts: int = Field(default=8, ge=1, description="delivery attempts, then failed")
    portals: dict[str, AlertScope] = Field(default_factory=dict)
    customers: dict[str, AlertScope] = Field(default_factory=dict)
    pos: dict[str, AlertScope] = Field(default_factory=dict,
                                       description='"portal/PO number" -> overrides')

    def scopes(self, portal: str, customer: str | None, po: str) -> list[AlertScope]:
        """The overrides that apply, least specific first."""
        found = [self.portals.get(portal)]
        if customer:
            found.append(self.customers.get(customer) or self.customers.get(customer.lstrip("0")))
        found.append(self.pos.get(f"{portal}/{po}"))
        return [s for s in found if s is not None]

    def rules_for(self, portal: str, customer: str | None, po: str) -> RuleSettings:
        scopes = self.scopes(portal, customer, po)
        if not scopes:
            return self.rules
        merged = _merge(self.rules.model_dump(), *(s.rules.model_dump(exclude_unset=True)
                                                   for s in scopes))
        return RuleSettings.model_validate(merged)

    def recipients_for(self, portal: str, customer: str | None, po: str) -> list[str]:
        chosen = self.recipients
        for scope in self.scopes(portal, customer, po):
            if scope.recipients is not None:
                chosen = scope.recipients
        return chosen


def _merge(base: dict[str, Any], *overrides: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for override in overrides:
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(result.get(key), dict):
                result[key] = _merge(result[key], value)
            else:
                result[key] = value
    return result
