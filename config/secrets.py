"""Secrets at rest: portal passwords and TOTP seeds are Fernet tokens in the configuration.

The key comes from ``ARBRIDGE_SECRET_KEY`` or, failing that, from ``ARBRIDGE_HOME/secret.key``
(created with mode 0600 on first use, for the embedded demo). ``arbridge secrets encrypt``
turns a password into the token to put in ``arbridge.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from config.errors import ConfigError

KEY_ENV = "ARBRIDGE_SECRET_KEY"
KEY_FILE = "secret.key"


class SecretBox:
    """Encrypts and decrypts configuration secrets with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise ConfigError(f"{KEY_ENV} is not a valid Fernet key (32 url-safe base64 bytes);"
                              " make one with: arbridge secrets new-key") from exc

    @classmethod
    def load(cls, home: Path) -> SecretBox:
        key = os.environ.get(KEY_ENV)
        if key:
            return cls(key.encode())
        path = home / KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        return cls(path.read_bytes().strip())

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str, *, setting: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ConfigError(f"setting {setting!r} cannot be decrypted with the configured key "
                              f"({KEY_ENV}); encrypt it again with: "
                              "arbridge secrets encrypt") from exc
