"""Evidence follows the home: a pack written by a run under ``ARBRIDGE_HOME=./var`` is shown by
the web app started from another folder, and rows stored by the old version (paths relative
to the run's working folder) are converted by the migration."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select

from portals.evidence import EvidencePack
from sync.db import _alembic_config
from sync.tables import table_of
from sync.uploads import queue as uploads
from sync.uploads.models import UploadAttemptRow
from tests.admin.conftest import add_uploads, add_user

ATTEMPTS = table_of(UploadAttemptRow)


def _attempt(store, document: str, evidence: str) -> None:
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        upload = uploads.by_document(conn, document)
        attempt = uploads.begin_attempt(conn, upload, now=now)
        uploads.finish_attempt(conn, attempt, now=now, outcome="failed", detail="rejected",
                               evidence=evidence)


def test_screenshot_of_a_run_under_a_relative_home_shows_when_served_from_elsewhere(
        admin, settings, tmp_path, monkeypatch):
    add_user(admin.store, "thandi", "viewer")
    [document] = add_uploads(admin.store, 1, state="ready")
    # the run: started in the home's parent with ARBRIDGE_HOME=./<home>
    monkeypatch.chdir(settings.home.parent)
    pack = EvidencePack(Path(settings.home.name) / "evidence", "demo-coupa", document, 1)
    pack.screenshot_path.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    _attempt(admin.store, document, pack.stored)
    # the web app: started from another folder, the home given as an absolute path
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    admin.login("thandi")
    page = admin.client.get(f"/uploads/{document}/attempts/1").text
    assert "No screenshot" not in page
    assert f'src="/uploads/{document}/attempts/1/screenshot.png"' in page
    shot = admin.client.get(f"/uploads/{document}/attempts/1/screenshot.png")
    assert shot.status_code == 200 and shot.content.startswith(b"\x89PNG")


def test_migration_makes_old_evidence_paths_relative_to_the_home(store, settings):
    documents = add_uploads(store, 3, state="ready")
    old = {documents[0]: f"var/evidence/demo-coupa/{documents[0]}/attempt-1",
           documents[1]: f"/srv/arbridge/var/evidence/demo-coupa/{documents[1]}/attempt-1/",
           documents[2]: "somewhere/else"}
    for document, path in old.items():
        _attempt(store, document, path)
    config = _alembic_config()
    before = ScriptDirectory.from_config(config).get_revision("0010")
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, str(before.down_revision))
        command.upgrade(config, "head")
    with store.engine.connect() as conn:
        stored = sorted(conn.execute(select(ATTEMPTS.c.evidence)).scalars())
    assert stored == sorted([f"evidence/demo-coupa/{documents[0]}/attempt-1",
                             f"evidence/demo-coupa/{documents[1]}/attempt-1",
                             "somewhere/else"])
