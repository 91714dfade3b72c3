"""Where settings come from: the environment's ``ARBRIDGE_`` prefix and the TOML file read
(standard library only, shared by the settings and the explanation of their errors)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONFIG_FILE = Path("arbridge.toml")
CONFIG_ENV = "ARBRIDGE_CONFIG"
ENV_PREFIX = "ARBRIDGE_"


def config_file() -> Path:
    """The TOML file read: ``ARBRIDGE_CONFIG`` (must exist) or ``./arbridge.toml`` if present."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


def env_name(loc: tuple[object, ...]) -> str:
    """The environment variable of a setting: ``("sap", "kind")`` → ``ARBRIDGE_SAP__KIND``."""
    return ENV_PREFIX + "__".join(str(p) for p in loc).upper()
