"""Settings of the debtors' book ([reports] in TOML, ``ARBRIDGE_REPORTS__…``): age buckets,
the currency the KPIs are told in, targets per KPI, and the customer statements (letterhead,
remittance instructions, schedule, how they are sent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

Schedule = Literal["daily", "monthly", "none"]


class StatementSettings(BaseModel):
    """Customer statements: what the letter says and where it goes."""

    letterhead: list[str] = Field(
        default_factory=lambda: ["arbridge Demo Supplier (Pty) Ltd",
                                 "1 Main Road, Johannesburg, 2001", "VAT 4123456789"],
        description="lines at the top of every statement")
    remittance: list[str] = Field(
        default_factory=lambda: ["Bank: Demo Bank", "Account: 62000000001",
                                 "Branch code: 250655",
                                 "Reference: your customer number"],
        description="remittance instructions (bank details) printed on every statement")
    channel: SecretStr = Field(
        default=SecretStr("outbox"), description="'outbox' (files under the home and the store) "
        "or an "
        "Apprise e-mail URL without recipient (a secret), e.g. mailtos://user:pass@smtp.host")
    default_schedule: Schedule = Field(
        default="daily", description="daily: the daily statement when the account moved that "
        "day, and the monthly one; monthly: the monthly one only; none: never (an opt-out)")
    schedules: dict[str, Schedule] = Field(
        default_factory=dict, description="customer number -> schedule (an opt-out is 'none')")
    addresses: dict[str, str] = Field(
        default_factory=dict, description="customer number -> statement e-mail address (wins "
        "over the address in SAP)")
    template: str | None = Field(
        default=None, description="an HTML (Jinja) template file for the statement; empty for "
        "the bundled one")

    @field_validator("channel")
    @classmethod
    def _usable_channel(cls, channel: SecretStr) -> SecretStr:
        """Refused at start-up, not statement by statement at send time. The value is a
        secret: the message does not repeat it."""
        value = channel.get_secret_value().strip()
        if value == "outbox":
            return SecretStr(value)
        usable = False
        if "://" in value:
            import apprise  # only when configured: its import costs start-up time

            usable = apprise.Apprise.instantiate(value) is not None
        if not usable:
            raise ValueError("must be 'outbox' or an Apprise e-mail URL such as "
                             "mailtos://user:pass@smtp.host (the value given is neither; "
                             "it is not shown, as it may hold a password)")
        return channel


class ReportSettings(BaseModel):
    ageing_edges: list[int] = Field(
        default_factory=lambda: [30, 60, 90, 120],
        description="age bucket edges in days overdue: current, 1-30, 31-60, …, over the last")
    ageing_basis: Literal["due", "document"] = "due"
    currency: str = Field(default="ZAR", description="the currency the KPIs are told in")
    kpi_targets: dict[str, Decimal] = Field(
        default_factory=lambda: {"dso_countback": Decimal(45), "cei": Decimal(80),
                                 "average_days_delinquent": Decimal(10)},
        description="KPI name -> target; the management pack shows the variance")
    statements: StatementSettings = Field(default_factory=StatementSettings)
    pack_to: list[str] = Field(
        default_factory=list, description="who gets the management pack (the workbook) by "
        "e-mail each month from the scheduled 'management-pack' job; empty: nobody "
        "(personal data)")
    pack_channel: SecretStr = Field(
        default=SecretStr("outbox"), description="'outbox' or an Apprise e-mail URL without "
        "recipient (a secret) for the management pack")

    @field_validator("ageing_edges")
    @classmethod
    def _rising(cls, edges: list[int]) -> list[int]:
        if not edges or any(e <= 0 for e in edges) or edges != sorted(set(edges)):
            raise ValueError(f"{edges} must be positive whole days, rising (e.g. [30, 60, 90])")
        return edges
