"""The login rate limit under attack (issue 18, item 5): atomic on both stores, not fooled by
X-Forwarded-For, no lock-out of a known browser, no password in the audit trail, the API's map
only after login, HEAD for uptime monitors, and a new password revoking API tokens."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
from sqlalchemy import select

from admin.app import create_app
from sync.audit_models import AuditEventRow
from sync.users import accounts as users
from tests.admin.conftest import PASSWORD, START, add_user, csrf_of
from workers.web_server import AdminServer

WRONG = "not the password"


def _post_login(client: httpx.Client, name: str, password: str, **headers: str) -> int:
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": csrf_of(page.text)},
                       headers=headers).status_code


def test_thirty_simultaneous_wrong_passwords_check_no_more_than_the_limit(settings, store):
    add_user(store, "thandi", "administrator")
    codes: list[int] = []
    start = threading.Barrier(30)
    with AdminServer(create_app(settings, engine=store.engine)) as server:
        def one_try() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                page = client.get("/login")
                token = csrf_of(page.text)
                start.wait()
                codes.append(client.post("/login", data={
                    "name": "thandi", "password": WRONG, "csrf_token": token}).status_code)
        threads = [threading.Thread(target=one_try) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(codes) == 30
    assert codes.count(401) <= settings.admin.login_max_failures_per_user
    assert codes.count(429) >= 30 - settings.admin.login_max_failures_per_user


def test_a_rotated_x_forwarded_for_from_an_untrusted_client_does_not_escape_the_limit(
        settings, store):
    assert settings.admin.forwarded_allow_ips == ""  # trust no proxy unless told
    with AdminServer(create_app(settings, engine=store.engine)) as server, \
            httpx.Client(base_url=server.url) as client:
        codes = [_post_login(client, f"nobody{i}", WRONG, **{"X-Forwarded-For": f"10.9.0.{i}"})
                 for i in range(settings.admin.login_max_failures_per_address + 2)]
    assert codes[-1] == 429


def test_others_wrong_passwords_do_not_lock_the_administrator_out_of_a_known_browser(admin):
    add_user(admin.store, "thandi", "administrator")
    assert admin.login("thandi").status_code == 303  # this browser is now known
    admin.client.post("/logout", data={"csrf_token": admin.csrf("/")})
    from fastapi.testclient import TestClient

    with TestClient(admin.client.app, base_url="http://127.0.0.1") as attacker:
        for _ in range(8):
            page = attacker.get("/login")
            attacker.post("/login", data={"name": "thandi", "password": WRONG,
                                          "csrf_token": csrf_of(page.text)})
        page = attacker.get("/login")
        refused = attacker.post("/login", data={"name": "thandi", "password": PASSWORD,
                                                "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 429  # an unknown browser waits out the window
    assert admin.login("thandi").status_code == 303  # the known browser gets in
    admin.client.post("/logout", data={"csrf_token": admin.csrf("/")})
    codes = [admin.login("thandi", WRONG).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]  # the known browser meets a limit of its own


def test_a_password_typed_as_the_user_name_stays_out_of_the_audit_trail(admin):
    secret = "Tr0ub4dor&3-typed-in-the-wrong-box"
    assert admin.login(secret, "anything").status_code == 401
    with admin.store.engine.connect() as conn:
        events = conn.execute(select(AuditEventRow)).all()
        attempts = conn.execute(select(users.ATTEMPTS)).all()
    assert events and not any(secret in repr(tuple(e)) for e in events)
    assert attempts and not any(secret in repr(tuple(a)) for a in attempts)


def test_the_openapi_document_needs_a_login(admin):
    assert admin.client.get("/api/openapi.json").status_code == 401
    add_user(admin.store, "thandi", "viewer")
    admin.login("thandi")
    assert "/api/uploads" in admin.client.get("/api/openapi.json").json()["paths"]


def test_head_answers_like_get_for_uptime_monitors(admin):
    assert admin.client.head("/login").status_code == 200
    assert admin.client.head("/", follow_redirects=False).status_code in (302, 303)
    add_user(admin.store, "thandi", "viewer")
    admin.login("thandi")
    home = admin.client.head("/")
    assert home.status_code == 200 and home.content == b""


def test_a_new_password_revokes_the_users_api_tokens(store):
    add_user(store, "thandi", "billing")
    with store.engine.begin() as conn:
        token = users.create_token(conn, users.by_name(conn, "thandi"), "script", now=START)
        users.set_password(conn, "thandi", "another long password", now=START)
    with store.engine.connect() as conn:
        assert users.user_of_token(conn, token, now=START + timedelta(minutes=1)) is None
