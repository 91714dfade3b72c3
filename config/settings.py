"""Typed settings, read from ``ARBRIDGE_*`` environment variables and an optional TOML file.

Precedence, highest first: keyword arguments, environment (``ARBRIDGE_SAP__KIND=rfc``; nested
sections use a double underscore), the TOML file (``ARBRIDGE_CONFIG`` or ``./arbridge.toml``),
defaults. Secrets are :class:`pydantic.SecretStr`, so they print as ``**********``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.admin import AdminSettings
from config.cash import CashSettings
from config.collections import CollectionSettings
from config.errors import ConfigError
from config.load_errors import settings_error
from config.locations import CONFIG_ENV, config_file
from config.po_alerts import PoAlertSettings
from config.portals import BrowserSettings, PortalSettings
from config.redaction import redact_text, redact_url, url_secrets
from config.reports import ReportSettings
from config.sap import SapKind, SapSettings

# Re-exported: callers outside config/ that still import these from here.
__all__ = ["DEFAULT_SCHEDULE", "SapKind", "SapSettings", "Settings", "load_settings",
           "normalise_db_url", "redact_text", "redact_url", "settings_error", "url_secrets"]

DEFAULT_HOME = Path("var")
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
COMPANY_CODE = re.compile(r"[A-Za-z0-9]{1,4}")
# what a sqlite:/// URL reads as its query ("?") or as an escape ("%41"): a home holding one
# would have its store written somewhere else (a home "/tmp/what?x" stored in "/tmp/what",
# shared with every "/tmp/what?…")
URL_MEANING = re.compile(r"\?|%[0-9A-Fa-f]{2}")


DEFAULT_SCHEDULE = {
    "sap-pull": "*/15 * * * mon-fri",   # every 15 minutes on working days
    "portal-upload": "5 * * * *",       # hourly, after the pull at :00
    "po-refresh": "0 6 * * *",          # daily at 06:00 (PO balances, issue 10)
    "collections-run": "30 6 * * mon-fri",  # working days at 06:30, after the pull (issue 20)
    "statements-daily": "0 19 * * mon-fri",  # after the day's allocations
    "statements-monthly": "0 6 1 * *",  # the 1st, for the month just ended
    "management-pack": "30 6 1 * *",    # the 1st, to reports.pack_to (nobody by default)
}


class Settings(BaseSettings):
    """Everything arbridge reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="ARBRIDGE_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = DEFAULT_HOME
    database_url: str | None = None
    database_timeout_seconds: float = Field(
        default=10.0, gt=0, description="connecting to the store (PostgreSQL), seconds")
    company_codes: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["1000"])
    sap: SapSettings = Field(default_factory=SapSettings)
    portal_customer_groups: dict[str, str] = Field(
        default_factory=lambda: {"P01": "demo-coupa", "P02": "demo-ariba"},
        description="SAP customer group 1 (KNVV-KVGR1) -> portal name",
    )
    portal_bindings: dict[str, str] = Field(
        default_factory=dict, description="customer number -> portal name; wins over groups"
    )
    portals: dict[str, PortalSettings] = Field(
        default_factory=dict, description="portal name -> account ([portals.NAME] in TOML)"
    )
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    time_zone: str = Field(
        default="Africa/Johannesburg", description="IANA zone the times shown to people are "
        "in (pages, tables, e-mails); JSON and the store keep UTC")
    portal_upload_lookback_days: int | None = Field(
        default=7, ge=0, description="queue invoices billed in the last N days (go-live "
        "cut-over; older ones were uploaded by hand); empty for all")
    invoice_pdfs: Literal["render", "folder", "archivelink"] = "render"
    cash: CashSettings = Field(default_factory=CashSettings, description="bank import, "
                               "matching policy, posting ([cash] in TOML)")
    invoice_pdf_folder: Path | None = Field(
        default=None, description="where SAP output drops PDFs named by billing document"
    )
    po_alerts: PoAlertSettings = Field(default_factory=PoAlertSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings,
                                    description="the debtors' book ([reports] in TOML)")
    collections: CollectionSettings = Field(default_factory=CollectionSettings,
                                            description="collections ([collections] in TOML)")
    claim_lease_seconds: float = Field(
        default=120.0, gt=0, description="lease on claimed work; renewed every third of it")
    portal_contexts_per_run: int | None = Field(
        default=None, ge=1, description="browser contexts one run opens per portal (default: "
        "up to the portal's concurrency); with several workers, 1 spreads a portal's slots "
        "over them")
    portal_layout_failures_to_stop: int = Field(
        default=3, ge=1, description="consecutive 'page changed' failures on one portal that "
        "stop its run (the rest stays queued, one alert; the driver needs a developer)")
    schedule: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SCHEDULE),
        description="job → cron expression for `arbridge scheduler` (empty string: off)")

    @field_validator("home")
    @classmethod
    def _home_fits_a_url(cls, value: Path) -> Path:
        if URL_MEANING.search(str(value)):
            raise ValueError("a '?' or a '%' with two hex digits in the folder's path is read "
                             "by the store's sqlite:/// URL as a query or an escape (the store "
                             "would go elsewhere): choose a folder without them")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: an IANA name such as "
                             "Africa/Johannesburg or UTC") from None
        return value

    @field_validator("company_codes", mode="before")
    @classmethod
    def _split_codes(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _demo_groups_only_for_the_demo(self) -> Settings:
        """The default groups bind to the demo portal's flavours: with portals configured and
        no groups given, only the default groups whose portal is configured still bind (rather
        than binding to portals that do not exist)."""
        if self.portals and "portal_customer_groups" not in self.model_fields_set:
            self.portal_customer_groups = {group: portal for group, portal
                                           in self.portal_customer_groups.items()
                                           if portal in self.portals}
        return self

    @field_validator("company_codes")
    @classmethod
    def _check_codes(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one company code is needed, e.g. 1000")
        for code in value:
            if not COMPANY_CODE.fullmatch(code):
                raise ValueError(f"{code!r} is not a company code (1 to 4 letters or digits, "
                                 "as in SAP's T001)")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme.split("+", 1)[0] not in DATABASE_SCHEMES:
            raise ValueError("not a store arbridge can use; give sqlite:///path/arbridge.db or "
                             "postgresql://user:password@host/database")
        return value

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the store (default: SQLite under ``home``)."""
        if self.database_url:
            return normalise_db_url(self.database_url)
        return f"sqlite:///{(self.home / 'arbridge.db').resolve()}"

    @property
    def evidence_path(self) -> Path:
        return self.home / "evidence"

    @property
    def demo_portal_path(self) -> Path:
        return self.home / "demo-portal"

    @property
    def outbox_path(self) -> Path:
        return self.home / "outbox"

    @property
    def simulator_path(self) -> Path:
        return self.home / "sap-simulator.db"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def normalise_db_url(url: str) -> str:
    """Make ``postgresql://`` URLs use psycopg 3, the driver arbridge ships with."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; any problem is a :class:`config.errors.ConfigError` whose one line
    names the setting (its variable, or the TOML file and line) and what is wrong."""
    named = os.environ.get(CONFIG_ENV)
    if named and not Path(named).is_file():
        raise ConfigError(f"{CONFIG_ENV} names {named}, which is not a readable file")
    try:
        return Settings(**overrides)
    except Exception as exc:  # noqa: BLE001 - classified below, re-raised if unknown
        problem = settings_error(exc)
        if problem is None:
            raise
        raise problem from exc
