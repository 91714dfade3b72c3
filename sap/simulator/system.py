"""The simulated SAP system: its SQLite state, clock, logon, faults and test hooks."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sap.simulator import billing
from sap.simulator import seed as seeding
from sap.simulator.accounting import LOGICAL_SYSTEM
from sap.simulator.clearing_run import automatic_clearing
from sap.simulator.connection import Connection
from sap.simulator.ddic import TABLES, create_statements, missing_columns
from sap.simulator.faults import Faults

#: T041C as delivered: 01 keeps the original's posting date, 02 allows another one
REVERSAL_REASONS = [("01", "", "Reversal in current period"),
                    ("02", "X", "Reversal in closed period")]


class SapSimulator:
    """One simulated SAP system, persisted in ``path``.

    ``connect(**params)`` is a drop-in for ``pyrfc.Connection(**params)``; pass it as the rfc
    adapter's connection factory.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.faults = Faults()
        #: the order RFC_READ_TABLE returns rows in (not the key's): a hash of key and salt
        self.row_salt = "ARB"
        #: whether this release's RFC_READ_TABLE has the GET_SORTED option
        self.sort_option = False
        with self.open_db() as db:
            for statement in create_statements():
                db.execute(statement)
            for statement in missing_columns(db):
                db.execute(statement)
            # documents of a simulator from before reference types: BAPI's through the
            # interface (BKPFF, with the logical system), the rest FI's own (BKPF)
            db.execute("UPDATE BKPF SET AWTYP = CASE TCODE WHEN 'BAPI' THEN 'BKPFF' ELSE "
                       "'BKPF' END, AWKEY = BELNR || BUKRS || GJAHR, AWSYS = CASE TCODE WHEN "
                       "'BAPI' THEN ? ELSE '' END WHERE AWTYP = ''", (LOGICAL_SYSTEM,))
            db.executemany("INSERT OR IGNORE INTO T041C VALUES (?, ?, ?)", REVERSAL_REASONS)

    # -- plumbing -----------------------------------------------------------------------------
    def open_db(self) -> sqlite3.Connection:
        # one caller at a time, but not always from the thread that opened it (read-ahead)
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.create_function("SIM_ORDER", 1, self._row_order, deterministic=False)
        return db

    def _row_order(self, key: str) -> int:
        return zlib.crc32(f"{self.row_salt}{key}".encode())

    def connect(self, **params: Any) -> Connection:
        return Connection(simulator=self, **params)

    def _state(self, key: str) -> str | None:
        db = self.open_db()
        try:
            row = db.execute("SELECT VALUE FROM SIM_STATE WHERE KEY = ?", (key,)).fetchone()
        finally:
            db.close()
        return row[0] if row else None

    def _set_state(self, key: str, value: str) -> None:
        db = self.open_db()
        try:
            with db:
                db.execute("INSERT OR REPLACE INTO SIM_STATE VALUES (?, ?)", (key, value))
        finally:
            db.close()

    # -- clock and logon ----------------------------------------------------------------------
    def today(self) -> date:
        """The system date: a pinned date if set (tests, benchmarks), else today's."""
        pinned = self._state("today")
        return date.fromisoformat(pinned) if pinned else date.today()

    def logon(self) -> tuple[str, str] | None:
        user, password = self._state("logon_user"), self._state("logon_password")
        return (user, password) if user and password is not None else None

    def set_logon(self, user: str, password: str, client: str | None = None) -> None:
        """Require these credentials (and client) from now on (by default any logon is
        accepted)."""
        self._set_state("logon_user", user)
        self._set_state("logon_password", password)
        if client is not None:
            self._set_state("logon_client", client)

    def client(self) -> str | None:
        return self._state("logon_client")

    # -- seeding ------------------------------------------------------------------------------
    def is_seeded(self) -> bool:
        return self._state("seeded") is not None

    def seed(self, *, customers: int = 500, documents: int = 3000, seed: int = 20261123,
             company_code: str = "1000",
             progress: Callable[[int], None] | None = None) -> bool:
        """Seed once; returns False (and changes nothing) if already seeded."""
        if self.is_seeded():
            return False
        db = self.open_db()
        try:
            seeding.seed(db, customers=customers, documents=documents, seed=seed,
                         company_code=company_code, today=self.today(), progress=progress)
        finally:
            db.close()
        self._set_state("seeded", f"{customers} customers, {documents} documents, seed {seed}")
        return True

    # -- changes made "in SAP" (what users do in VF02, XD02, FB05 …) --------------------------
    def change_billing_document(self, vbeln: str, *, customer_po: str | None = None,
                                cancel: bool = False, net: Decimal | None = None) -> None:
        """Change a billing document as VF02 would (AEDAT becomes today); ``cancel`` cancels
        it as VF11 does (see :meth:`cancel_billing_document`). ``net`` is the real amount."""
        if cancel:
            self.cancel_billing_document(vbeln)
        if customer_po is None and net is None:
            return
        db = self.open_db()
        try:
            with db:
                row = db.execute("SELECT WAERK FROM VBRK WHERE VBELN = ?", (vbeln,)).fetchone()
                if not row:
                    raise KeyError(f"billing document {vbeln} does not exist")
                today = self.today().strftime("%Y%m%d")
                db.execute("UPDATE VBRK SET AEDAT = ? WHERE VBELN = ?", (today, vbeln))
                if net is not None:  # the items repriced, the header their sums
                    billing.reprice(db, vbeln, net=net)
                if customer_po is not None:
                    db.execute(
                        "UPDATE VBKD SET BSTKD = ? WHERE POSNR = '000000' AND VBELN IN "
                        "(SELECT AUBEL FROM VBRP WHERE VBELN = ?)", (customer_po, vbeln))
        finally:
            db.close()

    def cancel_billing_document(self, vbeln: str) -> str:
        """Cancel a billing document as VF11 does: a new cancellation document (type S1)
        whose SFAKN names the original; the original gets FKSTO but keeps its change date;
        its open item is cleared against the cancellation. Returns the new number."""
        db = self.open_db()
        try:
            with db:
                row = db.execute("SELECT * FROM VBRK WHERE VBELN = ?", (vbeln,)).fetchone()
                if not row:
                    raise KeyError(f"billing document {vbeln} does not exist")
                names = [f.name for f in TABLES["VBRK"][1]]
                values = dict(zip(names, row, strict=False))
                number = f"{int(db.execute('SELECT MAX(VBELN) FROM VBRK').fetchone()[0]) + 1:010d}"
                now, today = datetime.now(), self.today().strftime("%Y%m%d")
                values.update(VBELN=number, FKART="S1", FKDAT=today, SFAKN=vbeln, FKSTO="",
                              XBLNR=vbeln, ERNAM="SIMUSER", ERDAT=today,
                              ERZET=now.strftime("%H%M%S"), AEDAT="00000000")
                db.execute(f"INSERT INTO VBRK ({', '.join(values)}) VALUES "
                           f"({', '.join('?' * len(values))})", list(values.values()))
                db.execute("UPDATE VBRK SET FKSTO = 'X' WHERE VBELN = ?", (vbeln,))
                db.execute("DELETE FROM BSID WHERE VBELN = ? AND BLART = 'RV'", (vbeln,))
            return number
        finally:
            db.close()

    def credit_memo(self, vbeln: str, net: Decimal) -> str:
        """A credit memo (G2) for ``net`` of invoice ``vbeln``, as VF01 makes one with
        reference to it: XBLNR names the invoice, its item the same sales order (so the same
        customer PO). Returns the new number."""
        db = self.open_db()
        try:
            with db:
                row = db.execute("SELECT * FROM VBRK WHERE VBELN = ?", (vbeln,)).fetchone()
                if not row:
                    raise KeyError(f"billing document {vbeln} does not exist")
                values = dict(zip([f.name for f in TABLES["VBRK"][1]], row, strict=False))
                tax = billing.vat(net, values["WAERK"])  # one item: its VAT is the header's
                number = f"{int(db.execute('SELECT MAX(VBELN) FROM VBRK').fetchone()[0]) + 1:010d}"
                now, today = datetime.now(), self.today().strftime("%Y%m%d")
                values.update(VBELN=number, FKART="G2", FKDAT=today, SFAKN="", FKSTO="",
                              XBLNR=vbeln, BELNR="", ERNAM="SIMUSER", ERDAT=today,
                              ERZET=now.strftime("%H%M%S"), AEDAT="00000000",
                              NETWR=seeding.internal(net, values["WAERK"]),
                              MWSBK=seeding.internal(tax, values["WAERK"]))
                db.execute(f"INSERT INTO VBRK ({', '.join(values)}) VALUES "
                           f"({', '.join('?' * len(values))})", list(values.values()))
                item = db.execute("SELECT * FROM VBRP WHERE VBELN = ? ORDER BY POSNR LIMIT 1",
                                  (vbeln,)).fetchone()
                if item:
                    names = [f.name for f in TABLES["VBRP"][1]]
                    line = dict(zip(names, item, strict=False))
                    line.update(VBELN=number, NETWR=values["NETWR"], MWSBP=values["MWSBK"])
                    db.execute(f"INSERT INTO VBRP ({', '.join(line)}) VALUES "
                               f"({', '.join('?' * len(line))})", list(line.values()))
            return number
        finally:
            db.close()

    def reprice_billing_documents(self, vbelns: list[str], factor: Decimal) -> None:
        """Change many billing documents at once (a price correction run): AEDAT is today."""
        today = self.today().strftime("%Y%m%d")
        db = self.open_db()
        try:
            with db:
                for vbeln in vbelns:
                    billing.reprice(db, vbeln, factor=factor)
                    db.execute("UPDATE VBRK SET AEDAT = ? WHERE VBELN = ?", (today, vbeln))
        finally:
            db.close()

    def change_customer(self, kunnr: str, *, name: str | None = None,
                        email: str | None = None, city: str | None = None) -> None:
        """Change a customer master as XD02 would. The name is the customer's own (change
        document class DEBI, object id the customer number); e-mail and city belong to the
        central address (class ADRESSE, object id a 4-character group and the address
        number), so they leave no DEBI change document."""
        db = self.open_db()
        try:
            with db:
                adrnr = db.execute("SELECT ADRNR FROM KNA1 WHERE KUNNR = ?",
                                   (kunnr,)).fetchone()[0]
                changes: list[tuple[str, str]] = []
                if name is not None:
                    db.execute("UPDATE KNA1 SET NAME1 = ? WHERE KUNNR = ?", (name, kunnr))
                    changes.append(("DEBI", kunnr))
                if city is not None:
                    db.execute("UPDATE KNA1 SET ORT01 = ? WHERE KUNNR = ?", (city, kunnr))
                if email is not None:
                    db.execute("UPDATE ADR6 SET SMTP_ADDR = ? WHERE ADDRNUMBER = ? AND "
                               "PERSNUMBER = '' AND FLGDEFAULT = 'X'", (email, adrnr))
                if email is not None or city is not None:
                    changes.append(("ADRESSE", f"BP  {adrnr}"))
                now = datetime.now()
                for objectclass, objectid in changes:
                    number = db.execute("SELECT COUNT(*) FROM CDHDR").fetchone()[0] + 1
                    db.execute("INSERT INTO CDHDR VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (objectclass, objectid, f"{number:010d}", "SIMUSER",
                                self.today().strftime("%Y%m%d"), now.strftime("%H%M%S"),
                                "XD02"))
        finally:
            db.close()

    def clear_open_item(self, belnr: str, fiscal_year: str | None = None,
                        company_code: str = "1000") -> None:
        """Clear an open item (a payment was allocated in SAP): it leaves BSID. Without a
        fiscal year the number must be unique among open items."""
        db = self.open_db()
        try:
            with db:
                where, params = _document_key(db, belnr, fiscal_year, company_code)
                db.execute(f"DELETE FROM BSID WHERE {where}", params)
        finally:
            db.close()

    def run_automatic_clearing(self, company_code: str = "1000") -> int:
        """The F.13 job on the OB74 criteria (:meth:`set_clearing_criteria`): clear each group
        of a customer's items with equal currency and criteria that nets to zero. Returns the
        number of clearing documents."""
        db = self.open_db()
        try:
            with db:
                return automatic_clearing(db, company_code, self.today())
        finally:
            db.close()

    def set_clearing_criteria(self, *fields: str) -> None:
        """OB74 for account type D: the fields F.13 groups a customer's items by."""
        from sap.simulator.clearing_run import set_criteria

        db = self.open_db()
        try:
            with db:
                set_criteria(db, tuple(fields))
        finally:
            db.close()

    def documents(self, reference: str | None = None) -> list[dict[str, str]]:
        """FI documents (BKPF) posted in the simulator, optionally with one reference."""
        db = self.open_db()
        db.row_factory = sqlite3.Row
        try:
            query = "SELECT * FROM BKPF"
            params: tuple[str, ...] = ()
            if reference is not None:
                query, params = query + " WHERE XBLNR = ?", (reference,)
            return [dict(r) for r in db.execute(query + " ORDER BY BELNR", params)]
        finally:
            db.close()

    def is_open(self, belnr: str, fiscal_year: str | None = None,
                company_code: str = "1000", customer: str | None = None) -> bool:
        """Whether the document (company code, number, fiscal year; a customer's items only
        if ``customer``) has an open item."""
        db = self.open_db()
        try:
            where, params = _document_key(db, belnr, fiscal_year, company_code)
            if customer is not None:
                where, params = where + " AND KUNNR = ?", (*params, customer)
            return db.execute(f"SELECT 1 FROM BSID WHERE {where}", params).fetchone() \
                is not None
        finally:
            db.close()

    def archive_pdf(self, vbeln: str, content: bytes) -> str:
        """Archive a printed invoice for a billing document (as output type RD00 would)."""
        db = self.open_db()
        try:
            with db:
                number = db.execute("SELECT COUNT(*) FROM SIM_ARCHIVE").fetchone()[0] + 1
                doc_id = f"ARB{number:037d}"
                db.execute("INSERT INTO SIM_ARCHIVE VALUES (?, 'VBRK', 'A1', ?, ?, ?)",
                           (vbeln, doc_id, self.today().strftime("%Y%m%d"), content))
            return doc_id
        finally:
            db.close()

    def counts(self) -> dict[str, int]:
        db = self.open_db()
        try:
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        finally:
            db.close()


def _document_key(db: sqlite3.Connection, belnr: str, fiscal_year: str | None,
                  company_code: str) -> tuple[str, tuple[str, ...]]:
    """WHERE on BSID by full key; a number without a year must name one document."""
    if fiscal_year is None:
        years = {r[0] for r in db.execute("SELECT GJAHR FROM BSID WHERE BUKRS = ? AND "
                                          "BELNR = ?", (company_code, belnr))}
        if len(years) > 1:
            raise ValueError(f"document {belnr} is open in several fiscal years "
                             f"{sorted(years)}: give the year")
        fiscal_year = next(iter(years), "0000")
    return "BUKRS = ? AND BELNR = ? AND GJAHR = ?", (company_code, belnr, str(fiscal_year))
