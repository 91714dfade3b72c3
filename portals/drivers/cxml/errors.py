"""Errors of the cXML channel, under the portal seam's tree (``portals.errors``)::

    PortalError
    ├── CxmlInvalid   (BusinessError)  the document fails its DTD or a business check:
    │                                  held for a person, never sent
    └── CxmlDuplicate (BusinessError)  the network says the invoice number is already there:
                                       "already there" once the lookup confirms it
"""

from __future__ import annotations

from config.errors import BusinessError
from portals.errors import PortalError


class CxmlInvalid(PortalError, BusinessError):
    def __init__(self, document: str, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(f"cXML invoice {document} not sent: " + "; ".join(reasons))


class CxmlDuplicate(PortalError, BusinessError):
    pass
