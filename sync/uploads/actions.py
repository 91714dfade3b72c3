"""A person's decisions on the upload queue (web app, API, CLI): which action may be taken
from which state, carried out through ``sync.uploads.queue.transition`` (the state machine) and
audited with the person's name.

::

    approve          review                      ──▶ ready
    retry            failed, held, rejected      ──▶ ready       (after fixing the cause)
    hold             queued, review, ready       ──▶ held        (a reason is required)
    cancel           queued, review, ready, held,
                     failed, rejected            ──▶ cancelled   (never sent; a reason is required)
    mark_submitted   review, held, failed,
                     rejected                    ──▶ submitted   (put on the portal by hand)

Claimed before touched: the action takes the upload's claim (the one upload runs take) for
its own transaction, so it never changes an upload a run is working on at that moment; it is
refused with when to try again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import Connection, Engine, select

from config.errors import InputError
from sync.txn import writing
from sync.uploads import queue as uploads
from sync.uploads.claims import UPLOAD
from sync.work import claims

Action = Literal["approve", "retry", "hold", "cancel", "mark_submitted"]
ACTIONS: tuple[Action, ...] = get_args(Action)
PERSON_LEASE = timedelta(seconds=30)  # held only for the one transaction of the action


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[str]
    target: str
    verb: str
    needs_reason: bool = False


RULES: dict[str, Rule] = {
    "approve": Rule(frozenset({"review"}), "ready", "approved"),
    "retry": Rule(frozenset({"failed", "held", "rejected"}), "ready", "retried"),
    "hold": Rule(frozenset({"queued", "review", "ready"}), "held", "held", needs_reason=True),
    "cancel": Rule(frozenset({"queued", "review", "ready", "held", "failed", "rejected"}),
                   "cancelled", "cancelled", needs_reason=True),
    "mark_submitted": Rule(frozenset({"review", "held", "failed", "rejected"}), "submitted",
                           "submitted by hand"),
}


def allowed(action: str, state: str) -> bool:
    rule = RULES.get(action)
    return rule is not None and state in rule.sources


def actions_for(state: str) -> list[str]:
    """The actions a person may take on an upload in ``state``, in display order."""
    return [name for name in ACTIONS if state in RULES[name].sources]


@dataclass(frozen=True, slots=True)
class Outcome:
    billing_document: str
    before: str
    after: str


def act(conn: Connection, *, upload_id: int, action: str, actor: str, now: datetime,
        reason: str | None = None) -> Outcome:
    """Carry out ``action`` on one upload in the caller's transaction (a write transaction:
    :func:`sync.txn.writing`).

    Raises:
        InputError: unknown action or upload, a missing reason, or an upload whose state does
            not allow the action (someone else, or the runner, moved it first).
    """
    rule = RULES.get(action)
    if rule is None:
        raise InputError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    note = (reason or "").strip()
    if rule.needs_reason and not note:
        raise InputError(f"{action}: say why (a reason is required)")
    query = select(uploads.UPLOADS.c.state, uploads.UPLOADS.c.billing_document).where(
        uploads.UPLOADS.c.id == upload_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = conn.execute(query).first()
    if found is None:
        raise InputError(f"no upload {upload_id}")
    state, document = found
    owner = claims.Owner.here(run=f"person-{uuid.uuid4().hex[:12]}")
    claim = claims.take(conn, UPLOAD, str(upload_id), owner, now=now, lease=PERSON_LEASE)
    if claim is None:
        until = claims.lease_end(conn, UPLOAD, str(upload_id))
        when = f" until {until:%H:%M:%S} UTC" if until else ""
        raise InputError(f"billing document {document} is being worked on by an upload run "
                         f"right now{when}; try again after that")
    if state not in rule.sources:
        raise InputError(f"billing document {document} is {state}; only "
                         f"{' or '.join(sorted(rule.sources))} uploads can be {rule.verb}")
    text = f"{rule.verb} by {actor}" + (f": {note}" if note else "")
    uploads.transition(conn, upload_id, rule.target, now=now, reason=text, actor=actor,
                       next_attempt_at=None)
    claims.release(conn, claim, now=now)
    return Outcome(billing_document=document, before=state, after=rule.target)


def act_on_each(engine: Engine, documents: Iterable[str], *, action: str, actor: str,
                clock: Callable[[], datetime], reason: str | None = None
                ) -> tuple[list[str], list[str]]:
    """``action`` on each billing document (with or without leading zeros), each in its own
    transaction, so one refusal does not undo the others: the web app's bulk and single
    actions and ``arbridge portals retry --state``. Returns (documents done, refusals)."""
    done: list[str] = []
    refused: list[str] = []
    for document in documents:
        try:
            with writing(engine) as conn:
                found = conn.execute(select(uploads.UPLOADS.c.id,
                                            uploads.UPLOADS.c.billing_document).where(
                    uploads.UPLOADS.c.billing_document.in_(
                        {document, document.zfill(10)}))).first()
                if found is None:
                    raise InputError(f"no upload for billing document {document}")
                act(conn, upload_id=found.id, action=action, actor=actor, now=clock(),
                    reason=reason)
            done.append(found.billing_document)
        except InputError as refusal:
            refused.append(str(refusal))
    return done, refused
