"""Cleared items mirrored from the simulator beside the open items: all of them on a first
pull, only the window's on the next, nothing changed on a --full re-read; a clearing reset in
SAP takes the item out of the cleared ones."""

from __future__ import annotations

from sqlalchemy import func, select

from connectors.pull import PortalRules, pull
from sync.mirror.models import ClearedItemRow

RULES = PortalRules(groups={}, bindings={})


def _pull(store, client, **kwargs):
    return pull(store, client, source="simulator", company_codes=["1000"], rules=RULES,
                **kwargs)


def _cleared(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ClearedItemRow)).scalar_one()


def test_cleared_items_are_mirrored_with_their_clearing_date_and_document(store, client,
                                                                         simulator):
    result = _pull(store, client)
    in_sap = simulator.open_db().execute("SELECT COUNT(*) FROM BSAD").fetchone()[0]
    assert in_sap > 0
    assert _cleared(store) == in_sap == result.counts["cleared_items"].inserted
    with store.engine.connect() as conn:
        row = conn.execute(select(ClearedItemRow).limit(1)).one()._mapping
    assert row["clearing_date"] >= row["posting_date"]
    assert row["clearing_document"]


def test_a_full_re_read_finds_nothing_changed(store, client):
    _pull(store, client)
    again = _pull(store, client, full=True)
    counts = again.counts["cleared_items"]
    assert (counts.inserted, counts.updated, counts.deleted) == (0, 0, 0)
    assert counts.fetched == _cleared(store)


def test_the_next_pull_reads_only_recent_clearings(store, client):
    first = _pull(store, client)
    second = _pull(store, client)
    assert 0 < second.counts["cleared_items"].fetched < first.counts["cleared_items"].fetched
    assert second.counts["cleared_items"].inserted == 0


def test_a_clearing_reset_in_sap_leaves_the_cleared_items(store, client, simulator):
    _pull(store, client)
    db = simulator.open_db()
    recent = db.execute("SELECT AUGBL FROM BSAD ORDER BY AUGDT DESC LIMIT 1").fetchone()[0]
    with db:  # FBRA: the item is open again
        db.execute("UPDATE BSAD SET AUGBL = '', AUGDT = '00000000' WHERE AUGBL = ?", (recent,))
        db.execute("INSERT INTO BSID SELECT * FROM BSAD WHERE AUGBL = ''")
        db.execute("DELETE FROM BSAD WHERE AUGBL = ''")
    before = _cleared(store)
    result = _pull(store, client)
    assert result.counts["cleared_items"].deleted == 1
    assert _cleared(store) == before - 1
