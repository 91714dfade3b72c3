"""Uploads over the cXML channel, exactly once over HTTP.

For each upload of a ``kind = "cxml"`` portal, under its claim (``sync.uploads.claims``):

1. ``submitting`` with an attempt, committed before anything leaves;
2. if an earlier attempt may have reached the network (a crash, a timeout, a 5xx, a dropped
   connection), the buyer's lookup first: found (same PO, same gross) ends it as on the portal;
3. the document is built (a line per SAP item, as mirrored with the billing document) and
   validated (DTD, business checks): what fails is held for a person with the exact reason,
   never sent;
4. a fresh payloadID is stored with the attempt, committed, *then* the POST;
5. the answer: accepted → submitted; the network's duplicate refusal → looked up, "already
   there" if the lookup confirms it; any other 4xx → a person with the network's text;
   uncertain (5xx, timeout, drop) → looked up now, and if not (yet) there, retried later —
   with a lookup first.

The evidence pack per attempt holds ``request.xml`` (the shared secret masked),
``response.xml`` and ``result.txt``. Uploads run in worker threads (HTTP, no browser).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from config.errors import ArbridgeError, InputError
from connectors.pdf_checks import PdfNotReady
from portals.accounts import PortalAccount
from portals.driver import PortalInvoice, PortalPurchaseOrder
from portals.drivers.cxml import build
from portals.drivers.cxml.driver import CxmlDriver
from portals.drivers.cxml.errors import CxmlDuplicate, CxmlInvalid
from portals.drivers.cxml.mapping import NO_ROOM
from portals.drivers.cxml.model import BilledItem, CxmlInvoice
from portals.errors import PortalRejected, PortalUnavailable, PortalUncertain
from portals.preparing import prepare
from sync.db import for_threads
from sync.files import private_dir, write_private
from sync.mirror import billing_items
from sync.po import reservations as po_reservations
from sync.store import Store
from sync.tables import table_of
from sync.txn import writing
from sync.uploads import attempts as attempt_rules
from sync.uploads import claims as upload_claims
from sync.uploads import cxml_payloads
from sync.uploads import queue as uploads
from sync.uploads.amounts import amount_hold_reason
from sync.uploads.holds import PoBalance, hold_reason
from sync.work import claims

log = logging.getLogger(__name__)
WORKERS = 8
PDF_WAIT = timedelta(minutes=15)
HOLD_WORDS = ("exceeds", NO_ROOM)  # a new PO releases these
Counter = Callable[[str, str], None]


def _now() -> datetime:
    return datetime.now(UTC)


class CxmlUploads:
    """One cXML portal's due uploads, worked by ``workers`` threads."""

    def __init__(self, *, store: Store, account: PortalAccount, pdfs: object,
                 evidence_root: Path, clock: Callable[[], datetime] = _now,
                 owner: claims.Owner | None = None, lease: timedelta = claims.DEFAULT_LEASE,
                 workers: int = WORKERS, count: Counter | None = None,
                 on_upload: Callable[[str, str, str], None] | None = None,
                 on_po_read: Callable[[str, list[PortalPurchaseOrder]], int] | None = None,
                 driver: CxmlDriver | None = None) -> None:
        self.store, self.account, self.pdfs = store, account, pdfs
        self.work = store  # the threads' store: its engine has small SQLite caches (run)
        self.evidence_root, self.clock = evidence_root, clock
        self.owner = owner or claims.Owner.here()
        self.lease, self.workers = lease, workers
        self.count = count or (lambda portal, outcome: None)
        self.on_upload, self.on_po_read = on_upload, on_po_read
        self.driver = driver or CxmlDriver(account)
        self.tally: dict[str, int] = {}
        self.balances: dict[str, PoBalance] = {}
        self._read_started = _now()  # when the POs were read: the reservations' cut-off
        self._lines = threading.Lock()  # the PO lines' open amounts, shared by the threads
        self._tally_lock = threading.Lock()
        self._terms_of: dict[int, str | None] = {}  # upload id → SAP payment terms
        self._items_of: dict[str, tuple[BilledItem, ...]] = {}  # billing document → items
        self._credits: dict[int, str] = {}  # credit memo upload id → the invoice it credits
        self._released: set[claims.Claim] = set()  # claims given back in _finish's transaction

    # -- the run ------------------------------------------------------------------------------
    def run(self, limit: int | None = None) -> dict[str, int]:
        name = self.account.name
        with self.store.engine.connect() as conn:  # what the network counts is as of now
            self._read_started = po_reservations.store_now(conn)
        orders = self.driver.read_orders()
        with writing(self.store.engine) as conn:
            uploads.save_purchase_orders(conn, name, [
                {"number": o.number, "total": o.total, "invoiced": o.invoiced,
                 "remaining": o.remaining, "currency": o.currency, "open": o.open,
                 "valid_to": o.valid_to} for o in orders], self.clock())
        self.balances = {o.number: PoBalance(o.number, o.remaining, o.currency, o.open,
                                             o.valid_to) for o in orders}
        if self.on_po_read is not None:
            self.on_po_read(name, orders)
        with self.store.engine.connect() as conn:
            work = uploads.due(conn, name, self.clock())
        work = work[:limit] if limit is not None else work
        if work:
            self._read_terms()
            self._read_items([upload.billing_document for upload in work])
            with self.store.engine.connect() as conn:
                self._credits = uploads.credit_memos(conn, name)
            self._send_all(work)
        return self.tally

    def _send_all(self, work: list[uploads.Upload]) -> None:
        """Each upload on the next free thread; one that fails does not stop the others.
        The threads share an engine of their own (``sync.db.for_threads``): with the store's
        16 MB page cache per connection the process grew with every upload on SQLite."""
        self.work = Store(for_threads(self.store.engine))
        try:
            with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(work)))) as pool:
                for _ in pool.map(self._claimed, work):
                    pass
        finally:
            if self.work.engine is not self.store.engine:
                self.work.engine.dispose()
            self.work = self.store

    def _claimed(self, listed: uploads.Upload) -> None:
        taken = upload_claims.claim_upload(self.work.engine, listed.id, self.owner,
                                           now=self.clock(), lease=self.lease)
        if not isinstance(taken, tuple):  # another run has it, or it is done
            return
        claim, upload = taken
        try:
            self._upload(claim, upload)
        except claims.ClaimLost as error:
            log.warning("upload %s: %s", upload.billing_document, error)
        except Exception:
            log.exception("cXML upload %s to %s", upload.billing_document, upload.portal)
        finally:
            if claim not in self._released:  # given back with the result, or now
                upload_claims.release(self.work.engine, claim, now=self.clock())
            self._released.discard(claim)

    # -- one upload ---------------------------------------------------------------------------
    def _upload(self, claim: claims.Claim, upload: uploads.Upload) -> None:
        with writing(self.work.engine) as conn:
            claims.confirm(conn, claim, now=self.clock(), lease=self.lease)
            attempt_id = uploads.begin_attempt(conn, upload, now=self.clock())
            attempt = uploads.get(conn, upload.id).attempts
            sent_before = upload.state == "submitting" or \
                attempt_rules.may_have_reached_portal(conn, upload.id, besides=attempt_id)
        folder = private_dir(self.evidence_root / upload.portal / upload.billing_document /
                             f"attempt-{attempt}")
        def finish(outcome: str, detail: str, answer: tuple[str, int, str] | None = None
                   ) -> None:
            self._finish(claim, upload, attempt_id, folder, outcome, detail, answer)

        try:
            if sent_before or self.account.settings.lookup_new_invoices:
                found = self.driver.lookup(upload.invoice_number)
                with writing(self.work.engine) as conn:
                    claims.confirm(conn, claim, now=self.clock(), lease=self.lease)
                    attempt_rules.close_interrupted(conn, upload.id, current=attempt_id,
                                                    now=self.clock(), on_portal=bool(found))
                if found is not None:
                    finish(*self._already_there(upload, found))
                    return
            reason = amount_hold_reason(net=upload.net, tax=upload.tax,
                                        currency=upload.currency)
            if not reason and upload.id not in self._credits:  # a credit memo bills nothing
                reason = hold_reason(
                    po_number=upload.po_number, net=upload.net, currency=upload.currency,
                    po=self.balances.get(upload.po_number or ""), portal=upload.portal,
                    today=self.clock().date())
            if reason:
                finish("held", reason)
                return
            payload = build.payload_id(self.clock(), _domain(self.driver))
            invoice, document = self._document(upload, payload)
        except CxmlInvalid as error:
            held = any(word in str(error) for word in HOLD_WORDS)
            finish("held" if held else "failed", str(error))
            return
        except PortalUnavailable as error:
            finish("retry", str(error))
            return
        self._send(claim, upload, attempt_id, folder, invoice, payload, document, finish)

    def _document(self, upload: uploads.Upload, payload: str) -> tuple[CxmlInvoice, bytes]:
        """Build and check the document, taking its amounts off the PO lines (given back if
        it does not end on the portal)."""
        original = self._credits.get(upload.id)
        with self._lines:
            invoice = self.driver.invoice_for(
                number=upload.invoice_number,
                purpose="standard" if original is None else "creditMemo",
                billing_date=upload.invoice_date, net=upload.net, tax=upload.tax,
                currency=upload.currency, po_number=upload.po_number or "",
                terms=self._terms(upload), original_invoice=original,
                items=self._items_of.get(upload.billing_document, ()))
            document = self.driver.document(invoice, payload)
            self._take(invoice, sign=-1)
        return invoice, document

    def _take(self, invoice: CxmlInvoice, *, sign: int) -> None:
        order = self.driver.orders.get(invoice.po_number)
        if order is None or invoice.purpose == "creditMemo":  # takes nothing off the lines
            return
        used: dict[int, Decimal] = {}  # several SAP items may bill one PO line
        for line in invoice.lines:
            used[line.po_line] = used.get(line.po_line, Decimal(0)) + line.subtotal
        lines = tuple(replace(line, amount_open=line.amount_open + sign * used.get(
            line.number, Decimal(0))) for line in order.lines)
        self.driver.orders[invoice.po_number] = replace(order, lines=lines)

    def _read_terms(self) -> None:
        """Each due upload's SAP payment terms, in one query for the run."""
        from sqlalchemy import select

        from sync.mirror.models import CustomerRow
        table, queue = table_of(CustomerRow), uploads.UPLOADS
        with self.store.engine.connect() as conn:
            self._terms_of = {row[0]: row[1] for row in conn.execute(
                select(queue.c.id, table.c.payment_terms).join_from(
                    table, queue, table.c.number == queue.c.customer).where(
                    queue.c.portal == self.account.name))}

    def _read_items(self, documents: list[str]) -> None:
        """The due uploads' SAP items (as mirrored), in one query per chunk for the run."""
        with self.store.engine.connect() as conn:
            found = billing_items.items_of(conn, documents)
        self._items_of = {number: tuple(
            BilledItem(number=i.item, material=i.material, description=i.description,
                       quantity=i.quantity, unit=i.unit, net=i.net, tax=i.tax) for i in items)
            for number, items in found.items()}

    def _terms(self, upload: uploads.Upload) -> str | None:
        return self._terms_of.get(upload.id)

    def _send(self, claim: claims.Claim, upload: uploads.Upload, attempt_id: int,
              folder: Path, invoice: CxmlInvoice, payload: str, document: bytes,
              finish: Callable[..., None]) -> None:
        landed = False
        try:
            pdf = None
            if self.driver.settings.attachments:
                _, pdf = prepare(self.work, self.pdfs, upload)
            with writing(self.work.engine) as conn:  # stored before the POST
                claims.confirm(conn, claim, now=self.clock(), lease=self.lease)
                # the PO as read, less what uploads of every run hold on it
                held = None if invoice.purpose == "creditMemo" else po_reservations.reserve(
                    conn, upload, self.balances.get(upload.po_number or ""),
                    read_started=self._read_started, owner_run=self.owner.run,
                    today=self.clock().date())
                if held is None:
                    cxml_payloads.record_outbound(
                        conn, payload_id=payload, portal=upload.portal,
                        invoice=upload.invoice_number, upload_id=upload.id,
                        attempt_id=attempt_id, now=self.clock())
            if held is not None:
                finish("held", held)
                return
            write_private(folder / "request.xml", self.driver.masked(document))
            try:
                reply = self.driver.post(document, upload.invoice_number, pdf)
            except (CxmlDuplicate, PortalRejected, PortalUncertain) as error:
                write_private(folder / "response.xml", getattr(error, "body", b"") or
                              str(error).encode())
                raise
            write_private(folder / "response.xml", reply.body)
            landed = True
            finish("submitted", f"{reply.code} {reply.text} (payloadID {payload})".strip(),
                   (payload, reply.code, reply.text))
        except PdfNotReady as error:
            finish("waiting", str(error))
        except InputError as error:
            finish("failed", str(error))
        except CxmlDuplicate as error:
            found = self._lookup_quietly(upload)
            if found is not None:
                outcome, detail = self._already_there(upload, found)
                landed = outcome == "found"
                finish(outcome, f"{detail} (the network refused a duplicate: {error})")
            else:
                finish("failed", f"{error}; but the lookup does not find it: a person checks")
        except PortalRejected as error:
            finish("failed", str(error))
        except PortalUncertain as error:
            if not self.driver.settings.status_path:  # no lookup: never resend blind
                finish("failed", f"{error}; this network offers no invoice lookup: a person "
                       "checks the portal, then retries the upload or marks it submitted")
                return
            found = self._lookup_quietly(upload)
            if found is not None and self._already_there(upload, found)[0] == "found":
                landed = True
                finish("submitted", f"{error}; found on the portal afterwards")
            else:
                finish("retry", str(error))
        except (PortalUnavailable, ArbridgeError) as error:
            finish("retry", str(error))
        finally:
            if not landed:
                with self._lines:
                    self._take(invoice, sign=+1)

    def _lookup_quietly(self, upload: uploads.Upload) -> PortalInvoice | None:
        try:
            return self.driver.lookup(upload.invoice_number)
        except ArbridgeError as error:
            log.warning("lookup of %s failed: %s", upload.invoice_number, error)
            return None

    @staticmethod
    def _already_there(upload: uploads.Upload, found: PortalInvoice) -> tuple[str, str]:
        # a credit memo is on the network with negative amounts, in SAP with positive ones
        if found.po_number == (upload.po_number or "") and abs(found.gross) == upload.gross:
            return "found", f"already on the portal ({found.state}); not sent again"
        return "failed", (f"invoice number {upload.invoice_number} is already on the portal "
                          f"against PO {found.po_number} for {found.gross}: a different "
                          "invoice? A person must check")

    def _finish(self, claim: claims.Claim, upload: uploads.Upload, attempt_id: int,
                folder: Path, outcome: str, detail: str,
                answer: tuple[str, int, str] | None = None) -> None:
        now = self.clock()
        write_private(folder / "result.txt", f"{outcome}: {detail}\n")
        with writing(self.work.engine) as conn:
            claims.confirm(conn, claim, now=now, lease=self.lease)
            if answer is not None:  # the network's answer, with the upload's new state
                cxml_payloads.answered(conn, *answer)
            if outcome in ("submitted", "found"):  # the network counts it from now on
                po_reservations.settle(conn, upload.id)
            else:
                po_reservations.drop(conn, upload.id)
            if outcome in ("submitted", "found", "held", "failed"):
                target = "submitted" if outcome == "found" else outcome
                uploads.transition(conn, upload.id, target, now=now,
                                   reason=None if target == "submitted" else detail)
            elif outcome == "waiting":
                uploads.transition(conn, upload.id, "ready", now=now, reason=detail,
                                   next_attempt_at=now + PDF_WAIT)
            else:
                state = uploads.retry_later(conn, upload, now=now, reason=detail,
                                            max_attempts=self.account.settings.max_attempts)
                outcome = "failed" if state == "failed" else "retry"
            uploads.finish_attempt(conn, attempt_id, now=now, outcome=outcome, detail=detail,
                                   evidence=str(folder))
            claims.release(conn, claim, now=now)  # done: given back with the result
        self._released.add(claim)
        with self._tally_lock:
            self.tally[outcome] = self.tally.get(outcome, 0) + 1
        self.count(upload.portal, outcome)
        log.info("cXML upload %s to %s: %s (%s)", upload.billing_document, upload.portal,
                 outcome, detail)
        if self.on_upload:
            self.on_upload(upload.portal, upload.billing_document, outcome)


def _domain(driver: CxmlDriver) -> str:
    return f"{driver.credentials.sender_from.identity}.arbridge".replace(" ", "")



async def run_for(runner: object, account: PortalAccount, limit: int | None) -> None:
    """The hook of the upload runner (``portals.upload_run``): a ``kind = "cxml"`` portal's
    uploads, with the runner's store, owner, lease, callbacks and summary."""
    import asyncio

    summary = runner.summary  # type: ignore[attr-defined]
    uploads_run = CxmlUploads(
        store=runner.store, account=account, pdfs=runner.pdfs,  # type: ignore[attr-defined]
        evidence_root=runner.evidence_root, clock=runner.clock,  # type: ignore[attr-defined]
        owner=runner.owner, lease=runner.lease,  # type: ignore[attr-defined]
        workers=account.settings.concurrency, count=summary.count,
        on_upload=runner.on_upload, on_po_read=runner.on_po_read)  # type: ignore[attr-defined]
    await asyncio.to_thread(uploads_run.run, limit)
