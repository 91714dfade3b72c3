"""``arbridge secrets …``: make a key and encrypt portal passwords for ``arbridge.toml``."""

from __future__ import annotations

import sys

import typer
from cryptography.fernet import Fernet

from config.secrets import SecretBox
from config.settings import load_settings
from workers.cli.output import console, guarded

app = typer.Typer(help="Encrypted portal secrets.", no_args_is_help=True)


@app.command("new-key")
def new_key_command() -> None:
    """Print a new key for ARBRIDGE_SECRET_KEY (keep it in your secret store)."""
    sys.stdout.write(Fernet.generate_key().decode() + "\n")


@app.command("encrypt")
def encrypt_command() -> None:
    """Read a secret (hidden on a terminal, or from standard input) and print its token."""
    def action() -> None:
        if sys.stdin.isatty():
            secret = typer.prompt("secret", hide_input=True)
        else:
            secret = sys.stdin.readline().rstrip("\n")
        if not secret:
            raise typer.BadParameter("empty secret")
        box = SecretBox.load(load_settings().home)
        sys.stdout.write(box.encrypt(secret) + "\n")
        console.print("put this token in arbridge.toml, e.g. password_encrypted = \"...\"")

    guarded(action)
