"""Cash-application settings: CSV column profiles for bank exports and remittance files, and
the matching policy (what may be allocated without a person)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

RuleName = Literal["remittance", "reference", "narrative", "payer"]
HOUSE_AUTO_RULES: tuple[RuleName, ...] = ("remittance", "reference", "narrative")
PostingWay = Literal["clearing", "assignment"]
ReversalDate = Literal["period", "original", "today"]


class CsvProfile(BaseModel):
    """Where a bank's CSV export keeps each value. Column names are matched case-insensitively
    after trimming; ``amount`` (signed) or ``credit``/``debit`` must be given."""

    delimiter: str = ","
    date: str
    date_format: str = "%Y-%m-%d"
    amount: str | None = None
    credit: str | None = None
    debit: str | None = None
    description: str
    reference: str | None = None
    balance: str | None = None
    payer_account: str | None = None
    currency: str = "ZAR"
    decimal_comma: bool = False
    account_pattern: str | None = Field(
        default=None, description="regex with one group finding the account number in the "
        "lines above the column header")


class RemittanceProfile(BaseModel):
    """Columns of a payer's remittance spreadsheet (CSV or Excel)."""

    payer: str | None = Field(default=None, description="column, or empty to use the fixed "
                                                         "payer_name")
    payer_name: str | None = None
    payment_reference: str
    date: str
    date_format: str = "%Y-%m-%d"
    invoice: str
    paid: str
    deduction: str | None = None
    reason: str | None = None
    delimiter: str = ","


class MatchingPolicy(BaseModel):
    """What the matcher may allocate without a person.

    The default is the rule of the house: only with a remittance advice or an unambiguous
    reference (rules remittance, reference, narrative); a payer recognised by account or name
    is a proposal, never automatic.
    """

    auto_rules: list[RuleName] = Field(default_factory=lambda: list(HOUSE_AUTO_RULES))
    auto_partial: bool = Field(default=True, description="partial payments by reference")
    auto_overpayment: bool = Field(default=True, description="excess goes on account")
    max_auto_amount: Decimal | None = Field(default=None, description="larger receipts are "
                                            "proposals")
    name_score: float = Field(default=90.0, ge=0, le=100, description="rapidfuzz score for a "
                              "payer-name proposal")
    tolerance: Decimal = Field(default=Decimal("0.00"), ge=0, description="difference still "
                               "called equal (bank charges)")


class CashSettings(BaseModel):
    csv_profiles: dict[str, CsvProfile] = Field(default_factory=dict)
    remittance_profiles: dict[str, RemittanceProfile] = Field(default_factory=dict)
    policy: MatchingPolicy = Field(default_factory=MatchingPolicy)
    posting: PostingWay = Field(default="clearing", description="clearing: direct clearing via "
                                "the ABAP wrapper; assignment: payment on account for F.13")
    bank_gl_account: str = "0011000000"
    document_type: str = "DZ"
    company_code: str = "1000"
    reversal_reason: str = Field(default="01", max_length=2, description="SAP reversal reason "
                                 "(T041C) when the reversal keeps the original's posting date")
    reversal_reason_other_date: str = Field(
        default="02", max_length=2, description="SAP reversal reason (T041C) allowing an "
        "alternative posting date, used when the reversal is posted on another date")
    reversal_date: ReversalDate = Field(
        default="period", description="the reversal's posting date: period (the original's "
        "while its month is SAP's current month, else SAP's today), original, or today")
    lease_seconds: int = Field(default=300, ge=1, description="how long a claim on an "
                               "allocation or a journal lasts unless renewed; renewed every "
                               "third of it while a SAP call is in flight")
    sap_max_execution_seconds: float = Field(
        default=3600, ge=0, description="the longest SAP could still be executing a posting "
        "after arbridge sent it (the work process's run-time limit, rdisp/max_wprun_time or "
        "rdisp/scheduler/prio_*/max_runtime, plus the update task and any clock skew between "
        "arbridge hosts); a posting whose outcome is in doubt is posted again only when a "
        "look-up after this time still finds no document")
