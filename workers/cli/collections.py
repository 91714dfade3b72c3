"""``arbridge collections …``: the daily run (reminders by level, promises judged, disputes
from the portals, section 129 notices), the worklist, and what a collector records: calls,
promises, bounces (also read later from a mailbox), approvals. Cases, credit notes and the
legal steps are in :mod:`workers.cli.collections_cases`."""

from __future__ import annotations

import getpass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

import typer

from workers.cli.output import day, guarded, out, print_json, print_rows

app = typer.Typer(help="Collections: reminders, worklist, promises, disputes, legal steps.",
                  no_args_is_help=True)


def money(text: str, option: str) -> Decimal:
    """A promised amount: the text parsed here, the value checked by the promises' own rule
    (:func:`sync.collections.promises.amount_problem`), told against the option."""
    from sync.collections.promises import amount_problem

    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_nan():
        raise typer.BadParameter(f"{text!r} is not an amount (e.g. 1500.00)",
                                 param_hint=option) from None
    problem = amount_problem(value)
    if problem:
        raise typer.BadParameter(problem, param_hint=option)
    return value


def padded(customer: str) -> str:
    text = customer.strip()
    return text.zfill(10) if text.isdigit() else text


def today_of(conn) -> date:  # type: ignore[no-untyped-def]
    from connectors.reports.book import ledger_today

    return ledger_today(conn)


@app.command("run")
def run_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan and report; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's report as JSON."),
    as_of: str | None = typer.Option(None, "--as-of", help="The run's date (default: SAP's "
                                     "today as last pulled)."),
) -> None:
    """Today's collections run, once per day however often it is started: judge promises,
    open cases for rejected portal invoices, record and send the reminders due by level,
    issue section 129 notices."""
    key = day(as_of, "--as-of")

    def action() -> None:
        from connectors.collections.run import run_collections
        from sync.store import open_store
        from workers.cli.output import checked_settings

        settings = checked_settings()
        store = open_store(settings)
        with store.engine.connect() as conn:
            when = key or today_of(conn)
        report = run_collections(store.engine, settings.collections, settings.home,
                                 as_of=when, now=datetime.now(timezone.utc), dry_run=dry_run)
        if as_json:
            print_json(report.as_dict())
            return
        if report.later_run:
            out.print(f"a collections run of {report.later_run} was made already; runs go "
                      f"forward only, so {when} is not run")
            return
        if report.held_by_another_run:
            out.print(f"the collections run of {when} is running elsewhere; nothing done")
            return
        out.print(f"collections {'plan' if dry_run else 'run'} for {when}: " + ", ".join(
            f"{n} {k.replace('_', ' ')}" for k, n in sorted(report.decisions.items())))
        if not dry_run:
            levels = ", ".join(f"level {k}: {n}" for k, n in sorted(report.recorded.items()))
            out.print(f"reminders recorded: {levels or 'none'}; {report.sent} "
                      f"e-mailed, {report.letters} letters, {report.bounced} bounced (now "
                      f"phone tasks), {report.failed} failed, {report.awaiting_approval} "
                      f"awaiting approval; {report.notices_s129} section 129 notices"
                      + (f"; {report.uncertain} uncertain (held for a person)"
                         if report.uncertain else ""))
            for line in report.errors:
                out.print(line)

    guarded(action)


@app.command("worklist")
def worklist_command(
    as_json: bool = typer.Option(False, "--json", help="Print the worklist as JSON."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many entries."),
) -> None:
    """Whom to call first, and why: the ranked worklist with each customer's next step."""
    def action() -> None:
        from sync.collections.worklist import build
        from sync.store import open_store
        from workers.cli.output import checked_settings

        settings = checked_settings()
        with open_store(settings).engine.connect() as conn:
            entries = build(conn, settings.collections, today_of(conn), limit=limit,
                            edges=tuple(settings.reports.ageing_edges))
        if as_json:
            print_json([e.as_json() for e in entries])
            return
        print_rows(("rank", "customer", "name", "overdue", "days", "score", "next", "why"),
                   ([e.rank, e.customer, e.name,
                     ", ".join(f"{c} {a:,.2f}" for c, a in e.overdue.items()) or "-",
                     e.days_overdue, e.score, e.next_step, e.why] for e in entries),
                   title="Collections worklist", wrap=("name", "why"))

    guarded(action)


@app.command("call")
def call_command(
    customer: str = typer.Argument(..., help="Customer number."),
    outcome: str = typer.Option(..., "--outcome", help="What happened."),
    agreed: str | None = typer.Option(None, "--agreed", help="What was agreed."),
    call_back: str | None = typer.Option(None, "--call-back", help="Call back on YYYY-MM-DD."),
    promise: str | None = typer.Option(None, "--promise", help="Amount promised."),
    promise_date: str | None = typer.Option(None, "--by", help="Promised payment date."),
    channel: str = typer.Option("phone", "--channel", help="phone, email, letter or visit."),
    instalment: list[str] = typer.Option([], "--instalment", help="A payment arrangement: "
                                         "one instalment as YYYY-MM-DD:AMOUNT (repeat for "
                                         "each; with --promise/--by as the first)."),
) -> None:
    """Record a call (or e-mail) in the contact log, with a call-back date and a promise to
    pay, or a payment arrangement of several instalments, over the customer's overdue
    items."""
    back = day(call_back, "--call-back")
    by = day(promise_date, "--by")
    amount = money(promise, "--promise") if promise else None
    if (amount is None) != (by is None):
        raise typer.BadParameter("a promise needs both --promise and --by", param_hint="--by")
    plan = [_instalment(text) for text in instalment]

    def action() -> None:
        from connectors.collections.calls import record_call
        from sync.store import open_store
        from workers.cli.output import checked_settings

        store = open_store(checked_settings())
        contact_id, promise_id = record_call(
            store.engine, customer=padded(customer), collector=getpass.getuser(),
            channel=channel, outcome=outcome, agreed=agreed, call_back=back,
            promise_amount=amount, promise_date=by, instalments=plan,
            now=datetime.now(timezone.utc))
        what = "arrangement" if len(plan) + (amount is not None) > 1 else "promise"
        out.print(f"contact {contact_id} logged" + (f"; {what} {promise_id} recorded"
                                                    if promise_id else ""))

    guarded(action)


def _instalment(text: str) -> tuple[date, Decimal]:
    when, _, amount = text.partition(":")
    due = day(when.strip(), "--instalment")
    if not amount.strip() or due is None:
        raise typer.BadParameter(f"{text!r}: an instalment is YYYY-MM-DD:AMOUNT "
                                 "(e.g. 2027-01-31:5000.00)", param_hint="--instalment")
    return due, money(amount.strip(), "--instalment")


@app.command("judge")
def judge_command(
    as_json: bool = typer.Option(False, "--json", help="Print the verdicts as JSON."),
) -> None:
    """The evening's judgement of open promises from the receipts and clearings."""
    def action() -> None:
        from sync.collections.promise_store import evaluate
        from sync.store import open_store
        from sync.txn import writing
        from workers.cli.output import checked_settings

        settings = checked_settings()
        store = open_store(settings)
        with writing(store.engine) as conn:
            judged = evaluate(conn, today_of(conn), now=datetime.now(timezone.utc),
                              tolerance_days=settings.collections.promise_tolerance_days)
        if as_json:
            print_json([{"promise": j.promise_id, "customer": j.customer, "verdict": j.after,
                         "paid": str(j.paid)} for j in judged])
            return
        for j in judged:
            out.print(f"promise {j.promise_id} ({j.customer}): {j.after}, paid {j.paid}")

    guarded(action)


@app.command("approve")
def approve_command(reminder: int = typer.Argument(..., help="Reminder id.")) -> None:
    """Approve a reminder whose level needs a person first; the next run sends it."""
    def action() -> None:
        from sync.collections.dunning import approve
        from sync.store import open_store
        from sync.txn import writing
        from workers.cli.output import checked_settings

        with writing(open_store(checked_settings()).engine) as conn:
            approve(conn, reminder, by=getpass.getuser(), now=datetime.now(timezone.utc))
        out.print(f"reminder {reminder} approved")

    guarded(action)


@app.command("resend")
def resend_command(reminder: int = typer.Argument(..., help="Reminder id (uncertain).")) -> None:
    """Release an uncertain reminder (its run stopped after handing it to the mail server)
    for sending again, once you checked it did not arrive; the next run sends it."""
    def action() -> None:
        from sync.collections.dunning import REMINDERS
        from sync.store import open_store
        from sync.txn import writing
        from sync.work.outgoing import release
        from workers.cli.output import checked_settings

        with writing(open_store(checked_settings()).engine) as conn:
            release(conn, REMINDERS, reminder, entity="dunning_reminder",
                    by=getpass.getuser(), now=datetime.now(timezone.utc))
        out.print(f"reminder {reminder} released: the next collections run sends it again")

    guarded(action)


@app.command("bounce")
def bounce_command(
    reminder: int = typer.Argument(..., help="Reminder id."),
    reason: str = typer.Option(..., "--reason", help="The bounce message."),
) -> None:
    """Record that a reminder e-mail came back; it becomes a phone task on the worklist."""
    def action() -> None:
        from sync.collections.dunning import bounced
        from sync.store import open_store
        from sync.txn import writing
        from workers.cli.output import checked_settings

        with writing(open_store(checked_settings()).engine) as conn:
            bounced(conn, reminder, reason=reason, now=datetime.now(timezone.utc),
                    by=getpass.getuser())
        out.print(f"reminder {reminder} bounced: now a phone task on the worklist")

    guarded(action)


@app.command("bounces")
def bounces_command(
    mbox: str = typer.Option(..., "--mbox", help="An mbox file or a maildir folder where the "
                             "reminders' sender address receives its mail."),
    as_json: bool = typer.Option(False, "--json", help="Print what was recorded as JSON."),
) -> None:
    """Record the reminder e-mails that bounced after they were sent: the delivery status
    notifications (RFC 3464) in a mailbox are matched to their reminders by Message-ID, and
    each failed one becomes a phone task on the worklist. Reading a mailbox again records
    nothing twice."""
    def action() -> None:
        from pathlib import Path

        from connectors.collections.bounces import record_bounces
        from sync.store import open_store
        from workers.cli.output import checked_settings

        store = open_store(checked_settings())
        report = record_bounces(store.engine, Path(mbox), now=datetime.now(timezone.utc))
        if as_json:
            print_json(report.as_dict())
            return
        out.print(f"{report.read} messages read: {len(report.recorded)} bounces recorded "
                  f"(now phone tasks), {report.already} recorded before, "
                  f"{report.unmatched} not matching a sent reminder e-mail, "
                  f"{report.not_a_failure} not a failed delivery")

    guarded(action)
