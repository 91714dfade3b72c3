"""What every request handler needs: settings, the store's engine, templates, the clock; and
the bounds of the numbers a path or query may carry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from config.settings import Settings

MAX_PAGE = 1_000_000  # far past any list; a bigger ?page= would overflow the store's OFFSET
MAX_ID = 2**31 - 1  # PostgreSQL's integer; a bigger id in a path overflowed the store (a 500)
RowId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class AdminContext:
    settings: Settings
    engine: Engine
    templates: Jinja2Templates
    clock: Callable[[], datetime] = _now

    @property
    def evidence_root(self) -> Path:
        return self.settings.evidence_path.resolve()


def context(request: Request) -> AdminContext:
    """The app's context, set on ``app.state`` by ``admin.app.create_app``."""
    return request.app.state.ctx  # type: ignore[no-any-return]  # Starlette's state is Any
