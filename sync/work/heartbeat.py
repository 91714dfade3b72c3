"""A heartbeat: while a remote call is in flight (a SAP posting, a portal upload, an alert
delivery), the claims it works under are renewed every third of a lease, from the clock read
at each beat, on a thread of its own with its own connection to the store.

If a beat finds a claim lost (another owner took it over after this process froze), ``lost``
says so; the caller records nothing under that claim (:func:`sync.work.claims.confirm` would
refuse it anyway).

    with Heartbeat(store.engine, [claim], lease=lease, clock=clock):
        client.post_payment(posting)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from types import TracebackType

from sqlalchemy import Engine

from sync.txn import writing
from sync.work import claims

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews ``held`` every ``lease / 3`` while the ``with`` block runs."""

    def __init__(self, engine: Engine, held: Sequence[claims.Claim], *, lease: timedelta,
                 clock: claims.Clock, every: timedelta | None = None) -> None:
        self.engine = engine
        self.held = list(held)
        self.lease = lease
        self.clock = clock
        self.every = (every or lease / 3).total_seconds()
        self.lost: set[str] = set()
        self.beats = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.held:
            self._thread = threading.Thread(target=self._run, name="claim-heartbeat",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.beat()

    def beat(self) -> None:
        """Renew every claim still ours now; remember those lost."""
        try:
            with writing(self.engine) as conn:
                now = self.clock()
                for claim in self.held:
                    if claim.key not in self.lost and not claims.renew(
                            conn, claim, now=now, lease=self.lease):
                        self.lost.add(claim.key)
                        log.warning("%s %s: lease lost to another owner while in flight",
                                    claim.kind, claim.key)
            self.beats += 1
        except Exception as error:  # noqa: BLE001 - the store is busy or away: beat again
            log.warning("could not renew %d claim(s): %s", len(self.held), error)
