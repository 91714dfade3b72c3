"""The last line of defence: a secret planted in evidence files, inside trace.zip members in
the forms a browser writes it, is gone before the evidence is kept; the rest is untouched."""

from __future__ import annotations

import json
import zipfile
from html import escape
from urllib.parse import quote_plus

from portals.redact import Redactor, encodings

PASSWORD = 'p@ss "w0rd" & <more>/?'
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
COOKIE = "BY90WN-iiyb4JpB0Ttthgs49H5vYZ6y8"


def plant(folder):  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True)
    (folder / "values.json").write_text(json.dumps({"po_number": "4500000001",
                                                    "note": PASSWORD}))
    (folder / "result.txt").write_text(f"failed: cookie {COOKIE} seen\n")
    with zipfile.ZipFile(folder / "trace.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trace.trace", json.dumps({"type": "action", "method": "fill",
                                                    "params": {"value": PASSWORD}}) + "\n")
        archive.writestr("trace.network", json.dumps({"request": {"headers": [
            {"name": "Cookie", "value": f"coupa_session={COOKIE}"}]}}) + "\n")
        archive.writestr("resources/body.dat",
                         f"user%5Bpassword%5D={quote_plus(PASSWORD)}&otp={TOTP}")
        archive.writestr("resources/snapshot.html",
                         f'<input value="{escape(PASSWORD)}"><p>Invoice 90000031</p>')
    (folder / "screenshot.png").write_bytes(b"\x89PNG\r\n" + TOTP.encode() + b"\x00" * 50)


def every_byte(folder):  # type: ignore[no-untyped-def]
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.read_bytes()
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    yield from (archive.read(n) for n in archive.namelist())


def test_planted_secrets_are_redacted_from_every_file_and_trace_member(tmp_path):
    folder = tmp_path / "attempt-1"
    plant(folder)
    redactor = Redactor([PASSWORD, TOTP])
    redactor.add_cookies([COOKIE, "1"])  # a one-character flag cookie is not a secret
    assert redactor.scrub_folder(folder) >= 6
    forms = encodings(PASSWORD) | encodings(TOTP) | encodings(COOKIE)
    for content in every_byte(folder):
        assert not any(form in content for form in forms)
    with zipfile.ZipFile(folder / "trace.zip") as archive:
        assert sorted(archive.namelist()) == ["resources/body.dat", "resources/snapshot.html",
                                              "trace.network", "trace.trace"]
        assert b"Invoice 90000031" in archive.read("resources/snapshot.html")
        assert json.loads(archive.read("trace.trace"))["params"]["value"] == "[redacted]"
    assert json.loads((folder / "values.json").read_text())["po_number"] == "4500000001"
    assert not (folder / "screenshot.png").exists()  # an image cannot be redacted: removed


def test_evidence_without_secrets_is_left_byte_for_byte(tmp_path):
    folder = tmp_path / "attempt-1"
    folder.mkdir()
    (folder / "result.txt").write_text("submitted: Invoice 90000031 submitted for approval\n")
    before = (folder / "result.txt").read_bytes()
    assert Redactor([PASSWORD, TOTP]).scrub_folder(folder) == 0
    assert (folder / "result.txt").read_bytes() == before
