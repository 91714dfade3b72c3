"""Can a system be reached at all? One TCP connection to a URL's host and port, bounded by
a timeout, before a command starts work that would otherwise wait far longer (a broker client
retrying for 20 s, a browser launched for a portal that is down)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "rediss": 6379, "amqp": 5672,
                 "amqps": 5671, "postgresql": 5432, "postgres": 5432}


def unreachable(url: str, timeout_seconds: float) -> str | None:
    """None if a TCP connection to ``url``'s host and port opens within the timeout, else
    why not (one line, no credentials)."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:  # unix sockets and the like: nothing to check here
        return None
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:
        return f"{host}: the port is not a number"
    try:
        with socket.create_connection((host, port), timeout=timeout_seconds):
            return None
    except TimeoutError:
        return f"{host}:{port} did not answer within {timeout_seconds:g}s"
    except OSError as exc:
        return f"{host}:{port}: {exc.strerror or exc}"
