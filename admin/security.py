"""Who is asking, and may they: sessions (cookie), API tokens (Bearer), roles and CSRF.

CSRF: a synchronizer token. Each server-side session carries a random token; every form
posts it in a hidden ``csrf_token`` field and htmx sends it as ``X-CSRF-Token`` (set once on
``<body hx-headers>``). Every request with an unsafe method that is authenticated by the
session cookie must carry it (checked by :func:`csrf_guard`, an app-wide dependency, so no
route can forget it). Before login there is no session, so the login form uses a
double-submit token: a random HttpOnly, SameSite=Strict cookie that the form must echo (this
stops login CSRF). Requests with an API token (``Authorization: Bearer``) carry no ambient
credential a third-party page could borrow, so they need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response

from admin.context import context
from admin.roles import can
from sync.txn import writing
from sync.users import accounts as users

SESSION_COOKIE = "arbridge_session"
PRELOGIN_COOKIE = "arbridge_login_csrf"
DEVICE_COOKIE = "arbridge_device"
DEVICE_COOKIE_DAYS = 180
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """No valid session or token: a page redirects to the login form, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role does not allow this."""


class CsrfRefused(Exception):
    """An unsafe request without the right CSRF token."""


@dataclass(frozen=True, slots=True)
class Principal:
    user: users.User
    session: users.Session | None  # None when authenticated by an API token

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""

    def can(self, permission: str) -> bool:
        return can(self.user.role, permission)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def principal(request: Request) -> Principal | None:
    """The user behind this request (cached for the request), or None."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    ctx = context(request)
    found: Principal | None = None
    now = ctx.clock()
    token = _bearer(request)
    with writing(ctx.engine) as conn:
        if token is not None:
            user = users.user_of_token(conn, token, now=now)
            found = Principal(user, None) if user else None
        elif cookie := request.cookies.get(SESSION_COOKIE):
            session = users.find_session(
                conn, cookie, now=now,
                idle=timedelta(minutes=ctx.settings.admin.session_idle_minutes),
                lifetime=timedelta(hours=ctx.settings.admin.session_max_hours))
            found = Principal(session.user, session) if session else None
    request.state.principal = found
    return found


def current(request: Request) -> Principal:
    """Dependency: the logged-in user, or :class:`LoginRequired`."""
    found = principal(request)
    if found is None:
        raise LoginRequired()
    return found


def require(permission: str) -> Callable[[Request], Principal]:
    """Dependency factory: the logged-in user, who must hold ``permission``."""
    def dependency(request: Request) -> Principal:
        who = current(request)
        if not who.can(permission):
            raise Forbidden(f"{who.user.name} ({who.user.role}) may not do this")
        return who
    return dependency


async def _submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def csrf_guard(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request without its CSRF token."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    who = principal(request)
    expected = who.csrf_token if who and who.session else request.cookies.get(PRELOGIN_COOKIE)
    submitted = await _submitted_token(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfRefused()


def prelogin_token(request: Request) -> str:
    """The login form's double-submit token (reused while its cookie lives)."""
    return request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(32)


def remember_prelogin(request: Request, response: Response, token: str) -> None:
    response.set_cookie(PRELOGIN_COOKIE, token, max_age=3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/login")


def set_session_cookie(request: Request, response: Response, session_id: str,
                       max_age_seconds: int) -> None:
    """HttpOnly, SameSite=Lax, Secure whenever the app is reached over TLS (directly or
    behind a proxy that uvicorn trusts for X-Forwarded-Proto)."""
    response.set_cookie(SESSION_COOKIE, session_id, max_age=max_age_seconds, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(PRELOGIN_COOKIE, path="/login")


def set_device_cookie(request: Request, response: Response, token: str) -> None:
    """The known-device cookie: sent only to the login form, never readable by scripts."""
    response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_DAYS * 86400,
                        httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def refuse_nul(request: Request) -> None:
    """App-wide dependency: a NUL character in the path or a query parameter is refused (422)
    before it reaches the store (PostgreSQL cannot hold it in text: it was a 500 there)."""
    from fastapi import HTTPException

    if "\x00" in request.url.path or any("\x00" in key or "\x00" in value
                                         for key, value in request.query_params.multi_items()):
        raise HTTPException(422, "a NUL character is not allowed in an address or a filter")
