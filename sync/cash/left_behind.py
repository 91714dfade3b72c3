"""What a posting run left behind, and why: allocations another run holds (who, whether that
owner is alive, until when), those in doubt (sent to SAP, no document found yet, and until when
SAP could still be executing the call), and those simply not reached. A run that reports
"posted: 217" while a payment is stuck is not clean; these lines say so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from sync.cash import allocations
from sync.work import claims


def _at(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def account(conn: Connection, now: datetime, *, max_execution: timedelta) -> list[str]:
    """One line per allocation still approved or in doubt, naming why it is not posted."""
    waiting = allocations.waiting(conn)
    held = claims.live_holders(conn, allocations.KIND, [str(a.id) for a in waiting], now=now)
    lines = []
    for allocation in waiting:
        name = f"allocation {allocation.id} ({allocation.key})"
        holder = held.get(str(allocation.id))
        if holder is not None:
            lines.append(f"{name} held by another run ({holder.describe()}) until "
                         f"{_at(holder.lease_until) if holder.lease_until else '?'}")
        elif allocation.state == "posting" and allocation.sent_at is not None \
                and now < allocation.sent_at + max_execution:
            lines.append(f"{name} in doubt: sent to SAP at {_at(allocation.sent_at)}, no "
                         "document found by its key yet; SAP may still be executing it, so "
                         "it is looked up again and posted only if SAP has none after "
                         f"{_at(allocation.sent_at + max_execution)}")
        elif allocation.state == "posting":
            lines.append(f"{name} in doubt: SAP could not be asked; the next run looks it "
                         "up first")
        else:
            lines.append(f"{name} approved, not posted by this run; the next run posts it")
    return lines
