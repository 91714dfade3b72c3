"""``arbridge users …``: the admin web app's users. Passwords are asked for (hidden on a
terminal, or read from standard input when piped), never taken from the command line."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import typer

from config.settings import load_settings
from sync import users
from sync.store import open_store
from workers.cli.output import console, guarded

app = typer.Typer(help="Users of the admin web app.", no_args_is_help=True)


def _password() -> str:
    if sys.stdin.isatty():
        return typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


def _actor() -> str:
    import getpass

    return getpass.getuser()


@app.command("add")
def add_command(
    name: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(users.ROLES)}."),
) -> None:
    """Add a user; the password is asked for (at least 10 characters)."""
    def action() -> None:
        if role not in users.ROLES:
            raise typer.BadParameter(f"--role must be one of {', '.join(users.ROLES)}")
        store = open_store(load_settings())
        with store.engine.connect() as conn:
            if users.by_name(conn, name.strip()):
                from config.errors import InputError

                raise InputError(f"user {name} already exists")
        password = _password()
        with store.engine.begin() as conn:
            users.add_user(conn, name=name, role=role, password=password,
                           now=datetime.now(timezone.utc), actor=_actor())
        console.print(f"user {name} added ({role})", highlight=False)

    guarded(action)


@app.command("passwd")
def passwd_command(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Set a new password (asked for); the user's sessions end."""
    def action() -> None:
        store = open_store(load_settings())
        password = _password()
        with store.engine.begin() as conn:
            users.set_password(conn, name, password, now=datetime.now(timezone.utc),
                               actor=_actor())
        console.print(f"password of {name} changed; their sessions ended", highlight=False)

    guarded(action)


@app.command("disable")
def disable_command(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Stop a user logging in (their sessions end, their API tokens stop working)."""
    def action() -> None:
        store = open_store(load_settings())
        with store.engine.begin() as conn:
            users.set_active(conn, name, False, now=datetime.now(timezone.utc), actor=_actor())
        console.print(f"user {name} disabled", highlight=False)

    guarded(action)


@app.command("list")
def list_command() -> None:
    """The users, their roles and whether they may log in."""
    def action() -> None:
        store = open_store(load_settings())
        with store.engine.connect() as conn:
            found = users.all_users(conn)
        for user in found:
            state = "" if user.active else " (disabled)"
            sys.stdout.write(f"{user.name}\t{user.role}{state}\n")

    guarded(action)
