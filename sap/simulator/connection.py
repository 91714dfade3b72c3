"""A pyrfc-compatible ``Connection`` over the simulator: ``call``, ``ping``, ``reopen``,
``close``, ``alive``, context manager, pyrfc's exception classes and error keys.

Like pyrfc, text fields come back with trailing blanks stripped (``config={"rstrip": True}``,
pyrfc's default), so RFC_READ_TABLE's WA lines are right-trimmed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from functools import partial
from typing import Any

from sap.simulator import pyrfc_errors as e
from sap.simulator.functions import (
    FUNCTIONS,
    AbapException,
    UnknownParameter,
    WrongType,
)
from sap.simulator.kernel import System
from sap.simulator.registry import ACCOUNTING_FUNCTIONS, LUW_FUNCTIONS

DEFAULT_TIMEOUT_SECONDS = 600.0


class Connection:
    """Same constructor keywords as ``pyrfc.Connection`` (ashost, sysnr, client, user,
    passwd, lang, config …); ``simulator`` says which simulated system to talk to."""

    def __init__(self, *, simulator: System, config: dict | None = None, **params: Any):
        self._sim = simulator
        self._config = dict(config or {})
        self._params = params
        self._db: sqlite3.Connection | None = None
        self.luw: list = []  # the unit of work a BAPI_TRANSACTION_COMMIT will write
        self._open()

    # -- pyrfc API ----------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._db is not None

    def call(self, func_name: str, options: dict | None = None, **params: Any) -> dict:
        if self._db is None:
            raise e.RFCError("connection is closed", e.RFC_COMMUNICATION_FAILURE,
                             "RFC_INVALID_HANDLE")
        faults = self._sim.faults
        if faults.should_fail(func_name):
            self._drop()
            raise e.CommunicationError(
                "connection to partner broken (simulated)", e.RFC_COMMUNICATION_FAILURE,
                "RFC_COMMUNICATION_FAILURE")
        timeout = float((options or {}).get("timeout") or self._config.get("timeout")
                        or DEFAULT_TIMEOUT_SECONDS)
        late = faults.late_by(func_name)
        if late > timeout:  # SAP carries on after the caller has given up
            self._execute_late(func_name, params, late)
            time.sleep(timeout)
            self.luw.clear()
            raise e.RFCLibError(f"Connection was canceled after {timeout}s timeout",
                                e.RFC_CANCELED, "RFC_CANCELED")
        delay = max(faults.delay(func_name), late)
        if delay > timeout:
            time.sleep(timeout)
            raise e.RFCLibError(f"Connection was canceled after {timeout}s timeout",
                                e.RFC_CANCELED, "RFC_CANCELED")
        if delay:
            time.sleep(delay)
        function = FUNCTIONS.get(func_name) or ACCOUNTING_FUNCTIONS.get(func_name)
        if func_name in LUW_FUNCTIONS:
            function = partial(LUW_FUNCTIONS[func_name], conn=self)
        if function is None:
            raise e.ABAPApplicationError(
                f"Function module {func_name} not found", e.RFC_ABAP_EXCEPTION,
                "FU_NOT_FOUND")
        rstrip = bool(self._config.get("rstrip", True))
        if func_name == "RFC_READ_TABLE":
            params["rstrip"], rstrip = rstrip, False  # trimmed by the database, faster
        try:
            with self._db:
                result = function(self._db, self._sim, **params)
        except AbapException as exc:
            raise e.ABAPApplicationError(exc.text, e.RFC_ABAP_EXCEPTION, exc.key) from None
        except UnknownParameter as exc:
            raise e.ExternalRuntimeError(f"field '{exc}' not found", e.RFC_INVALID_PARAMETER,
                                         "RFC_INVALID_PARAMETER") from None
        except WrongType as exc:
            raise e.RFCTypeError(str(exc), e.RFC_CONVERSION_FAILURE,
                                 "RFC_CONVERSION_FAILURE") from None
        except TypeError as exc:  # a keyword the function module does not have
            name = str(exc).rsplit("'", 2)[-2] if "'" in str(exc) else str(exc)
            raise e.ExternalRuntimeError(f"field '{name}' not found", e.RFC_INVALID_PARAMETER,
                                         "RFC_INVALID_PARAMETER") from None
        if rstrip:
            result = _rstrip(result)
        faults.after_call(func_name)
        if faults.drops_after_commit(func_name):
            self._drop()
            raise e.CommunicationError(
                "connection to partner broken after the call (simulated)",
                e.RFC_COMMUNICATION_FAILURE, "RFC_COMMUNICATION_FAILURE")
        if faults.times_out_after_commit(func_name):
            raise e.RFCLibError(f"Connection was canceled after {timeout}s timeout",
                                e.RFC_CANCELED, "RFC_CANCELED")
        return result

    def ping(self) -> None:
        self.call("RFC_PING")

    def reopen(self) -> None:
        self._drop()
        self._open()

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------
    def _execute_late(self, func_name: str, params: dict[str, Any], seconds: float) -> None:
        """Run the call ``seconds`` from now in SAP's own time, on its own session that holds
        this session's unit of work (what a commit would have written)."""
        session = _LateSession(list(self.luw))
        function = FUNCTIONS.get(func_name) or ACCOUNTING_FUNCTIONS.get(func_name)
        if func_name in LUW_FUNCTIONS:
            function = partial(LUW_FUNCTIONS[func_name], conn=session)
        started = time.monotonic()
        sim = self._sim

        def execute() -> None:
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))
            if function is None:
                return
            db = sim.open_db()
            try:
                with db:
                    function(db, sim, **params)
            except Exception:  # noqa: BLE001,S110 - SAP's own failure: nobody is there to hear it
                pass
            finally:
                db.close()

        thread = threading.Thread(target=execute, name=f"sap-late-{func_name}", daemon=True)
        sim.faults.late_calls.append(thread)
        thread.start()

    def _open(self) -> None:
        if self._sim.faults.unreachable:
            raise e.CommunicationError(
                f"partner '{self._params.get('ashost', 'simulator')}:33"
                f"{self._params.get('sysnr', '00')}' not reached",
                e.RFC_COMMUNICATION_FAILURE, "RFC_COMMUNICATION_FAILURE")
        client = self._sim.client()
        if client is not None and str(self._params.get("client", client)) != client:
            raise e.LogonError(f"Client {self._params.get('client')} is not available in this "
                               "system", e.RFC_LOGON_FAILURE, "RFC_LOGON_FAILURE")
        expected = self._sim.logon()
        if expected is not None:
            user, password = expected
            if self._params.get("user", "").upper() != user.upper() or \
                    self._params.get("passwd") != password:
                raise e.LogonError("Name or password is incorrect (repeat logon)",
                                   e.RFC_LOGON_FAILURE, "RFC_LOGON_FAILURE")
        self._db = self._sim.open_db()

    def _drop(self) -> None:
        self.luw.clear()  # SAP rolls back an uncommitted unit of work when the session ends
        if self._db is not None:
            self._db.close()
            self._db = None


class _LateSession:
    """What a late call keeps of its caller's session: the unit of work."""

    def __init__(self, luw: list) -> None:
        self.luw = luw


def _rstrip(value: Any) -> Any:
    """pyrfc's ``rstrip``: trailing blanks of every text field removed."""
    if isinstance(value, str):
        return value.rstrip()
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and value[0].keys() == {"WA"}:
            return [{"WA": row["WA"].rstrip()} for row in value]  # RFC_READ_TABLE's DATA
        return [_rstrip(v) for v in value]
    if isinstance(value, dict):
        return {k: _rstrip(v) for k, v in value.items()}
    return value
