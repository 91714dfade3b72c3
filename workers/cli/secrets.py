"""``arbridge secrets …``: make a key and encrypt portal passwords for ``arbridge.toml``."""

from __future__ import annotations

import sys

import typer

from workers.cli.output import err, guarded

app = typer.Typer(help="Encrypted portal secrets.", no_args_is_help=True)


@app.command("new-key")
def new_key_command() -> None:
    """Print a new key for ARBRIDGE_SECRET_KEY (keep it in your secret store)."""
    from cryptography.fernet import Fernet

    sys.stdout.write(Fernet.generate_key().decode() + "\n")


@app.command("encrypt")
def encrypt_command() -> None:
    """Read a secret (hidden on a terminal, or from standard input) and print its token."""
    def action() -> None:
        from config.errors import InputError
        from config.secrets import SecretBox
        from config.settings import load_settings

        if sys.stdin.isatty():
            secret = typer.prompt("secret", hide_input=True)
        else:
            secret = sys.stdin.readline().rstrip("\n")
        if not secret:
            raise InputError("empty secret: nothing to encrypt")
        box = SecretBox.load(load_settings().home)
        sys.stdout.write(box.encrypt(secret) + "\n")
        err.print("put this token in arbridge.toml, e.g. password_encrypted = \"...\"")

    guarded(action)
