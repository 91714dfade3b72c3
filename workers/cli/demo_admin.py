"""The admin app's line in ``arbridge demo``: where to open it and with which demo user.

On the first demo run a user ``demo`` (administrator) is made with a random password, shown
once on the terminal (stderr; only its argon2 hash is stored). Later runs name the user and
how to set a new password.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from config.settings import Settings
from sync.store import Store
from sync.users import accounts as users
from workers.cli.output import console

DEMO_USER = "demo"


def announce_admin(settings: Settings, store: Store) -> None:
    url = f"http://{settings.admin.host}:{settings.admin.port}/"
    with store.engine.begin() as conn:
        if users.by_name(conn, DEMO_USER) is None:
            password = secrets.token_urlsafe(12)
            users.add_user(conn, name=DEMO_USER, role="administrator", password=password,
                           now=datetime.now(timezone.utc))
            login = f"user {DEMO_USER}, password {password} (shown only now)"
        else:
            login = (f"user {DEMO_USER} (password shown on the first run; "
                     f"`arbridge users passwd {DEMO_USER}` sets a new one)")
    console.print(f"admin app: run `arbridge serve`, open {url} and log in as {login}",
                  highlight=False, soft_wrap=True)
