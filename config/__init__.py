"""Settings for arbridge: environment variables (``ARBRIDGE_*``) and an optional ``arbridge.toml``;
the root of arbridge's errors (:mod:`config.errors`), secrets at rest (:mod:`config.secrets`)
and the redaction of secrets and personal data (:mod:`config.redaction`).

The names below load :mod:`config.settings` (and pydantic) on first use only, so that importing
``config.errors`` stays cheap for ``arbridge --help``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SapSettings", "Settings", "load_settings", "redact_url"]


def __getattr__(name: str) -> Any:
    if name == "redact_url":
        from config.redaction import redact_url

        return redact_url
    if name in __all__:
        from config import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'config' has no attribute {name!r}")
