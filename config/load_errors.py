"""The explanation of a settings load error: one line naming the setting (its environment
variable, or the TOML file and line) and what is wrong, for pydantic, pydantic-settings and
TOML errors. Secret-looking values are never repeated back."""

from __future__ import annotations

import os
import re
from pathlib import Path

from config.errors import ConfigError
from config.locations import ENV_PREFIX, config_file, env_name

SECRET_WORDS = ("pass", "secret", "key", "token", "url", "channel")  # channel: a mail URL


def settings_error(error: BaseException) -> ConfigError | None:
    """The one-line configuration error for an exception raised while reading settings, or
    None if it is not one (pydantic, pydantic-settings and TOML errors are)."""
    import tomllib

    from pydantic import ValidationError

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
        nested = _bad_json_variable(f"{ENV_PREFIX}{field.upper()}__")
        if nested:
            return ConfigError(f"{nested} is not valid JSON{detail} (this setting takes a "
                               "JSON value, e.g. '[30, 60, 90]' for a list)")
        return ConfigError(f"{ENV_PREFIX}{field.upper()} is not valid JSON{detail} "
                           "(this setting takes a JSON object, e.g. '{\"0000100042\": "
                           "\"acme-coupa\"}')")
    return None


def _bad_json_variable(prefix: str) -> str | None:
    """The nested variable (``ARBRIDGE_REPORTS__AGEING_EDGES``) whose JSON did not parse: the
    error pydantic-settings raises names only the top-level field (``reports``)."""
    import json

    for name, value in sorted(os.environ.items()):
        if name.upper().startswith(prefix) and value.lstrip()[:1] in ("[", "{"):
            try:
                json.loads(value)
            except ValueError:
                return name.upper()
    return None


def _validation_line(error: object) -> str:
    first = error.errors()[0]  # type: ignore[attr-defined]  # a pydantic ValidationError
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
