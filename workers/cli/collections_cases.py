"""``arbridge collections dispute|resolve|credit-note|notices|delivered|acknowledge|handover|
retention``: dispute cases, credit-note requests, the section 129 notice's proof of delivery,
prescription interruptions, the hand-over pack and the POPIA retention run."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone
from decimal import Decimal

import typer

from workers.cli.collections import app, day, money, padded, today_of
from workers.cli.output import guarded, out, print_json, print_rows


def _store():  # type: ignore[no-untyped-def]
    from sync.store import open_store
    from workers.cli.output import checked_settings

    settings = checked_settings()
    return settings, open_store(settings)


@app.command("dispute")
def dispute_command(
    customer: str = typer.Argument(..., help="Customer number."),
    document: list[str] = typer.Option(..., "--item", help="Accounting document of an open "
                                       "item (repeat for several)."),
    amount: str = typer.Option(..., "--amount", help="The disputed amount."),
    reason: str = typer.Option(..., "--reason", help="A reason of [collections.reasons]."),
    root_cause: str | None = typer.Option(None, "--root-cause", help="Why it went wrong, one "
                                          "of the reason's root_causes in [collections."
                                          "reasons] (e.g. price: wrong_price or "
                                          "discount_missing)."),
    text: str | None = typer.Option(None, "--text", help="What the customer says (at most "
                                    "2000 characters)."),
) -> None:
    """Open a dispute case: its items leave the reminders until it is resolved."""
    disputed = money(amount, "--amount")

    def action() -> None:
        from decimal import Decimal

        from sqlalchemy import select

        from connectors.reports.book import company_code_of
        from sync.collections.disputes import open_case
        from sync.collections.positions import OPEN
        from sync.txn import writing

        settings, store = _store()
        number = padded(customer)
        now = datetime.now(timezone.utc)
        with writing(store.engine) as conn:
            code = company_code_of(conn, number)
            rows = conn.execute(select(OPEN).where(
                OPEN.c.company_code == code, OPEN.c.customer == number,
                OPEN.c.document.in_(document))).all()
            if len(rows) != len(set(document)) or len({r.currency for r in rows}) != 1:
                raise typer.BadParameter("each --item must be an open item of the customer, "
                                         "all in one currency", param_hint="--item")
            case_id, _ = open_case(
                conn, settings.collections, source=f"manual:{number}:{now.isoformat()}",
                company_code=code, customer=number,
                items=[f"{r.company_code}/{r.document}/{r.fiscal_year}/{r.line}" for r in rows],
                currency=rows[0].currency, original=sum((r.amount for r in rows), Decimal(0)),
                disputed=disputed, reason=reason, owner=getpass.getuser(),
                today=today_of(conn), now=now, root_cause=root_cause, text=text)
        out.print(f"dispute case {case_id} opened")

    guarded(action)


@app.command("resolve")
def resolve_command(
    case: int = typer.Argument(..., help="Dispute case id."),
    resolution: str = typer.Option(..., "--as", help="paid, credited, written_off or "
                                   "rejected."),
    credited: str = typer.Option("0", "--credited", help="The amount credited (a credit "
                                 "note), zero or more; with --written-off at most the "
                                 "disputed amount."),
    written_off: str = typer.Option("0", "--written-off", help="The amount written off, zero "
                                    "or more."),
) -> None:
    """Resolve a case, with the amounts credited and written off."""

    def action() -> None:
        from sync.collections.disputes import resolve
        from sync.txn import writing

        _, store = _store()
        with writing(store.engine) as conn:
            resolve(conn, case, resolution=resolution, today=today_of(conn),
                    now=datetime.now(timezone.utc), by=getpass.getuser(),
                    credited=_amount(credited, "--credited"),
                    written_off=_amount(written_off, "--written-off"))
        out.print(f"dispute case {case} resolved as {resolution}")

    guarded(action)


def _amount(text: str, option: str) -> Decimal:
    """Zero or a positive amount (resolve's --credited and --written-off)."""
    return money(text, option) if text.strip() not in ("0", "0.00", "") else Decimal(0)


@app.command("credit-note")
def credit_note_command(case: int = typer.Argument(..., help="Dispute case id.")) -> None:
    """Ask the billing manager for a credit note for a case, with its evidence; tracked until
    the credit memo appears in SAP."""
    def action() -> None:
        from sync.collections.disputes import request_for_case
        from sync.txn import writing

        _, store = _store()
        with writing(store.engine) as conn:
            request_id, new = request_for_case(conn, case, today=today_of(conn),
                                               now=datetime.now(timezone.utc),
                                               by=getpass.getuser())
        out.print(f"credit-note request {request_id} " + ("raised" if new else
                                                           "was already raised"))

    guarded(action)


@app.command("notices")
def notices_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """Section 129 notices with their proof of delivery."""
    def action() -> None:
        from sync.collections.legal import notices

        _, store = _store()
        with store.engine.connect() as conn:
            rows = notices(conn)
        if as_json:
            print_json(rows)
            return
        print_rows(("id", "customer", "issued", "currency", "arrears", "proof"),
                   ([n["id"], n["customer"], n["issued_on"], n["currency"], n["arrears"],
                     n["tracking_ref"] or "none yet"] for n in rows),
                   title="Section 129 notices")

    guarded(action)


@app.command("delivered")
def delivered_command(
    notice: int = typer.Argument(..., help="Notice id."),
    tracking: str = typer.Option(..., "--tracking", help="Registered-mail reference."),
    on: str = typer.Option(..., "--on", help="Delivery date YYYY-MM-DD."),
) -> None:
    """Record the section 129 notice's proof of delivery."""
    when = day(on, "--on")

    def action() -> None:
        from sync.collections.legal import delivered
        from sync.txn import writing

        _, store = _store()
        with writing(store.engine) as conn:
            delivered(conn, notice, tracking_ref=tracking, delivered_on=when,  # type: ignore[arg-type]
                      now=datetime.now(timezone.utc), by=getpass.getuser())
        out.print(f"notice {notice}: delivered on {when} ({tracking})")

    guarded(action)


@app.command("acknowledge")
def acknowledge_command(
    customer: str = typer.Argument(..., help="Customer number."),
    on: str = typer.Option(..., "--on", help="Date of the acknowledgement or summons."),
    summons: bool = typer.Option(False, "--summons", help="Service of summons, not an "
                                 "acknowledgement of debt."),
) -> None:
    """Record what interrupts prescription: the clock starts again from that day."""
    when = day(on, "--on")

    def action() -> None:
        from connectors.reports.book import company_code_of
        from sync.collections.legal import interrupt
        from sync.txn import writing

        _, store = _store()
        number = padded(customer)
        with writing(store.engine) as conn:
            interrupt(conn, company_code=company_code_of(conn, number), customer=number,
                      kind="summons" if summons else "acknowledgement",
                      on=when, by=getpass.getuser(),  # type: ignore[arg-type]
                      now=datetime.now(timezone.utc))
        out.print(f"prescription of {number} interrupted on {when}")

    guarded(action)


@app.command("handover")
def handover_command(customer: str = typer.Argument(..., help="Customer number.")) -> None:
    """Make the hand-over pack (zip, owner-only, audited) for legal collection."""
    def action() -> None:
        from connectors.collections.handover import build_pack
        from connectors.reports.book import company_code_of

        settings, store = _store()
        number = padded(customer)
        with store.engine.connect() as conn:
            code = company_code_of(conn, number)
            today = today_of(conn)
        path = build_pack(settings, store.engine, company_code=code, customer=number,
                          today=today, now=datetime.now(timezone.utc), by=getpass.getuser())
        out.print(f"hand-over pack written to {path}")

    guarded(action)


@app.command("retention")
def retention_command() -> None:
    """POPIA: de-identify contact-log entries older than [collections] retention_days."""
    def action() -> None:
        from sync.collections.contacts import deidentify
        from sync.txn import writing

        settings, store = _store()
        with writing(store.engine) as conn:
            done = deidentify(conn, older_than_days=settings.collections.retention_days,
                              now=datetime.now(timezone.utc))
        out.print(f"{done} contact-log entries de-identified")

    guarded(action)
