"""Settings of the admin web app (``[admin]`` in ``arbridge.toml``, ``ARBRIDGE_ADMIN__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AdminSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="address `arbridge serve` listens on")
    port: int = Field(default=8080, ge=1, le=65535)
    session_idle_minutes: int = Field(
        default=8 * 60, ge=1, description="a session ends after this long without a request")
    session_max_hours: int = Field(
        default=12, ge=1, description="a session ends this long after the login, whatever")
    login_window_minutes: int = Field(
        default=15, ge=1, description="failed logins are counted over this window")
    login_max_failures_per_user: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_max_failures_per_device: int = Field(
        default=5, ge=1, description="wrong passwords from a browser that logged in as the "
        "user before; counted apart, so others' wrong passwords cannot lock the user out")
    forwarded_allow_ips: str = Field(
        default="", description="proxies trusted for X-Forwarded-Proto/-For (comma "
        "separated addresses; empty: none). Behind them the cookie is Secure and the rate "
        "limit sees the client's address; from any other address these headers are ignored, "
        "so a client cannot pick the address the rate limit counts")
    page_size: int = Field(default=50, ge=10, le=200, description="rows per page in lists")
