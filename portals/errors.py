"""Errors at the portal seam, classified once in the driver base (see ``config.errors``).

::

    PortalError
    ├── PortalLoginFailed   (ConfigError)      wrong password, expired account, bad TOTP seed
    ├── PortalUnavailable   (RetriableError)   5xx, page too slow, connection refused
    ├── PortalUncertain     (UncertainOutcome) submitted, but no confirmation came back: look
    │                                          the invoice up before anything else
    ├── PortalRejected      (BusinessError)    the portal refused the invoice (its message)
    ├── PortalLayoutChanged (BusinessError)    an expected field or button is not on the page:
    │                                          the driver needs a developer
    └── PortalPageNotFound  (BusinessError)    the portal has no page at the address built from
                                               a reference (404): a person checks the reference
"""

from __future__ import annotations

from config.errors import (
    ArbridgeError,
    BusinessError,
    ConfigError,
    RetriableError,
    UncertainOutcome,
)


class PortalError(ArbridgeError):
    """Root of the portal seam's errors."""


class PortalLoginFailed(PortalError, ConfigError):
    pass


class PortalUnavailable(PortalError, RetriableError):
    pass


class PortalUncertain(PortalError, UncertainOutcome):
    pass


class PortalRejected(PortalError, BusinessError):
    pass


class PortalLayoutChanged(PortalError, BusinessError):
    pass


class PortalPageNotFound(PortalError, BusinessError):
    pass
