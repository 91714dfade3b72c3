"""Logging in and out, with a rate limit on wrong passwords (``sync.users.login``)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from admin.context import context
from admin.security import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    client_address,
    prelogin_token,
    principal,
    remember_prelogin,
    set_device_cookie,
    set_session_cookie,
)
from admin.templating import render
from sync.txn import writing
from sync.users import accounts as users
from sync.users.login import LoginLimits, attempt_login

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(c.isspace() or ord(c) < 32 for c in target)):
        return "/"
    return target


def _form(request: Request, *, next_url: str, name: str = "", error: str | None = None,
          status_code: int = 200) -> Response:
    token = prelogin_token(request)
    response = render(request, "login.html", status_code=status_code, next_url=next_url,
                      name=name, login_error=error, csrf_token=token)
    remember_prelogin(request, response, token)
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    if principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next_url=safe_next(next))


@router.post("/login")
def login(request: Request, name: str = Form(..., max_length=80),
          password: str = Form(..., max_length=1024), next: str = Form("/")) -> Response:  # noqa: A002
    ctx = context(request)
    limits = ctx.settings.admin
    outcome = attempt_login(
        ctx.engine, name=name, password=password, ip=client_address(request),
        device_token=request.cookies.get(DEVICE_COOKIE), now=ctx.clock(),
        limits=LoginLimits(window=timedelta(minutes=limits.login_window_minutes),
                           per_user=limits.login_max_failures_per_user,
                           per_address=limits.login_max_failures_per_address,
                           per_device=limits.login_max_failures_per_device),
        session_idle=timedelta(minutes=limits.session_idle_minutes),
        session_lifetime=timedelta(hours=limits.session_max_hours))
    if outcome.status == "limited":
        return _form(request, next_url=safe_next(next), name=name, status_code=429,
                     error=f"Too many wrong passwords. Wait {limits.login_window_minutes} "
                           "minutes, then try again.")
    if outcome.status == "wrong" or outcome.session_id is None:
        return _form(request, next_url=safe_next(next), name=name, status_code=401,
                     error="Wrong user name or password.")
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, outcome.session_id, limits.session_max_hours * 3600)
    if outcome.device_token:
        set_device_cookie(request, response, outcome.device_token)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    ctx = context(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    who = principal(request)
    with writing(ctx.engine) as conn:
        if cookie:
            users.close_session(conn, cookie)
        if who is not None:
            from sync import audit

            audit.record(conn, [audit.event(action="logout", entity="admin_user",
                                            key=who.user.name, actor=who.user.name,
                                            detail={}, at=ctx.clock())])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
