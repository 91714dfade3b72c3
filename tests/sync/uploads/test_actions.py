"""A person's actions on the upload queue go through the state machine and are audited with
the person's name (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from config.errors import InputError
from sync.audit_models import AuditEventRow
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.tables import table_of
from sync.uploads import actions as upload_actions
from sync.uploads import queue as uploads
from sync.upsert import upsert
from tests.sync.uploads.test_upload_queue import _customer, _doc

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def queue(store):
    """Three uploads of a bound customer, in review."""
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [_customer("0000000001", "demo-coupa")], CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [_doc(f"009000000{i}", "0000000001")
                                               for i in (1, 2, 3)], BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"], billed_from=date(2026, 11, 1))
        uploads.route_queued(conn, now=NOW, review_portals={"demo-coupa"})
        return {u.billing_document: u.id for u in uploads.by_state(conn)}


def _act(store, upload_id, action, reason=None):
    with store.engine.begin() as conn:
        return upload_actions.act(conn, upload_id=upload_id, action=action, actor="thandi",
                                  now=NOW, reason=reason)


def test_approve_hold_cancel_and_mark_submitted_follow_the_machine(store, queue):
    first, second, third = queue.values()
    assert (_act(store, first, "approve").after, _act(store, second, "hold", "PO 77 ran out")
            .after) == ("ready", "held")
    assert _act(store, second, "mark_submitted").after == "submitted"
    assert _act(store, third, "cancel", "credited in SAP").after == "cancelled"
    with store.engine.connect() as conn:
        states = {u.billing_document: (u.state, u.reason) for u in uploads.by_state(conn)}
    assert states == {"0090000001": ("ready", "approved by thandi"),
                      "0090000002": ("submitted", "submitted by hand by thandi"),
                      "0090000003": ("cancelled", "cancelled by thandi: credited in SAP")}


def test_an_action_the_state_does_not_allow_is_refused_and_changes_nothing(store, queue):
    upload_id = queue["0090000001"]
    with pytest.raises(InputError, match="is review; only failed or held or rejected"):
        _act(store, upload_id, "retry")
    _act(store, upload_id, "cancel", "not wanted")
    for action in upload_actions.ACTIONS:
        with pytest.raises(InputError):
            _act(store, upload_id, action, "again")
    with store.engine.connect() as conn:
        assert uploads.get(conn, upload_id).state == "cancelled"


def test_hold_and_cancel_need_a_reason(store, queue):
    for action in ("hold", "cancel"):
        with pytest.raises(InputError, match="a reason is required"):
            _act(store, queue["0090000001"], action, "  ")


def test_every_action_is_audited_with_the_person(store, queue):
    _act(store, queue["0090000001"], "approve")
    with store.engine.connect() as conn:
        events = conn.execute(select(table_of(AuditEventRow)).where(
            table_of(AuditEventRow).c.actor == "thandi")).all()
    assert [(e.action, e.entity_key) for e in events] == [("upload ready", "0090000001")]


def test_actions_offered_match_the_rules():
    assert upload_actions.actions_for("review") == ["approve", "hold", "cancel",
                                                    "mark_submitted"]
    assert upload_actions.actions_for("failed") == ["retry", "cancel", "mark_submitted"]
    assert upload_actions.actions_for("submitted") == []


def test_an_upload_a_run_is_working_on_is_not_changed_under_it(store, queue):
    from datetime import timedelta

    from sync.uploads.claims import UPLOAD
    from sync.work import claims

    upload_id = queue["0090000001"]
    run = claims.Owner.here()
    with store.engine.begin() as conn:
        held = claims.take(conn, UPLOAD, str(upload_id), run, now=NOW,
                           lease=timedelta(minutes=2))
    with pytest.raises(InputError, match="being worked on by an upload run right now until "
                                         "09:02:00 UTC"):
        _act(store, upload_id, "cancel", "not wanted")
    with store.engine.begin() as conn:
        assert uploads.get(conn, upload_id).state == "review"
        claims.release(conn, held, now=NOW)
    assert _act(store, upload_id, "cancel", "not wanted").after == "cancelled"
