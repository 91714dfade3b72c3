"""Portal accounts and the browser: which portals arbridge uploads to, and how it reaches them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CxmlIdentity(BaseModel):
    """One cXML ``Credential``: a domain (NetworkID, DUNS, …) and the identity in it."""

    domain: str = Field(description="e.g. NetworkID, DUNS, PrivateID")
    identity: str


class RemitTo(BaseModel):
    """Where the buyer pays: printed as the invoice's remit-to partner with its bank."""

    name: str
    bank_name: str = ""
    account_number: str = ""
    branch_code: str = ""
    swift: str = ""


class CxmlSettings(BaseModel):
    """A portal reached machine-to-machine (``kind = "cxml"``). The shared secret is the
    portal's ``password_encrypted``: encrypted at rest like any portal password."""

    flavour: Literal["coupa", "ariba"] = Field(description="which network's conventions")
    sender_from: CxmlIdentity = Field(description="the supplier (Header/From)")
    to: CxmlIdentity = Field(description="the buyer (Header/To)")
    sender: CxmlIdentity | None = Field(default=None, description="Header/Sender; the "
                                        "supplier's From identity if unset")
    invoices_path: str = Field(default="/cxml/invoices", description="POST path under url")
    status_path: str = Field(default="/api/invoices", description="the buyer's invoice "
                             "lookup (GET ?invoice_number=); empty: the network offers none")
    orders_path: str = Field(default="/cxml/orders", description="where PO lines are read")
    version: str = Field(default="1.2.045", description="cXML version declared")
    deployment_mode: Literal["production", "test"] = "production"
    attachments: bool = Field(default=True, description="attach the invoice PDF")
    tax_category: str = "vat"
    vat_rate_percent: str = "15"
    remit_to: RemitTo | None = None


class PortalSettings(BaseModel):
    """One client portal account. Secrets are Fernet tokens (see ``config.secrets``)."""

    kind: str = Field(description="driver, e.g. demo-coupa, demo-ariba, or cxml")
    url: str = Field(description="the portal's base URL")
    user: str
    password_encrypted: str
    totp_secret_encrypted: str | None = None
    concurrency: int = Field(default=2, ge=1, le=16, description="browser contexts at once")
    review_required: bool = Field(default=False, description="a person approves each upload")
    recycle_after: int = Field(default=100, ge=1, description="uploads before a new browser")
    timeout_seconds: float = Field(default=15.0, gt=0, description="one page step")
    max_attempts: int = Field(default=5, ge=1, description="technical retries, then a person")
    crashes_before_set_aside: int = Field(
        default=2, ge=1, description="runs that may die under one invoice (a crash, a kill "
        "by a deploy) before it is set aside for a person instead of tried again")
    lookup_new_invoices: bool = Field(
        default=False, description="look an invoice up before its first submission too, "
        "when the claim already proves arbridge never sent it (true where people also key "
        "invoices in by hand on this portal; costs a page load per upload) — retries, "
        "resumed and taken-over uploads are always looked up")
    cxml: CxmlSettings | None = Field(default=None, description="with kind = \"cxml\"")

    @property
    def channel(self) -> Literal["browser", "cxml"]:
        return "cxml" if self.kind == "cxml" else "browser"


class BrowserSettings(BaseModel):
    executable: str | None = Field(default=None, description="Chromium; auto-detected if unset")
    headless: bool = True
    trace_snapshots: bool = Field(
        default=False, description="record DOM snapshots in the Playwright trace of every "
        "upload; by default only the attempt after one that failed on the portal records "
        "them: they cost "
        "the browser about as much CPU as the rest of an upload")


# The bundled demo portal's two flavours, in the browser and over cXML: the portals arbridge
# uploads to when none are configured (``portals.demo.seed.FLAVOUR_OF`` and
# ``DEMO_CXML_PORTALS`` map them to their flavour; ``arbridge demo`` binds a third of each
# flavour's customers to its cXML portal).
DEMO_PORTALS: tuple[str, ...] = ("demo-coupa", "demo-ariba", "demo-coupa-cxml",
                                 "demo-ariba-cxml")
