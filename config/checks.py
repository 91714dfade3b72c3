"""Start-up checks of settings that parse but cannot work: a customer or group bound to a
portal that is not configured (its invoices would never be queued, silently), or a working
folder arbridge cannot write. Each raises :class:`ConfigError` naming the setting."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.errors import ConfigError
from config.portals import DEMO_PORTALS
from config.settings import Settings


def configured_portals(settings: Settings) -> tuple[str, ...]:
    """The portal names uploads can go to: ``[portals.NAME]``, or the demo portal's two
    flavours when none is configured (the embedded defaults)."""
    return tuple(settings.portals) if settings.portals else DEMO_PORTALS


def check_bindings(settings: Settings) -> None:
    """Every binding and group must name a configured portal."""
    known = configured_portals(settings)
    listed = ", ".join(known)
    for customer, portal in settings.portal_bindings.items():
        if portal not in known:
            raise ConfigError(f"ARBRIDGE_PORTAL_BINDINGS binds customer {customer} to portal "
                              f"{portal!r}, which is not configured (configured: {listed})")
    for group, portal in settings.portal_customer_groups.items():
        if portal not in known:
            raise ConfigError(f"ARBRIDGE_PORTAL_CUSTOMER_GROUPS maps customer group {group} to "
                              f"portal {portal!r}, which is not configured (configured: "
                              f"{listed})")


def check_portal_name(settings: Settings, portal: str | None,
                      also: tuple[str, ...] = ()) -> None:
    """``--portal P`` must name a configured portal (or one in ``also``, e.g. in the store)."""
    known = configured_portals(settings)
    if portal is not None and portal not in known and portal not in also:
        raise ConfigError(f"--portal {portal}: no such portal (configured: "
                          f"{', '.join(known)})")


def check_home(settings: Settings) -> None:
    """``ARBRIDGE_HOME`` must be a folder arbridge can create and write in."""
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not os.access(home, os.W_OK | os.X_OK):
            raise PermissionError
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as exc:
        reason = exc.strerror or "permission denied"
        raise ConfigError(f"ARBRIDGE_HOME {_shown(home)} is not a folder arbridge can write in "
                          f"({reason})") from exc


def _shown(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)


# Read by arbridge outside the Settings model (the broker, the key, the file itself).
OTHER_VARIABLES = ("ARBRIDGE_CONFIG", "ARBRIDGE_SECRET_KEY", "ARBRIDGE_BROKER_URL",
                   "ARBRIDGE_BROKER_TIMEOUT_SECONDS", "ARBRIDGE_QUEUE_PREFIX",
                   "ARBRIDGE_BROKER_HEARTBEAT_SECONDS")


def setting_variables() -> set[str]:
    """Every ``ARBRIDGE_*`` variable arbridge reads (nested ones with ``__``)."""
    from pydantic import BaseModel

    def walk(model: type[BaseModel], prefix: str) -> set[str]:
        names = set()
        for name, field in model.model_fields.items():
            env = f"{prefix}{name.upper()}"
            names.add(env)
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                names |= walk(field.annotation, env + "__")
        return names

    return walk(Settings, "ARBRIDGE_") | set(OTHER_VARIABLES)


def misspelt_variables(environ: dict[str, str]) -> list[str]:
    """``ARBRIDGE_SAP_KIND is not a setting; did you mean ARBRIDGE_SAP__KIND?`` for each
    variable that arbridge would silently ignore but that looks like one of its settings."""
    free_below = ("ARBRIDGE_PORTALS__", "ARBRIDGE_SAP__RFC_PARAMS__", "ARBRIDGE_TEST_")
    names = sorted(n.upper() for n in environ
                   if n.upper().startswith("ARBRIDGE_") and not n.upper().startswith(free_below))
    known = setting_variables() if names else set()
    warnings = []
    for name in names:
        if name in known:
            continue
        import difflib

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.85)
        if close:
            warnings.append(f"{name} is not an arbridge setting and is ignored; did you mean "
                            f"{close[0]}?")
    return warnings


def check_pdf_folder(settings: Settings) -> None:
    """With ``invoice_pdfs = "folder"``, the folder must be named and be a folder (an empty
    one is allowed: SAP output may not have run yet, and the uploads then fail by name)."""
    if settings.invoice_pdfs != "folder":
        return
    folder = settings.invoice_pdf_folder
    if folder is None:
        raise ConfigError("ARBRIDGE_INVOICE_PDFS=folder needs ARBRIDGE_INVOICE_PDF_FOLDER (the "
                          "folder SAP output drops the invoice PDFs into)")
    if not folder.is_dir():
        raise ConfigError(f"ARBRIDGE_INVOICE_PDF_FOLDER {_shown(folder)} is not a folder")
