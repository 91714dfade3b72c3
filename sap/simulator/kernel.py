"""What the simulator's function modules see of the system and of the connection that calls
them: the system's clock, logon, faults and database (:class:`System`), and the unit of work a
``BAPI_TRANSACTION_COMMIT`` writes (:class:`Session`).

``system.py`` and ``connection.py`` implement these; ``functions.py`` and ``accounting.py``
depend only on this module, so the simulator's imports run one way: kernel → functions →
accounting → connection → system.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, Protocol

from sap.simulator.faults import Faults


class System(Protocol):
    """The simulated SAP system as its function modules and connections use it."""

    faults: Faults
    row_salt: str
    sort_option: bool

    def open_db(self) -> sqlite3.Connection: ...

    def today(self) -> date: ...

    def logon(self) -> tuple[str, str] | None: ...

    def client(self) -> str | None: ...


class Session(Protocol):
    """A caller's connection, as the LUW function modules see it."""

    luw: list[Any]
