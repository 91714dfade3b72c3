"""The root of arbridge's errors, shared by every package.

Errors are split by what to do about them, and every package's ``errors.py`` subclasses these::

    ArbridgeError
    ├── ConfigError        wrong or missing setting, wrong credentials: a person fixes config
    ├── RetriableError     network drop, timeout before the call reached the other side, 5xx:
    │                      retry with backoff
    ├── UncertainOutcome   the call may have happened: look the result up before anything else
    ├── BusinessError      the other side said no (PO exhausted, period closed): never retried,
    │                      goes to a person with the reason
    ├── InputError         a bad file or payload: rejected whole, nothing changed
    └── LostRace           another process got there first (took the lease over, moved the
                           state on): record nothing and stop; the winner carries on

Messages name the document or setting and say what to do.
"""

from __future__ import annotations


class ArbridgeError(Exception):
    """Root of every error arbridge raises on purpose."""


class ConfigError(ArbridgeError):
    """A setting is missing or wrong. The message names the setting and how to fix it."""


class OptionError(ConfigError):
    """A command-line option's value is not one the command knows (exit 2, as any usage
    error). The message names the option and the values it takes."""


class RetriableError(ArbridgeError):
    """A technical failure that is safe to retry."""


class UncertainOutcome(ArbridgeError):
    """The call may or may not have taken effect; resolve by lookup before retrying."""


class BusinessError(ArbridgeError):
    """The other side refused for a business reason; a person must act."""


class InputError(ArbridgeError):
    """Bad input (file, payload, remote data); names where, and nothing was changed."""


class LostRace(ArbridgeError):
    """Another process got there first: this one records nothing and stops, neither retrying
    nor asking a person; the process that won carries the work on."""
