"""The debtors' dashboard summed ahead of the page: the pull sums the book after it writes,
the page then reads the kept figures in a handful of small queries, and they are always the
live computation's — after a pull that changed items, after a write the pull did not make,
after a comment — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import delete, event, select

from connectors.pull_run import run_pull
from connectors.reports.book import ledger_today
from sap.simulator import SapSimulator
from sync.mirror.models import OpenItemRow
from sync.reports.comments import add_comment
from sync.reports.dashboard import overview
from sync.reports.summary import book_version, dashboard
from sync.store import open_store
from sync.tables import table_of

OPEN = table_of(OpenItemRow)
FIELDS = ("receivables", "overdue", "buckets", "ageing", "dso_countback", "dso_trend", "top",
          "credit_balances", "unallocated_receipts")


@contextmanager
def statements(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _live(engine, settings):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        as_of = ledger_today(conn)
        return as_of, overview(conn, as_of, currency=settings.reports.currency,
                               edges=tuple(settings.reports.ageing_edges))


def _kept(engine, settings, as_of):  # type: ignore[no-untyped-def]
    return dashboard(engine, as_of, currency=settings.reports.currency,
                     edges=tuple(settings.reports.ageing_edges))


def _same(kept: dict, live: dict) -> None:
    for name in FIELDS:
        assert kept[name] == live[name], name
    assert all(isinstance(v, Decimal) for v in kept["receivables"].values())


def test_after_a_pull_that_changes_items_the_page_reads_the_live_figures_kept(settings):
    run_pull(settings, full=False, create_store=True)
    engine = open_store(settings).engine
    as_of, live = _live(engine, settings)
    with statements(engine) as seen:
        kept = first = _kept(engine, settings, as_of)
    assert not kept["summed_now"]  # the pull summed the book already
    _same(kept, live)
    assert len(seen) <= 4, seen  # version, kept row, unallocated count, credit check

    # SAP clears an invoice; the next pull changes the book and sums it again
    with engine.connect() as conn:
        document, amount = conn.execute(select(OPEN.c.document, OPEN.c.amount).where(
            OPEN.c.amount > 0, OPEN.c.currency == settings.reports.currency)
            .order_by(OPEN.c.amount.desc())).first()
        before = book_version(conn)
    SapSimulator(settings.simulator_path).clear_open_item(document)
    run_pull(settings, full=False)
    with engine.connect() as conn:
        assert book_version(conn) > before
    as_of, live = _live(engine, settings)
    kept = _kept(engine, settings, as_of)
    assert not kept["summed_now"]
    _same(kept, live)
    ccy = settings.reports.currency
    assert kept["receivables"][ccy] == first["receivables"][ccy] - amount  # not the old sum


def test_a_write_the_pull_did_not_make_is_never_shown_as_old_figures(settings):
    run_pull(settings, full=False, create_store=True)
    engine = open_store(settings).engine
    as_of, _ = _live(engine, settings)
    first = _kept(engine, settings, as_of)
    assert not first["summed_now"]
    with engine.begin() as conn:  # straight into the table (a bulk load, a repair)
        gone = conn.execute(delete(OPEN).where(OPEN.c.amount > 0)).rowcount
    assert gone > 0
    _, live = _live(engine, settings)
    kept = _kept(engine, settings, as_of)
    assert kept["summed_now"]  # the version moved: summed again, not read
    _same(kept, live)
    assert kept["receivables"] != first["receivables"]
    again = _kept(engine, settings, as_of)
    assert not again["summed_now"]
    _same(again, live)

    top = live["top"][0] if live["top"] else None
    customer = top["customer"] if top else "0000100001"
    with engine.begin() as conn:
        add_comment(conn, company_code="1000", customer=customer, text="promised the 25th",
                    author="thandi")
    _, live = _live(engine, settings)
    kept = _kept(engine, settings, as_of)
    assert kept["summed_now"]
    _same(kept, live)


def test_a_pull_that_brings_nothing_new_leaves_the_book_version_alone(settings):
    """Otherwise every pull would sum the whole book again (seconds at scale): the mirror
    writes no row SAP did not change, so no trigger fires. A real change still raises it
    (the first test above)."""
    run_pull(settings, full=False, create_store=True)
    engine = open_store(settings).engine
    with engine.connect() as conn:
        before = book_version(conn)
    assert before > 0  # the first pull wrote the book
    run_pull(settings, full=False)  # SAP unchanged: incremental, then a full re-read
    run_pull(settings, full=True)
    with engine.connect() as conn:
        assert book_version(conn) == before
    as_of, _ = _live(engine, settings)
    assert not _kept(engine, settings, as_of)["summed_now"]
