"""The admin app in-process (FastAPI's TestClient) on the real store, SQLite and PostgreSQL,
with a clock the tests can move."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from admin.app import create_app
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.uploads import queue as uploads
from sync.upsert import upsert
from sync.users import accounts as users

PASSWORD = "correct horse battery"
START = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Admin:
    client: TestClient
    clock: Clock
    store: object

    def login(self, name: str, password: str = PASSWORD) -> object:
        page = self.client.get("/login")
        return self.client.post("/login", data={"name": name, "password": password,
                                                "csrf_token": csrf_of(page.text),
                                                "next": "/"}, follow_redirects=False)

    def csrf(self, path: str = "/uploads") -> str:
        return csrf_of(self.client.get(path).text)

    def act(self, document: str, action: str, reason: str | None = None, **extra: str):
        data = {"action": action, "csrf_token": self.csrf(), **extra}
        if reason:
            data["reason"] = reason
        return self.client.post(f"/uploads/{document}/act", data=data)

    def state(self, document: str) -> str:
        with self.store.engine.connect() as conn:  # type: ignore[attr-defined]
            return uploads.by_document(conn, document).state


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def add_user(store, name: str, role: str) -> None:
    with store.engine.begin() as conn:
        users.add_user(conn, name=name, role=role, password=PASSWORD, now=START)


def add_uploads(store, count: int, *, state: str = "review", portal: str = "demo-coupa",
                customer: str = "0000100001", name: str = "Karoo Mining (Pty) Ltd",
                first: int = 90000001, reason: str | None = None) -> list[str]:
    """``count`` uploads of one customer, moved to ``state`` through the state machine."""
    now = START - timedelta(hours=1)
    documents = [f"{first + i:010d}" for i in range(count)]
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [{
            "company_code": "1000", "number": customer, "name": name, "vat_number": None,
            "payment_terms": None, "email": None, "phone": None, "city": None,
            "country": "ZA", "customer_group": None, "portal": portal, "synced_at": now}],
            CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [{
            "number": d, "doc_type": "F2", "company_code": "1000", "sold_to": customer,
            "payer": customer, "billing_date": date(2026, 11, 24), "net": "1000.00",
            "tax": "150.00", "gross": "1150.00", "currency": "ZAR", "customer_po": "PO-1",
            "accounting_document": None, "fiscal_year": 2026, "cancelled": False,
            "changed_at": now, "synced_at": now} for d in documents], BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=now, portals=[portal])
        route = {"review": ["review"], "ready": ["ready"], "held": ["held"],
                 "failed": ["ready", "failed"]}[state]
        for document in documents:
            upload = uploads.by_document(conn, document)
            for target in route:
                uploads.transition(conn, upload.id, target, now=now,
                                   reason=reason if target == state else None)
    return documents


@pytest.fixture
def admin(store, settings) -> Iterator[Admin]:
    clock = Clock()
    app = create_app(settings, engine=store.engine, clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Admin(client=client, clock=clock, store=store)
