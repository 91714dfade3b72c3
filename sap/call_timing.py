"""How long each call to SAP took, by adapter and function (an RFC function module, an OData
entity set). The adapters report every remote call here, retries each on its own; whoever
keeps metrics listens (``workers.metrics`` feeds a Prometheus histogram), so ``sap/`` needs
no metrics library and costs nothing when nobody listens."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

log = logging.getLogger(__name__)

Outcome = Literal["ok", "error"]
Listener = Callable[[str, str, float, Outcome], None]  # adapter, function, seconds, outcome
_listeners: list[Listener] = []
_KEYS = re.compile(r"\((?:'(?:[^']|'')*'|[^()'])*\)")  # (key) parts, quoted '/' and ')' too


def listen(listener: Listener) -> None:
    """Call ``listener`` after every SAP call (once per listener, however often added)."""
    if listener not in _listeners:
        _listeners.append(listener)


def forget(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


@contextmanager
def timed(adapter: str, function: str) -> Iterator[None]:
    """Time the remote call in the ``with`` block. ``error``: the call raised (no answer, or
    an RFC exception); an HTTP error status that came back is an answer (``ok``)."""
    started = time.perf_counter()
    outcome: Outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        seconds = time.perf_counter() - started
        for listener in list(_listeners):
            try:
                listener(adapter, function, seconds, outcome)
            except Exception:  # noqa: BLE001 - metrics must never break a call to SAP
                log.warning("SAP call timing listener failed", exc_info=True)


def odata_function(url: str) -> str:
    """The entity set or function an OData URL names, without service path, keys or query:
    ``.../API_BILLING_DOCUMENT_SRV/A_BillingDocument('9001')?$top=1`` -> ``A_BillingDocument``."""
    path = _KEYS.sub("", url.split("?", 1)[0]).rstrip("/")
    return path.rsplit("/", 1)[-1] or "service"
