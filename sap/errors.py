"""Errors raised at the SAP seam, classified once per adapter (see ``config.errors``).

::

    SapError
    ├── SapConfigError      (ConfigError)      logon failed, host unknown, adapter not installed
    ├── SapUnavailable      (RetriableError)   communication failure; retried after reopen()
    ├── SapTimeout          (UncertainOutcome) call cancelled after the timeout; reads retry it,
    │                                          writes look the document up first
    ├── SapBusinessError    (BusinessError)    ABAP application error or short dump, BAPIRET2
    │                                          type E/A: never retried, goes to a person
    ├── SapCallError        (BusinessError)    SAP refused the call itself: a parameter it does
    │                                          not have, a value of the wrong type (pyrfc's
    │                                          ExternalRuntimeError, RFCTypeError …): never
    │                                          retried, a fault to report
    └── SapDataError        (InputError)       SAP answered with data arbridge cannot read
"""

from __future__ import annotations

from config.errors import (
    ArbridgeError,
    BusinessError,
    ConfigError,
    InputError,
    RetriableError,
    UncertainOutcome,
)


class SapError(ArbridgeError):
    """Root of the SAP seam's errors."""


class SapConfigError(SapError, ConfigError):
    """SAP refused the logon or cannot be reached at the configured address."""


class SapUnavailable(SapError, RetriableError):
    """The connection to SAP broke; safe to retry after reopening."""


class SapTimeout(SapError, UncertainOutcome):
    """The call was cancelled after the timeout; it may have run in SAP."""


class SapBusinessError(SapError, BusinessError):
    """SAP refused the call for a business reason (message type E or A)."""


class SapCallError(SapError, BusinessError):
    """SAP (or the RFC library) refused the call as made: permanent, retrying cannot help."""


class SapDataError(SapError, InputError):
    """SAP returned a value that does not parse; names the table, row and field."""
