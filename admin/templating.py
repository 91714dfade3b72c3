"""Pages out of templates: the Jinja filters (money, time), the query-string helper, a page
rendered with who is logged in, and the signed flash message an action redirects with."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Query, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from admin.context import MAX_PAGE, context
from admin.filters import ListQuery
from admin.security import principal

TEMPLATES = Path(__file__).parent / "templates"
FLASH_KEYS = ("notice", "error")
FLASH_SIGNATURE = "said"


def money(value: Any, currency: str | None = None) -> str:
    """``1 234 567.89 ZAR`` (South African grouping), exact from the Decimal."""
    if value is None:
        return ""
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f")
    return f"{text} {currency}" if currency else text


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from the current filters with ``changes`` applied (empties dropped)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["money"] = money
    templates.env.filters["when"] = when
    templates.env.globals["query"] = query
    return templates


def render(request: Request, template: str, /, status_code: int = 200, **values: Any) -> Any:
    """``template`` with ``values``, who is logged in and the time; a notice or error in the
    query string is shown only if this session signed it."""
    ctx = context(request)
    who = principal(request)
    return ctx.templates.TemplateResponse(
        request, template, {"who": who, "now": ctx.clock(), **_unsigned_flash(request, values)},
        status_code=status_code)


@dataclass(frozen=True, slots=True)
class Paging:
    """What a list page takes besides its filters: which page, and the notice or error a
    redirect brought back."""

    page: int
    notice: str | None
    error: str | None


def paging(page: int = Query(1, ge=1, le=MAX_PAGE),
           notice: str | None = Query(None, max_length=500),
           error: str | None = Query(None, max_length=500)) -> Paging:
    """The ``?page=``, ``?notice=`` and ``?error=`` of a list page (``Depends(paging)``)."""
    return Paging(page, notice, error)


def list_page(request: Request, template: str, asked: ListQuery[Any], /, *, path: str,
              paging: Paging, listing: Callable[..., Any],
              portals: Callable[[Any], list[str]], **values: Any) -> Any:
    """A filtered list page: one page of ``listing(conn, asked.chosen())`` and the portals
    to filter by, read on one connection, with the filters as given (``params``, "" for one
    not given), the flash messages and ``back``, this page's address for the actions on it
    to come back to."""
    chosen = asked.chosen()
    params = {name: value or "" for name, value in asked.params.items()}
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = listing(conn, chosen, page=paging.page, per_page=ctx.settings.admin.page_size)
        choices = portals(conn)
    return render(request, template, found=found, params=params, portals=choices,
                  notice=paging.notice, error=paging.error,
                  back=f"{path}?{urlencode({**params, 'page': paging.page})}", **values)


def _flash_signature(request: Request, notice: str, error: str) -> str:
    """Keyed with the session's own CSRF token: a link someone else made cannot carry a
    banner the app will show as its own ("session expired, log in at ...")."""
    who = principal(request)
    key = who.csrf_token.encode() if who and who.csrf_token else b""
    if not key:
        return ""
    return hmac.new(key, f"{notice}\0{error}".encode(), hashlib.sha256).hexdigest()[:32]


def flash_redirect(request: Request, target: str, *, notice: str | None = None,
                   error: str | None = None) -> RedirectResponse:
    """A 303 to ``target`` (a path of this app) carrying what an action did, signed for
    this session; any earlier message in ``target``'s query is dropped."""
    parts = urlsplit(target)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in (*FLASH_KEYS, FLASH_SIGNATURE)]
    said = {k: v for k, v in (("notice", notice), ("error", error)) if v}
    if said:
        said[FLASH_SIGNATURE] = _flash_signature(request, notice or "", error or "")
    text = urlencode(kept + list(said.items()))
    return RedirectResponse(f"{parts.path}?{text}" if text else parts.path, status_code=303)


def _unsigned_flash(request: Request, values: dict[str, Any]) -> dict[str, Any]:
    """Drop a notice or error that came from the query string without this session's
    signature (only what ``flash_redirect`` wrote is shown as the app's own words)."""
    query = request.query_params
    notice, error = query.get("notice") or "", query.get("error") or ""
    if not (notice or error):
        return values
    expected = _flash_signature(request, notice, error)
    if expected and hmac.compare_digest(expected, query.get(FLASH_SIGNATURE) or ""):
        return values
    return {k: (None if k in FLASH_KEYS and v is not None and v == query.get(k) else v)
            for k, v in values.items()}
