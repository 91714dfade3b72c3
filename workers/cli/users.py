"""``arbridge users …``: the admin web app's users. Passwords are asked for (hidden on a
terminal, or read from standard input when piped), never taken from the command line."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import typer

from workers.cli.output import console, guarded

ROLES_HELP = "One of: administrator, billing, collector, viewer (sync.users.accounts.ROLES)."

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
    role: str = typer.Option(..., "--role", help=ROLES_HELP),
) -> None:
    """Add a user; the password is asked for (at least 10 characters)."""
    def action() -> None:
        from sync.users import (
            accounts as users,
        )  # on use: the store's modules stay out of start-up

        if role not in users.ROLES:
            raise typer.BadParameter(f"--role must be one of {', '.join(users.ROLES)}")
        store = _store()
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
        from sync.users import (
            accounts as users,
        )  # on use: the store's modules stay out of start-up

        store = _store()
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
        from sync.users import (
            accounts as users,
        )  # on use: the store's modules stay out of start-up

        store = _store()
        with store.engine.begin() as conn:
            users.set_active(conn, name, False, now=datetime.now(timezone.utc), actor=_actor())
        console.print(f"user {name} disabled", highlight=False)

    guarded(action)


@app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")
                 ) -> None:
    """The users, their roles and whether they may log in."""
    def action() -> None:
        from sync.users import (
            accounts as users,
        )  # on use: the store's modules stay out of start-up

        store = _store()
        with store.engine.connect() as conn:
            found = users.all_users(conn)
        if as_json:
            from workers.cli.output import print_json

            print_json([{"name": u.name, "role": u.role, "active": u.active} for u in found])
            return
        for user in found:
            state = "" if user.active else " (disabled)"
            sys.stdout.write(f"{user.name}\t{user.role}{state}\n")

    guarded(action)


def _store():  # type: ignore[no-untyped-def]
    """The store, imported on use: the ORM stays out of every other command's start-up."""
    from sync.store import open_store
    from workers.cli.output import checked_settings

    return open_store(checked_settings())
