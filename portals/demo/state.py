"""The demo portal's own state (SQLite): accounts, sessions, POs, invoices and fault switches.

Money is kept as exact decimal text; amounts compare as ``Decimal``.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

SESSION_SECONDS = 30 * 60
STATUSES = ("Pending Approval", "Approved", "Disputed", "Paid", "Rejected")
# Every invoice, including second copies of a number (stored only with ``accept_duplicates``).
_ALL_INVOICES = "(SELECT * FROM invoice UNION ALL SELECT * FROM invoice_copy)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS account (login TEXT PRIMARY KEY, password TEXT NOT NULL,
    totp_secret TEXT);
CREATE TABLE IF NOT EXISTS session (token TEXT PRIMARY KEY, login TEXT NOT NULL,
    expires_at REAL NOT NULL, verified INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS purchase_order (number TEXT PRIMARY KEY, client TEXT NOT NULL,
    issued TEXT NOT NULL, total TEXT NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL,
    valid_to TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoice (number TEXT PRIMARY KEY, po_number TEXT NOT NULL,
    invoice_date TEXT NOT NULL, net TEXT NOT NULL, tax TEXT NOT NULL, gross TEXT NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    attachment_name TEXT NOT NULL, attachment_size INTEGER NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS invoice_copy (number TEXT NOT NULL, po_number TEXT NOT NULL,
    invoice_date TEXT NOT NULL, net TEXT NOT NULL, tax TEXT NOT NULL, gross TEXT NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    attachment_name TEXT NOT NULL, attachment_size INTEGER NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS draft (id TEXT PRIMARY KEY, payload TEXT NOT NULL,
    attachment BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fault (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS invoice_po ON invoice (po_number);
CREATE INDEX IF NOT EXISTS invoice_copy_number ON invoice_copy (number);
CREATE INDEX IF NOT EXISTS invoice_copy_po ON invoice_copy (po_number);
CREATE TABLE IF NOT EXISTS po_billed (po_number TEXT PRIMARY KEY, net TEXT NOT NULL);
"""
# What each PO has billed (not rejected), kept beside the invoices so that reading one PO does
# not sum every invoice on it (10,000 invoices on one PO made each submit scan them all).
_BILLED = ("SELECT po_number, group_concat(net, ' ') FROM " + _ALL_INVOICES +
           " WHERE status != 'Rejected' GROUP BY po_number")


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    number: str
    client: str
    issued: date
    total: Decimal
    invoiced: Decimal
    currency: str
    status: str
    valid_to: date
    description: str

    @property
    def remaining(self) -> Decimal:
        return self.total - self.invoiced

    def is_open(self, today: date) -> bool:
        return self.status == "Open" and self.valid_to >= today


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    po_number: str
    invoice_date: date
    net: Decimal
    tax: Decimal
    gross: Decimal
    currency: str
    status: str
    reason: str
    attachment_name: str
    attachment_size: int


class Rejected(Exception):
    """The portal refuses the invoice; the message is what the supplier sees."""


class PortalState:
    """All reads and writes of one demo portal's SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._db()
        db.executescript(_SCHEMA)
        db.execute("BEGIN IMMEDIATE")  # the billed totals, from the invoices themselves
        db.execute("DELETE FROM po_billed")
        db.executemany("INSERT INTO po_billed VALUES (?, ?)", [
            (po, str(sum((Decimal(v) for v in nets.split()), Decimal("0.00"))))
            for po, nets in db.execute(_BILLED).fetchall()])
        db.execute("COMMIT")

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, kept open: opening one per query, and the checkpoint
        that closing the last one does, cost more than the query."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._db().execute(sql, params).fetchall()

    def _write(self, sql: str, params: tuple = ()) -> None:
        self._db().execute(sql, params)

    @staticmethod
    def _bill(db: sqlite3.Connection, po_number: str, net: Decimal) -> None:
        """Add ``net`` to what ``po_number`` has billed (inside the caller's transaction)."""
        row = db.execute("SELECT net FROM po_billed WHERE po_number = ?", (po_number,)).fetchone()
        total = (Decimal(row[0]) if row else Decimal("0.00")) + net
        db.execute("INSERT OR REPLACE INTO po_billed VALUES (?, ?)", (po_number, str(total)))

    # -- accounts and sessions ----------------------------------------------------------------
    def add_account(self, login: str, password: str, totp_secret: str | None = None) -> None:
        self._write("INSERT OR REPLACE INTO account VALUES (?, ?, ?)",
                    (login, password, totp_secret))

    def account(self, login: str) -> tuple[str, str | None] | None:
        rows = self._query("SELECT password, totp_secret FROM account WHERE login = ?", (login,))
        return rows[0] if rows else None

    def open_session(self, login: str, verified: bool) -> str:
        token = secrets.token_urlsafe(24)
        self._write("INSERT INTO session VALUES (?, ?, ?, ?)",
                    (token, login, time.time() + SESSION_SECONDS, int(verified)))
        return token

    def session(self, token: str | None) -> tuple[str, bool] | None:
        """(login, verified) of a live session, or None if unknown or expired."""
        if not token:
            return None
        if self.countdown_fault("expire_session"):
            self._write("DELETE FROM session WHERE token = ?", (token,))
            return None
        rows = self._query("SELECT login, verified, expires_at FROM session WHERE token = ?",
                           (token,))
        if not rows or rows[0][2] < time.time():
            return None
        return rows[0][0], bool(rows[0][1])

    def verify_session(self, token: str) -> None:
        self._write("UPDATE session SET verified = 1 WHERE token = ?", (token,))

    # -- purchase orders ----------------------------------------------------------------------
    def add_purchase_order(self, *, number: str, client: str, issued: date, total: Decimal,
                           currency: str = "ZAR", status: str = "Open",
                           valid_to: date = date(2099, 12, 31),
                           description: str = "Goods and services as per contract") -> None:
        self._write("INSERT OR REPLACE INTO purchase_order VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (number, client, issued.isoformat(), str(total), currency, status,
                     valid_to.isoformat(), description))

    _PO = ("SELECT p.number, p.client, p.issued, p.total, p.currency, p.status, p.valid_to, "
           "p.description, b.net FROM purchase_order p "
           "LEFT JOIN po_billed b ON b.po_number = p.number")

    def purchase_orders(self) -> list[PurchaseOrder]:
        return [_po(r) for r in self._query(self._PO + " ORDER BY p.number")]

    def purchase_order(self, number: str) -> PurchaseOrder | None:
        rows = self._query(self._PO + " WHERE p.number = ?", (number,))
        return _po(rows[0]) if rows else None

    # -- invoices -----------------------------------------------------------------------------
    def submit_invoice(self, *, number: str, po_number: str, invoice_date: date, net: Decimal,
                       tax: Decimal, currency: str, attachment_name: str,
                       attachment_size: int, today: date) -> Invoice:
        """Validate like a real portal and store the invoice, or raise :class:`Rejected`."""
        if not number.strip():
            raise Rejected("Invoice number is required.")
        if attachment_size <= 0 or not attachment_name.lower().endswith(".pdf"):
            raise Rejected("An invoice PDF attachment is required.")
        po = self.purchase_order(po_number)
        if po is None:
            raise Rejected(f"Purchase order {po_number} was not found.")
        if po.status != "Open":
            raise Rejected(f"Purchase order {po_number} is {po.status.lower()}.")
        if po.valid_to < today:
            raise Rejected(f"Purchase order {po_number} expired on {po.valid_to.isoformat()}.")
        if currency != po.currency:
            raise Rejected(f"Currency {currency} does not match the PO currency {po.currency}.")
        if net > po.remaining and self.fault("accept_over_balance") in (None, "0", ""):
            raise Rejected(f"Invoice amount {net:.2f} exceeds the remaining PO balance "
                           f"{po.remaining:.2f}.")
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            table = "invoice"
            if db.execute("SELECT 1 FROM invoice WHERE number = ?", (number,)).fetchone():
                if not self._accepts_duplicates(db):
                    db.execute("ROLLBACK")
                    raise Rejected(f"Invoice number {number} has already been used.")
                table = "invoice_copy"  # many real portals take a second copy silently
            db.execute(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
                       (number, po_number, invoice_date.isoformat(), str(net), str(tax),
                        str(net + tax), currency, "Pending Approval", attachment_name,
                        attachment_size, time.time()))
            self._bill(db, po_number, net)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        invoice = self.invoice(number)
        assert invoice is not None
        return invoice

    @staticmethod
    def _accepts_duplicates(db: sqlite3.Connection) -> bool:
        row = db.execute("SELECT value FROM fault WHERE name = 'accept_duplicates'").fetchone()
        return bool(row) and row[0] not in ("0", "")

    def invoices(self, search: str = "") -> list[Invoice]:
        """Every invoice whose number contains ``search``, second copies included."""
        return self._invoices("number LIKE ?", f"%{search}%")

    def _invoices(self, where: str, value: str) -> list[Invoice]:
        rows = self._query(
            "SELECT number, po_number, invoice_date, net, tax, gross, currency, status, reason, "
            "attachment_name, attachment_size FROM " + _ALL_INVOICES + f" WHERE {where} "
            "ORDER BY created_at", (value,))
        return [Invoice(r[0], r[1], date.fromisoformat(r[2]), Decimal(r[3]), Decimal(r[4]),
                        Decimal(r[5]), r[6], r[7], r[8], r[9], r[10]) for r in rows]

    def invoice(self, number: str) -> Invoice | None:
        found = self._invoices("number = ?", number)
        return found[0] if found else None

    def set_invoice_status(self, number: str, status: str, reason: str = "") -> None:
        """The client's side of the portal: approve, dispute, pay or reject an invoice."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            for table in ("invoice", "invoice_copy"):
                for po_number, net, was in db.execute(
                        f"SELECT po_number, net, status FROM {table} WHERE number = ?",
                        (number,)).fetchall():
                    if (was == "Rejected") != (status == "Rejected"):  # leaves or joins the PO
                        self._bill(db, po_number,
                                   Decimal(net) if was == "Rejected" else -Decimal(net))
                db.execute(f"UPDATE {table} SET status = ?, reason = ? WHERE number = ?",
                           (status, reason, number))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def copies(self) -> dict[str, int]:
        """How many times each invoice number was stored (more than 1 only with
        ``accept_duplicates``): what a test of exactly-once counts."""
        return dict(self._query("SELECT number, count(*) FROM " + _ALL_INVOICES +
                                " GROUP BY number"))

    # -- two-step drafts (Ariba-style flavour) ------------------------------------------------
    def save_draft(self, payload: str, attachment: bytes) -> str:
        draft_id = secrets.token_hex(8)
        self._write("INSERT INTO draft VALUES (?, ?, ?)", (draft_id, payload, attachment))
        return draft_id

    def draft(self, draft_id: str) -> tuple[str, bytes] | None:
        rows = self._query("SELECT payload, attachment FROM draft WHERE id = ?", (draft_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    # -- fault switches -----------------------------------------------------------------------
    def set_fault(self, name: str, value: Any = 1) -> None:
        """Switches: ``slow_ms``, ``fail_next`` (count of 500s), ``fail_invoice_form`` (count of
        500s on the create-invoice page), ``expire_session`` (the n-th authenticated request
        from now finds its session gone), ``layout`` ("v2" renames fields), ``slow_submit_ms``
        (an invoice POST stores the invoice, then answers that late), ``accept_duplicates``
        (a second invoice with a number already used is stored too, as many real portals do,
        instead of being refused), ``accept_over_balance`` (an invoice beyond the PO's
        remaining balance is stored too: many real portals leave that to the client's AP
        clerk, so only arbridge's own check keeps a PO from being over-committed)."""
        self._write("INSERT OR REPLACE INTO fault VALUES (?, ?)", (name, str(value)))

    def clear_faults(self) -> None:
        self._write("DELETE FROM fault")

    def fault(self, name: str) -> str | None:
        rows = self._query("SELECT value FROM fault WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def countdown_fault(self, name: str) -> bool:
        """A one-shot fault that fires on the n-th check from now (value n), then is spent."""
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT value FROM fault WHERE name = ?", (name,)).fetchone()
            left = int(row[0]) if row else 0
            if left > 0:
                db.execute("UPDATE fault SET value = ? WHERE name = ?", (left - 1, name))
            db.execute("COMMIT")
            return left == 1
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def take_fault(self, name: str) -> bool:
        """Consume one count of a counted fault; True if it fired."""
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT value FROM fault WHERE name = ?", (name,)).fetchone()
            fired = bool(row) and int(row[0]) > 0
            if fired:
                db.execute("UPDATE fault SET value = ? WHERE name = ?", (int(row[0]) - 1, name))
            db.execute("COMMIT")
            return fired
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def _po(r: tuple) -> PurchaseOrder:
    return PurchaseOrder(number=r[0], client=r[1], issued=date.fromisoformat(r[2]),
                         total=Decimal(r[3]), currency=r[4], status=r[5],
                         valid_to=date.fromisoformat(r[6]), description=r[7],
                         invoiced=Decimal(r[8]) if r[8] else Decimal("0.00"))
