"""No secret in any evidence file, ever: the password, the TOTP seed and the session cookies
are searched for in every kept file, inside the Playwright traces too, after failures that
force a login in the middle of the recording."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

from portals.demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.e2e.conftest import LAYOUT_CHANGE_WAIT_S


def evidence_contents(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every evidence file's bytes, and every member of every trace.zip, unzipped."""
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        yield str(path), path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path}!{member}", archive.read(member)


def record_issued_cookies(world) -> None:  # type: ignore[no-untyped-def]
    """Keep every session token the demo portal hands out (expired ones are deleted)."""
    world.state._write("CREATE TABLE IF NOT EXISTS issued (token TEXT)")
    world.state._write("CREATE TRIGGER IF NOT EXISTS keep_issued AFTER INSERT ON session "
                       "BEGIN INSERT INTO issued VALUES (new.token); END")


def issued_cookies(world) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[0] for row in world.state._query("SELECT token FROM issued")]


def assert_no_secret(world) -> None:  # type: ignore[no-untyped-def]
    secrets = [DEMO_PASSWORD, DEMO_TOTP_SECRET, *issued_cookies(world)]
    forms = {form for s in secrets for form in (s, quote(s, safe=""), quote_plus(s),
                                                json.dumps(s)[1:-1])}
    files = list(evidence_contents(world.settings.evidence_path))
    assert any(name.endswith("trace.zip") for name, _ in files), "no trace was kept"
    for name, content in files:
        for form in forms:
            assert form.encode() not in content, f"a secret is in {name}"


def traced_logins(root: Path) -> list[str]:
    """The login requests recorded in the traces (the login must happen outside them)."""
    found = []
    for name, content in evidence_contents(root):
        if name.endswith((".network", ".trace")):
            for line in content.decode(errors="replace").splitlines():
                if ("/login" in line or "/Authn/SignIn" in line) and '"POST"' in line:
                    found.append(name)
    return found


def test_changed_portal_keeps_a_trace_without_the_login_or_any_secret(world):
    record_issued_cookies(world)
    world.add_po("4500000001", "50000.00")
    world.add_invoice(90000031, "4500000001")
    world.state.set_fault("layout", "v2")  # the Orders page fails right after the login
    summary = world.run(timeout_seconds=LAYOUT_CHANGE_WAIT_S)
    assert "page has changed" in summary.errors[world.portal]
    assert issued_cookies(world), "the run never logged in"
    assert traced_logins(world.settings.evidence_path) == []
    assert_no_secret(world)


def test_session_expiring_inside_a_failed_upload_leaves_no_secret_in_its_trace(world):
    record_issued_cookies(world)
    world.add_po("4500000001", "50000.00")
    first = world.add_invoice(90000032, "4500000001")
    world.run()  # logs in and keeps the session
    assert world.upload(first).state == "submitted"
    document = world.add_invoice(90000033, "4500000001")
    world.state.set_fault("layout", "v2-form")  # the upload fails and keeps its trace
    world.state.set_fault("expire_session", 3)  # ... after a login in the middle of it
    world.run(timeout_seconds=LAYOUT_CHANGE_WAIT_S)
    upload = world.upload(document)
    assert upload.state == "failed" and "page has changed" in upload.reason
    assert len(issued_cookies(world)) >= 2, "no second login happened"
    folder = world.evidence(document)[-1]
    assert (folder / "trace.zip").exists()
    assert traced_logins(world.settings.evidence_path) == []
    assert_no_secret(world)
