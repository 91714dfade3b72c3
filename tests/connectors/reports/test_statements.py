"""Customer statements: the PDF read back says what the ledger says; e-mail to a real local
SMTP server, once per customer and schedule and period; a customer without an address or
opted out gets none; the outbox by default."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from io import BytesIO

from pydantic import SecretStr
from pypdf import PdfReader
from sqlalchemy import select

from config.reports import StatementSettings
from connectors.reports.statement_pdf import render_pdf
from connectors.reports.statement_run import run_statements
from sync.reports.models import StatementRow
from sync.reports.statements import compose
from sync.tables import table_of

NOW = datetime(2026, 12, 5, 18, tzinfo=timezone.utc)


def _as_of(simulator) -> date:
    return simulator.today()


def _some_debtor(store, as_of):
    from sync.reports.statements import candidates

    with store.engine.connect() as conn:
        return candidates(conn, "monthly", as_of)


def test_the_statement_pdf_reads_back_as_the_ledger(pulled, simulator):
    as_of = _as_of(simulator)
    company_code, customer = _some_debtor(pulled, as_of)[0]
    with pulled.engine.connect() as conn:
        statement = compose(conn, company_code, customer, as_of)
    settings = StatementSettings(remittance=["Bank: Demo Bank", "Account: 62000000001"])
    text = "\n".join(page.extract_text() for page in
                     PdfReader(BytesIO(render_pdf(statement, settings))).pages)
    assert "Statement of account" in text and statement.name in text
    assert f"As at {as_of.isoformat()}" in text
    for line in statement.lines:
        assert line.document in text and line.due_date.isoformat() in text
    for currency, balance in statement.balance().items():
        assert f"{currency} {balance:,.2f}" in text
    assert "Account: 62000000001" in text
    assert sum((ln.amount for ln in statement.lines), Decimal(0)) == \
        sum(statement.balance().values())


def _smtp_settings(port: int, **extra) -> StatementSettings:
    url = f"mailto://127.0.0.1:{port}?from=ar@supplier.example&mode=insecure"
    return StatementSettings(channel=SecretStr(url), **extra)


def test_statements_reach_a_real_smtp_server_once_per_schedule(pulled, simulator, smtp,
                                                               tmp_path):
    port, inbox = smtp
    as_of = _as_of(simulator)
    debtors = _some_debtor(pulled, as_of)[:3]
    addresses = {c: f"ap{i}@client{i}.example" for i, (_, c) in enumerate(debtors)}
    settings = _smtp_settings(port, addresses=addresses)
    results = [run_statements(pulled.engine, settings, tmp_path, schedule="monthly",
                              as_of=as_of, now=NOW, send=True, customer=c)
               for _, c in debtors]
    assert [r.sent for r in results] == [1, 1, 1]
    assert sorted(m["To"] for m in inbox.messages) == sorted(addresses.values())
    attachment = next(inbox.messages[0].iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    again = [run_statements(pulled.engine, settings, tmp_path, schedule="monthly",
                            as_of=as_of, now=NOW, send=True, customer=c) for _, c in debtors]
    assert [r.already_sent for r in again] == [1, 1, 1]
    assert len(inbox.messages) == 3  # nothing sent twice
    with pulled.engine.connect() as conn:
        rows = conn.execute(select(StatementRow.state, StatementRow.pdf)).all()
    assert {r.state for r in rows} == {"sent"}
    for row in rows:
        pdf = tmp_path / row.pdf
        assert pdf.exists() and (pdf.stat().st_mode & 0o077) == 0  # owner-only


def test_no_address_is_recorded_and_an_opt_out_gets_nothing(pulled, simulator, smtp,
                                                            tmp_path):
    port, inbox = smtp
    as_of = _as_of(simulator)
    (cc1, first), (cc2, second) = _some_debtor(pulled, as_of)[:2]
    from sqlalchemy import update

    from sync.mirror.models import CustomerRow

    with pulled.engine.begin() as conn:
        conn.execute(update(table_of(CustomerRow)).where(  # type: ignore[attr-defined]
            CustomerRow.number.in_([first, second])).values(email=None))
    settings = _smtp_settings(port, schedules={second: "none"})
    one = run_statements(pulled.engine, settings, tmp_path, schedule="monthly", as_of=as_of,
                         now=NOW, send=True, customer=first)
    two = run_statements(pulled.engine, settings, tmp_path, schedule="monthly", as_of=as_of,
                         now=NOW, send=True, customer=second)
    assert (one.no_address, one.sent, two.sent, two.no_address) == (1, 0, 0, 0)
    assert inbox.messages == []


def test_a_refused_message_is_kept_failed_and_sent_by_the_next_run(pulled, simulator, smtp,
                                                                   tmp_path):
    port, inbox = smtp
    as_of = _as_of(simulator)
    _, customer = _some_debtor(pulled, as_of)[0]
    dead = _smtp_settings(1, addresses={customer: "ap@client.example"})  # nothing listens
    failed = run_statements(pulled.engine, dead, tmp_path, schedule="monthly", as_of=as_of,
                            now=NOW, send=True, customer=customer)
    assert failed.failed == 1 and failed.errors
    assert "ap@client.example" not in " ".join(failed.errors)  # personal data masked
    ok = run_statements(pulled.engine, _smtp_settings(port, addresses={
        customer: "ap@client.example"}), tmp_path, schedule="monthly", as_of=as_of, now=NOW,
        send=True, customer=customer)
    assert ok.sent == 1 and len(inbox.messages) == 1


def test_the_outbox_is_the_default_channel(pulled, simulator, tmp_path):
    as_of = _as_of(simulator)
    _, customer = _some_debtor(pulled, as_of)[0]
    result = run_statements(pulled.engine, StatementSettings(addresses={
        customer: "ap@client.example"}), tmp_path, schedule="monthly", as_of=as_of, now=NOW,
        send=True, customer=customer)
    files = list((tmp_path / "outbox" / "statements").glob("*.eml"))
    assert result.sent == len(files) == 1
    assert "To: ap@client.example" in files[0].read_text()
