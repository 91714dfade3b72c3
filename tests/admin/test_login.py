"""Logging in: sessions, cookies, rate limit, expiry, CSRF, roles, API tokens."""

from __future__ import annotations

from fastapi.testclient import TestClient

from admin.app import create_app
from tests.admin.conftest import PASSWORD, add_uploads, add_user, csrf_of


def test_anonymous_pages_go_to_the_login_and_the_api_answers_401(admin):
    page = admin.client.get("/uploads?state=review", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fuploads%3Fstate%3Dreview"
    api = admin.client.get("/api/uploads")
    assert api.status_code == 401 and "Bearer" in api.json()["detail"]


def test_login_sets_an_httponly_lax_session_cookie_and_lands_where_asked(admin):
    add_user(admin.store, "thandi", "administrator")
    page = admin.client.get("/login?next=/audit")
    done = admin.client.post("/login", data={"name": "thandi", "password": PASSWORD,
                                             "next": "/audit", "csrf_token": csrf_of(page.text)},
                             follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/audit"
    cookie = done.headers["set-cookie"]
    assert "arbridge_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Secure" not in cookie  # plain http on loopback
    assert admin.client.get("/").status_code == 200


def test_session_cookie_is_secure_behind_tls(settings, store):
    add_user(store, "thandi", "administrator")
    app = create_app(settings, engine=store.engine)
    with TestClient(app, base_url="https://admin.example.co.za") as client:
        page = client.get("/login")
        done = client.post("/login", data={"name": "thandi", "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    assert "Secure" in done.headers["set-cookie"]


def test_login_elsewhere_is_not_a_redirect_target(admin):
    add_user(admin.store, "thandi", "administrator")
    page = admin.client.get("/login")
    done = admin.client.post("/login", data={"name": "thandi", "password": PASSWORD,
                                             "next": "//evil.example.com/",
                                             "csrf_token": csrf_of(page.text)},
                             follow_redirects=False)
    assert done.headers["location"] == "/"


def test_wrong_passwords_are_rate_limited_even_for_the_right_one_afterwards(admin):
    add_user(admin.store, "thandi", "administrator")
    codes = [admin.login("thandi", "not the password").status_code for _ in range(5)]
    assert codes == [401] * 5
    refused = admin.login("thandi")
    assert refused.status_code == 429 and "Too many wrong passwords" in refused.text
    admin.clock.advance(minutes=16)
    assert admin.login("thandi").status_code == 303


def test_login_form_without_its_csrf_token_is_refused(admin):
    add_user(admin.store, "thandi", "administrator")
    admin.client.get("/login")
    refused = admin.client.post("/login", data={"name": "thandi", "password": PASSWORD})
    assert refused.status_code == 403 and "security token" in refused.text


def test_session_expires_after_a_quiet_spell(admin):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    admin.clock.advance(hours=8, minutes=1)
    assert admin.client.get("/", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(admin):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    cookie = admin.client.cookies.get("arbridge_session")
    admin.client.post("/logout", data={"csrf_token": admin.csrf("/")})
    admin.client.cookies.set("arbridge_session", cookie)
    assert admin.client.get("/", follow_redirects=False).status_code == 303


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(admin):
    add_user(admin.store, "thandi", "administrator")
    [document] = add_uploads(admin.store, 1)
    admin.login("thandi")
    refused = admin.client.post(f"/uploads/{document}/act", data={"action": "approve"})
    forged = admin.client.post(f"/uploads/{document}/act",
                               data={"action": "approve", "csrf_token": "guessed"})
    assert (refused.status_code, forged.status_code) == (403, 403)
    assert admin.state(document) == "review"
    assert admin.act(document, "approve").status_code == 200
    assert admin.state(document) == "ready"


def test_a_viewer_sees_the_queue_but_cannot_act(admin):
    add_user(admin.store, "vusi", "viewer")
    [document] = add_uploads(admin.store, 1)
    admin.login("vusi")
    page = admin.client.get("/uploads")
    assert document in page.text and "Approve" not in page.text
    refused = admin.act(document, "approve")
    assert refused.status_code == 403 and "may not do this" in refused.text
    assert admin.state(document) == "review"


def test_api_tokens_are_per_user_and_need_no_csrf(admin):
    add_user(admin.store, "thandi", "administrator")
    [document] = add_uploads(admin.store, 1)
    admin.login("thandi")
    made = admin.client.post("/tokens", data={"label": "nightly",
                                              "csrf_token": admin.csrf("/tokens")})
    token = made.text.split('class="token">')[1].split("<")[0]
    assert "/api/uploads/{document}/{action}" in made.text  # the API's operations listed
    assert token not in admin.client.get("/tokens").text  # shown once only
    admin.client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert admin.client.get("/api/me", headers=bearer).json()["role"] == "administrator"
    approved = admin.client.post(f"/api/uploads/{document}/approve", headers=bearer)
    assert approved.status_code == 200 and approved.json()["state"] == "ready"
    again = admin.client.post(f"/api/uploads/{document}/approve", headers=bearer)
    assert again.status_code == 409 and "is ready" in again.json()["detail"]
    assert admin.client.get("/api/me", headers={"Authorization": "Bearer arb_nope"}
                            ).status_code == 401


def test_a_session_calling_the_api_needs_the_csrf_header(admin):
    add_user(admin.store, "thandi", "administrator")
    [document] = add_uploads(admin.store, 1)
    admin.login("thandi")
    assert admin.client.post(f"/api/uploads/{document}/approve").status_code == 403
    ok = admin.client.post(f"/api/uploads/{document}/approve",
                           headers={"X-CSRF-Token": admin.csrf("/")})
    assert ok.status_code == 200


def test_a_viewer_token_cannot_act_through_the_api(admin):
    add_user(admin.store, "vusi", "viewer")
    [document] = add_uploads(admin.store, 1)
    admin.login("vusi")
    made = admin.client.post("/tokens", data={"label": "x", "csrf_token": admin.csrf("/tokens")})
    token = made.text.split('class="token">')[1].split("<")[0]
    refused = admin.client.post(f"/api/uploads/{document}/approve",
                                headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and admin.state(document) == "review"


def test_only_local_paths_are_followed_after_login():
    from admin.pages.login import safe_next

    assert safe_next("/uploads?state=review") == "/uploads?state=review"
    for target in ("//evil.example.com/", "https://evil.example.com", "/\t/evil.example.com",
                   "/\\evil.example.com", None, ""):
        assert safe_next(target) == "/"


def test_the_openapi_schema_describes_the_api_and_its_bearer_tokens(admin):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    schema = admin.client.get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    assert {"/api/uploads", "/api/uploads/bulk", "/api/audit", "/api/dashboard"} <= set(
        schema["paths"])
    assert not any(path.startswith(("/login", "/uploads")) for path in schema["paths"])
