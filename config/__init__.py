"""Settings for arbridge: environment variables (``ARBRIDGE_*``) and an optional ``arbridge.toml``."""

from config.settings import SapSettings, Settings, load_settings, redact_url

__all__ = ["SapSettings", "Settings", "load_settings", "redact_url"]
