"""Typed settings, read from ``ARBRIDGE_*`` environment variables and an optional TOML file.

Precedence, highest first: keyword arguments, environment (``ARBRIDGE_SAP__KIND=rfc``; nested
sections use a double underscore), the TOML file (``ARBRIDGE_CONFIG`` or ``./arbridge.toml``),
defaults. Secrets are :class:`pydantic.SecretStr`, so they print as ``**********``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
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
from config.po_alerts import PoAlertSettings
from config.reports import ReportSettings
from config.portals import BrowserSettings, PortalSettings

if TYPE_CHECKING:
    from config.errors import ConfigError

DEFAULT_HOME = Path("var")
DEFAULT_CONFIG_FILE = Path("arbridge.toml")
CONFIG_ENV = "ARBRIDGE_CONFIG"
ENV_PREFIX = "ARBRIDGE_"

SapKind = Literal["simulator", "rfc", "odata"]
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
COMPANY_CODE = re.compile(r"[A-Za-z0-9]{1,4}")
SECRET_WORDS = ("pass", "secret", "key", "token", "url")


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


def config_file() -> Path:
    """The TOML file read: ``ARBRIDGE_CONFIG`` (must exist) or ``./arbridge.toml`` if present."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


def load_settings(**overrides: object) -> Settings:
    """Read the settings; any problem is a :class:`config.errors.ConfigError` whose one line
    names the setting (its variable, or the TOML file and line) and what is wrong."""
    from config.errors import ConfigError

    named = os.environ.get(CONFIG_ENV)
    if named and not Path(named).is_file():
        raise ConfigError(f"{CONFIG_ENV} names {named}, which is not a readable file")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - classified below, re-raised if unknown
        problem = settings_error(exc)
        if problem is None:
            raise
        raise problem from exc


def settings_error(error: BaseException) -> ConfigError | None:
    """The one-line configuration error for an exception raised while reading settings, or
    None if it is not one (pydantic, pydantic-settings and TOML errors are)."""
    import tomllib

    from pydantic import ValidationError

    from config.errors import ConfigError

    if isinstance(error, ConfigError):
        return error
    if isinstance(error, tomllib.TOMLDecodeError):
        return ConfigError(f"{config_file()}: not valid TOML: {error}")
    if isinstance(error, ValidationError):
        return ConfigError(_validation_line(error))
    if type(error).__name__ == "SettingsError":
        found = re.search(r'field "([^"]+)"', str(error))
        field = found.group(1) if found else "?"
        cause = error.__cause__
        detail = f": {cause}" if cause else ""
        return ConfigError(f"{ENV_PREFIX}{field.upper()} is not valid JSON{detail} "
                           "(this setting takes a JSON object, e.g. '{\"0000100042\": "
                           "\"acme-coupa\"}')")
    return None


def env_name(loc: tuple[object, ...]) -> str:
    return ENV_PREFIX + "__".join(str(p) for p in loc).upper()


def _validation_line(error: object) -> str:
    first = error.errors()[0]  # type: ignore[attr-defined]
    loc = tuple(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    where = _source_of(loc)
    shown = ""
    value = first.get("input")
    if isinstance(value, (str, int, float)) and not any(w in str(loc).lower()
                                                         for w in SECRET_WORDS):
        shown = f" (got {str(value)[:40]!r})"
    return f"setting {'.'.join(str(p) for p in loc)} ({where}): {message}{shown}"


def _source_of(loc: tuple[object, ...]) -> str:
    """``ARBRIDGE_SAP__KIND`` when the environment set it, else the TOML file and line."""
    name = env_name(loc)
    environment = {k.upper() for k in os.environ}
    if name in environment or env_name(loc[:1]) in environment:
        return name
    toml_file = config_file()
    if toml_file.is_file():
        line = _toml_line(toml_file, loc)
        return f"{toml_file}, line {line}" if line else f"{name} or {toml_file}"
    return name


def _toml_line(path: Path, loc: tuple[object, ...]) -> int | None:
    """The line that sets ``loc`` (``[sap]`` … ``kind = …``), found by reading the text."""
    *section, key = [str(p) for p in loc]
    current: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if stripped.startswith("["):
            current = [p.strip().strip('"') for p in stripped.strip("[]").split(".")]
        elif current == section and re.match(rf'"?{re.escape(key)}"?\s*=', stripped):
            return number
    return None
