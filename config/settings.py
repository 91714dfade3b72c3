"""Typed settings, read from ``ARBRIDGE_*`` environment variables and an optional TOML file.

Precedence, highest first: keyword arguments, environment (``ARBRIDGE_SAP__KIND=rfc``; nested
sections use a double underscore), the TOML file (``ARBRIDGE_CONFIG`` or ``./arbridge.toml``),
defaults. Secrets are :class:`pydantic.SecretStr`, so they print as ``**********``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.admin import AdminSettings
from config.po_alerts import PoAlertSettings
from config.portals import BrowserSettings, PortalSettings

DEFAULT_HOME = Path("var")
DEFAULT_CONFIG_FILE = Path("arbridge.toml")

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


DEFAULT_SCHEDULE = {
    "sap-pull": "*/15 * * * mon-fri",   # every 15 minutes on working days
    "portal-upload": "5 * * * *",       # hourly, after the pull at :00
    "po-refresh": "0 6 * * *",          # daily at 06:00 (PO balances, issue 10)
}


class Settings(BaseSettings):
    """Everything arbridge reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="ARBRIDGE_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = DEFAULT_HOME
    database_url: str | None = None
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
    portal_upload_lookback_days: int | None = Field(
        default=7, ge=0, description="queue invoices billed in the last N days (go-live "
        "cut-over; older ones were uploaded by hand); empty for all")
    invoice_pdfs: Literal["render", "folder", "archivelink"] = "render"
    invoice_pdf_folder: Path | None = Field(
        default=None, description="where SAP output drops PDFs named by billing document"
    )
    po_alerts: PoAlertSettings = Field(default_factory=PoAlertSettings)
    claim_lease_seconds: float = Field(
        default=120.0, gt=0, description="lease on claimed work; renewed every third of it")
    portal_contexts_per_run: int | None = Field(
        default=None, ge=1, description="browser contexts one run opens per portal (default: "
        "up to the portal's concurrency); with several workers, 1 spreads a portal's slots "
        "over them")
    schedule: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SCHEDULE),
        description="job → cron expression for `arbridge scheduler` (empty string: off)")

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
        toml_file = Path(os.environ.get("ARBRIDGE_CONFIG", DEFAULT_CONFIG_FILE))
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


SECRET_QUERY_KEYS = frozenset({"password", "passwd", "pwd", "pass", "sslpassword", "secret",
                               "token", "access_token", "api_key", "apikey", "sslkey_password"})


def redact_url(url: str) -> str:
    """The URL with its passwords replaced by ``***`` — in the user-info
    (``user:pw@host``) and in the query (``?password=…``, ``token=…``) — fit for logs,
    errors and status output. Anything else is left as it was."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not parseable as a URL: hide everything after the scheme
        scheme, sep, _ = url.partition("://")
        return f"{scheme}://***" if sep else "***"
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}"
    query = "&".join(_redact_pair(pair) for pair in parts.query.split("&")) if parts.query \
        else parts.query
    if netloc == parts.netloc and query == parts.query:
        return url  # nothing to hide (and sqlite:////path keeps its slashes)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _redact_pair(pair: str) -> str:
    key, sep, _ = pair.partition("=")
    return f"{key}=***" if sep and key.lower() in SECRET_QUERY_KEYS else pair


def url_secrets(url: str) -> list[str]:
    """The secret values in ``url`` (user-info password, secret query values), decoded and as
    written, so they can be masked in text that quotes them (a driver's error message)."""
    from urllib.parse import parse_qsl, unquote

    try:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    if found:
        found.append(unquote(found[0]))
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in SECRET_QUERY_KEYS:
            found.append(value)
    raw = [p.partition("=")[2] for p in parts.query.split("&")
           if p.partition("=")[0].lower() in SECRET_QUERY_KEYS]
    return [s for s in dict.fromkeys(found + raw) if s]


def redact_text(text: str, url: str) -> str:
    """``text`` with every secret of ``url`` masked (for errors that quote the URL)."""
    for secret in sorted(url_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise :class:`config.errors.ConfigError` with the field on bad input."""
    from pydantic import ValidationError

    from config.errors import ConfigError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {field!r}: {first['msg']}") from exc
