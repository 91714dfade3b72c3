"""Shared fixtures: a seeded SAP simulator, settings in a temporary home, and the store on
SQLite and on PostgreSQL (a fresh schema per test; fails, never skips, when CI is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from config.settings import Settings, load_settings
from sap.rfc.client import RfcSapClient
from sap.simulator import SapSimulator
from sync.store import Store, open_store

POSTGRES_URL = os.environ.get("ARBRIDGE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SMALL_BOOK = {"customers": 40, "documents": 300}
PAGE_SIZE = 50


def service_unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: integration services must be up)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small seeded simulator database, copied for each test that needs one."""
    path = tmp_path_factory.mktemp("sim") / "template.db"
    simulator = SapSimulator(path)
    simulator.seed(**SMALL_BOOK)
    db = simulator.open_db()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def simulator(tmp_path: Path, seeded_template: Path) -> SapSimulator:
    target = tmp_path / "sap-simulator.db"
    target.write_bytes(seeded_template.read_bytes())
    return SapSimulator(target)


@pytest.fixture
def client(simulator: SapSimulator) -> Iterator[RfcSapClient]:
    sap = RfcSapClient(factory=simulator.connect, params={"user": "ARBRIDGE"},
                       page_size=PAGE_SIZE, timeout_seconds=2, today=simulator.today)
    yield sap
    sap.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema of its own, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure here means the service is down
        admin.dispose()
        service_unavailable(f"PostgreSQL at {POSTGRES_URL}", exc)
    joiner = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings in a temporary home, with the store on SQLite or PostgreSQL."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    return load_settings(home=tmp_path, database_url=url,
                         sap={"page_size": PAGE_SIZE, "simulator_customers": 40,
                              "simulator_billing_documents": 300})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings, create=True)
    yield opened
    opened.engine.dispose()
