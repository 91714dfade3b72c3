"""Settings of collections ([collections] in TOML, ``ARBRIDGE_COLLECTIONS__…``): the policies
with their levels (days overdue → channel, template, approval), which customer follows which
policy, the worklist's strategy, promises' tolerance, dispute reasons with their timelines,
the National Credit Act flags, prescription and POPIA retention."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

Channel = Literal["email", "letter", "phone"]
NcaStatus = Literal["natural", "juristic_small"]
RiskClass = Literal["A", "B", "C"]


class Level(BaseModel):
    """One step of a policy: reached at ``days`` overdue, sent by ``channel``."""

    days: int = Field(ge=0, description="days overdue (the oldest eligible item) to reach it")
    channel: Channel = "email"
    template: str = Field(default="friendly", description="a bundled template name "
                          "(friendly, firm, final, call) or an HTML file path")
    approval: bool = Field(default=False, description="a person approves before it goes")


class Policy(BaseModel):
    levels: list[Level] = Field(min_length=1)
    minimum: dict[str, Decimal] = Field(
        default_factory=lambda: {"ZAR": Decimal("100.00")},
        description="currency -> the overdue total below which no reminder goes")
    days_between: int = Field(default=7, ge=0, description="days at least between two levels")

    @field_validator("levels")
    @classmethod
    def _rising(cls, levels: list[Level]) -> list[Level]:
        days = [lv.days for lv in levels]
        if days != sorted(set(days)):
            raise ValueError(f"level days {days} must rise strictly (e.g. 7, 30, 60)")
        return levels


def _standard() -> dict[str, Policy]:
    return {"standard": Policy(levels=[
        Level(days=7, channel="email", template="friendly"),
        Level(days=30, channel="email", template="firm"),
        Level(days=60, channel="letter", template="final", approval=True),
        Level(days=90, channel="phone", template="call"),
    ])}


class DisputeReason(BaseModel):
    days: int = Field(default=14, ge=1, description="agreed days to resolve a case")
    root_causes: list[str] = Field(default_factory=lambda: ["other"])


def _reasons() -> dict[str, DisputeReason]:
    return {
        "price": DisputeReason(days=14, root_causes=["wrong_price", "discount_missing"]),
        "quantity": DisputeReason(days=10, root_causes=["short_delivery", "returned_goods"]),
        "po_mismatch": DisputeReason(days=7, root_causes=["po_missing", "po_exhausted"]),
        "portal_rejected": DisputeReason(days=7, root_causes=["portal_rule", "po_mismatch"]),
        "portal_disputed": DisputeReason(days=10, root_causes=["portal_query"]),
        "other": DisputeReason(days=21, root_causes=["other"]),
    }


class Strategy(BaseModel):
    """Weights of the worklist's score (docs/collections.md explains each)."""

    amount: Decimal = Decimal(10)
    age: Decimal = Decimal(1)
    broken_promise: Decimal = Decimal(15)
    risk: dict[str, Decimal] = Field(default_factory=lambda: {
        "A": Decimal(0), "B": Decimal(5), "C": Decimal(15)})
    call_back_due: Decimal = Decimal(50)
    currency_weights: dict[str, Decimal] = Field(
        default_factory=lambda: {"USD": Decimal(18), "EUR": Decimal(20), "GBP": Decimal(23),
                                 "JPY": Decimal("0.12")},
        description="currency -> rough value in the report currency, used only to order the "
        "worklist (amounts are never added across currencies); 1 when not listed")
    prescription: Decimal = Decimal(40)


class CollectionSettings(BaseModel):
    policies: dict[str, Policy] = Field(default_factory=_standard)
    default_policy: str = "standard"
    groups: dict[str, str] = Field(default_factory=dict,
                                   description="customer group -> policy name")
    customers: dict[str, str] = Field(default_factory=dict,
                                      description="customer number -> policy (wins)")
    risk: dict[str, RiskClass] = Field(default_factory=dict,
                                       description="customer number -> risk class A/B/C")
    default_risk: RiskClass = "B"
    strategy: Strategy = Field(default_factory=Strategy)
    promise_tolerance_days: int = Field(default=3, ge=0)
    reasons: dict[str, DisputeReason] = Field(default_factory=_reasons)
    nca: dict[str, NcaStatus] = Field(
        default_factory=dict, description="customer number -> natural or juristic_small: the "
        "National Credit Act applies (section 129 before any hand-over)")
    s129_business_days: int = Field(default=20, ge=1)
    handover_business_days: int = Field(default=10, ge=1)
    prescription_years: int = Field(default=3, ge=1)
    prescription_warning_days: int = Field(default=90, ge=1)
    retention_days: int = Field(default=1825, ge=1, description="contact log kept this long, "
                                "then de-identified (POPIA)")
    channel: SecretStr = Field(default=SecretStr("outbox"), description="'outbox' or "
                               "smtp://host:port (a secret when it holds a password)")
    sender: str = "accounts@example.co.za"
    billing_manager: str = Field(default="billing@example.co.za",
                                 description="where credit-note requests go")
    addresses: dict[str, str] = Field(default_factory=dict,
                                      description="customer number -> reminder address")
    letterhead: list[str] = Field(default_factory=lambda: [
        "arbridge Demo Supplier (Pty) Ltd", "1 Main Road, Johannesburg, 2001"])

    @model_validator(mode="after")
    def _known_policies(self) -> CollectionSettings:
        named = {self.default_policy, *self.groups.values(), *self.customers.values()}
        unknown = sorted(named - set(self.policies))
        if unknown:
            raise ValueError(f"[collections] names policies {unknown} that are not defined "
                             f"under [collections.policies] (defined: {sorted(self.policies)})")
        return self

    def policy_name(self, customer: str, group: str | None) -> str:
        short = customer.lstrip("0")
        return (self.customers.get(customer) or self.customers.get(short)
                or (self.groups.get(group) if group else None) or self.default_policy)

    def risk_of(self, customer: str) -> str:
        return self.risk.get(customer) or self.risk.get(customer.lstrip("0")) \
            or self.default_risk

    def nca_of(self, customer: str) -> str | None:
        return self.nca.get(customer) or self.nca.get(customer.lstrip("0"))
