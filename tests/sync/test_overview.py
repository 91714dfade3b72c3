"""``arbridge status`` reads the store without the ORM (start-up time); its answers must be
the ones the model-based queries give, on SQLite and PostgreSQL."""

from __future__ import annotations

from connectors.pull import PortalRules, pull
from sync import overview
from sync.mirror import cursors
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS, OPEN_ITEMS
from sync.uploads import queue as uploads
from sync.uploads.listing import queue_counts


def test_overview_matches_the_model_queries(store, client):
    pull(store, client, source="simulator", company_codes=["1000"],
         rules=PortalRules(groups={"P01": "demo-coupa", "P02": "demo-ariba"}))
    from datetime import datetime, timezone

    with store.engine.begin() as conn:
        uploads.enqueue(conn, now=datetime.now(timezone.utc), portals=["demo-coupa"])
    assert overview.ENTITY_TABLES == {e.name: e.table.name
                                      for e in (CUSTOMERS, BILLING_DOCUMENTS, OPEN_ITEMS)}
    with store.engine.connect() as conn:
        assert overview.entity_counts(conn) == store.counts()
        assert overview.upload_counts(conn) == uploads.counts(conn)
        assert overview.cursors(conn) == [
            {k: r[k] for k in ("source", "entity", "scope", "since", "after_key",
                               "updated_at")} for r in cursors.all_cursors(conn)]
        per_portal = overview.customers_per_portal(conn)
    from sync.uploads.states import grouped

    with store.engine.connect() as conn:
        assert grouped(overview.upload_counts(conn)) == queue_counts(store)
    assert per_portal[None] > 0 and per_portal["demo-coupa"] > 0
    assert sum(per_portal.values()) == store.counts()["customers"]
    assert queue_counts(store)["queued"] > 0
