"""How to reach SAP: the adapter (simulator, RFC, OData), its connection and paging."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

SapKind = Literal["simulator", "rfc", "odata"]


class SapSettings(BaseModel):
    """How to reach SAP. Only the fields of the chosen ``kind`` are used."""

    kind: SapKind = "simulator"
    page_size: int = Field(default=10_000, ge=1, le=100_000, description="rows per page pulled")
    timeout_seconds: float = Field(default=60.0, gt=0, description="one remote call, seconds")
    overlap_days: int = Field(
        default=0, ge=0, description="days re-read before the cursor (dates are inclusive)"
    )
    overlap_minutes: int = Field(
        default=5, ge=0, description="minutes re-read before the cursor for timestamp deltas"
    )
    # rfc (pyrfc): any keyword pyrfc.Connection accepts may go into ``rfc_params``.
    ashost: str | None = None
    sysnr: str = "00"
    client: str = "100"
    user: str | None = None
    passwd: SecretStr | None = None
    lang: str = "EN"
    rfc_params: dict[str, str] = Field(default_factory=dict)
    connection_factory: str = Field(
        default="pyrfc:Connection", description="'module:callable' that returns a Connection"
    )
    # odata (S/4HANA)
    base_url: str | None = Field(default=None, description="e.g. https://s4.example.com")
    odata_user: str | None = None
    odata_password: SecretStr | None = None
    verify_tls: bool = True
    # simulator
    simulator_customers: int = Field(default=500, ge=1)
    simulator_billing_documents: int = Field(default=3000, ge=0)
    simulator_seed: int = 20261123
