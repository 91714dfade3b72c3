"""``arbridge users`` and ``arbridge serve`` run as a user would (subprocesses)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests
from sqlalchemy import select

from config.settings import load_settings
from sync.store import open_store
from sync.users import accounts as users
from tests.workers.cli.test_app import ARBRIDGE, arbridge


def init(workdir: Path, **env: str) -> None:
    """``arbridge init``: the store the other commands need."""
    done = arbridge(workdir, "init", **env)
    assert done.returncode == 0, done.stderr


def test_users_add_reads_the_password_from_stdin_and_stores_only_its_hash(tmp_path: Path):
    password = "a long enough secret"
    init(tmp_path)
    done = subprocess.run([ARBRIDGE, "users", "add", "thandi", "--role", "billing"],
                          cwd=tmp_path, input=password + "\n", capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert password not in done.stdout + done.stderr
    store = open_store(load_settings(home=tmp_path / "var"))
    with store.engine.connect() as conn:
        assert users.authenticate(conn, "thandi", password).role == "billing"
        assert password not in str(conn.execute(select(users.USERS)).all())
    listed = arbridge(tmp_path, "users", "list")
    assert listed.stdout == "thandi\tbilling\n"
    again = arbridge(tmp_path, "users", "add", "thandi", "--role", "viewer")
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = arbridge(tmp_path, "users", "add", "vusi", "--role", "root")
    assert bad.returncode != 0 and "administrator, billing, collector, viewer" in bad.stderr


def test_users_add_refuses_a_short_password(tmp_path: Path):
    init(tmp_path)
    done = subprocess.run([ARBRIDGE, "users", "add", "vusi", "--role", "viewer"], cwd=tmp_path,
                          input="short\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "at least 10 characters" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _first_answer(server: subprocess.Popen, url: str, *, within_s: float) -> requests.Response:
    """The page at ``url`` once ``server`` (still running) listens."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            assert server.poll() is None and time.monotonic() < deadline, "no admin app"
            time.sleep(0.2)


def test_serve_listens_on_loopback_and_shows_the_login(tmp_path: Path):
    port = _free_port()
    init(tmp_path)
    server = subprocess.Popen([ARBRIDGE, "serve", "--port", str(port)], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _first_answer(server, f"http://127.0.0.1:{port}/", within_s=30)
        assert page.url.endswith("/login?next=%2F") and "Log in" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                                   text=True).stdout
        local = [line.split()[3] for line in listening.splitlines()]
        assert local == [f"127.0.0.1:{port}"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_names_the_app_and_its_demo_user_on_stderr_once(tmp_path: Path, capsys):
    from workers.cli.demo_admin import DEMO_USER, announce_admin

    settings = load_settings(home=tmp_path / "var")
    store = open_store(settings, create=True)
    announce_admin(settings, store)
    first = capsys.readouterr()
    assert first.out == "" and "http://127.0.0.1:8080/" in first.err
    password = first.err.split("password ")[1].split(" (shown only now)")[0].strip()
    with store.engine.connect() as conn:
        assert users.authenticate(conn, DEMO_USER, password).role == "administrator"
    announce_admin(settings, store)
    second = capsys.readouterr().err
    assert password not in second and "arbridge users passwd demo" in second


def test_run_serves_the_admin_app_beside_its_workers(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env.update(ARBRIDGE_ADMIN__PORT=str(port),
               ARBRIDGE_SCHEDULE='{"sap-pull": "", "portal-upload": ""}')
    init(tmp_path)
    server = subprocess.Popen([ARBRIDGE, "run"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _first_answer(server, f"http://127.0.0.1:{port}/login", within_s=60)
        assert page.status_code == 200 and "Log in" in page.text
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
