"""Logging in and out, with a rate limit on wrong passwords."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from admin.context import context
from admin.security import (
    SESSION_COOKIE,
    client_address,
    prelogin_token,
    principal,
    remember_prelogin,
    set_session_cookie,
)
from admin.templating import render
from sync.txn import writing
from sync.users import accounts as users

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
    now = ctx.clock()
    address = client_address(request)
    with writing(ctx.engine) as conn:
        by_user, by_address = users.recent_failures(
            conn, name=name, ip=address, since=now - timedelta(minutes=limits.login_window_minutes))
        if (by_user >= limits.login_max_failures_per_user
                or by_address >= limits.login_max_failures_per_address):
            users.record_login(conn, name=name, ip=address, ok=False, now=now)
            return _form(request, next_url=safe_next(next), name=name, status_code=429,
                         error=f"Too many wrong passwords. Wait {limits.login_window_minutes} "
                               "minutes, then try again.")
        user = users.authenticate(conn, name, password)
        users.record_login(conn, name=name, ip=address, ok=user is not None, now=now)
        if user is None:
            return _form(request, next_url=safe_next(next), name=name, status_code=401,
                         error="Wrong user name or password.")
        session_id = users.open_session(conn, user, now=now)
        users.drop_expired_sessions(conn, now=now,
                                    idle=timedelta(minutes=limits.session_idle_minutes),
                                    lifetime=timedelta(hours=limits.session_max_hours))
        users.forget_attempts(conn, before=now - timedelta(days=1))
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, session_id, limits.session_max_hours * 3600)
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
