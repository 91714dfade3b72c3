"""Exceptions shaped like pyrfc's, so the rfc adapter classifies the simulator's errors exactly
as it classifies a real system's (by class name and ``key``)."""

from __future__ import annotations


class RFCError(Exception):
    def __init__(
        self,
        message: str = "",
        code: int | None = None,
        key: str | None = None,
        msg_class: str = "",
        msg_type: str = "",
        msg_number: str = "",
        msg_v1: str = "",
        msg_v2: str = "",
        msg_v3: str = "",
        msg_v4: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.key = key
        self.msg_class = msg_class
        self.msg_type = msg_type
        self.msg_number = msg_number
        self.msg_v1, self.msg_v2, self.msg_v3, self.msg_v4 = msg_v1, msg_v2, msg_v3, msg_v4

    def __str__(self) -> str:
        return f"{self.key} (rc={self.code}): key={self.key}, message={self.message}"


class RFCLibError(RFCError):
    """RFC library error (pyrfc: code and key from the NW RFC SDK)."""


class CommunicationError(RFCLibError):
    """RFC_COMMUNICATION_FAILURE: the network connection broke."""


class LogonError(RFCLibError):
    """RFC_LOGON_FAILURE: wrong user, password or client."""


class ABAPApplicationError(RFCLibError):
    """RFC_ABAP_EXCEPTION / RFC_ABAP_MESSAGE: the function module raised an exception."""


class ABAPRuntimeError(RFCLibError):
    """RFC_ABAP_RUNTIME_FAILURE: a short dump in SAP."""


class ExternalRuntimeError(RFCLibError):
    """EXTERNAL_RUNTIME_FAILURE: e.g. RFC_INVALID_PARAMETER, a parameter the module lacks."""


class ExternalApplicationError(RFCLibError):
    """EXTERNAL_APPLICATION_FAILURE: the external program's own failure."""


class ExternalAuthorizationError(RFCLibError):
    """EXTERNAL_AUTHORIZATION_FAILURE: the user may not call this function (S_RFC)."""


class RFCTypeError(RFCLibError):
    """A value of the wrong type for its parameter (input conversion)."""


RFC_COMMUNICATION_FAILURE = 1
RFC_LOGON_FAILURE = 2
RFC_ABAP_RUNTIME_FAILURE = 3
RFC_ABAP_EXCEPTION = 5
RFC_CANCELED = 7
RFC_INVALID_PARAMETER = 20
RFC_CONVERSION_FAILURE = 22
RFC_AUTHORIZATION_FAILURE = 29
