"""Secrets and personal data out of anything shown: URLs (passwords in the user-info and the
query), free text (a driver's error quoting a URL, a log line), and personal fields (e-mail
addresses, phone numbers) masked for logs and the audit trail (POPIA).

Standard library only, so any module may mask a URL without loading pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

SECRET_QUERY_KEYS = frozenset({"password", "passwd", "pwd", "pass", "sslpassword", "secret",
                               "token", "access_token", "api_key", "apikey", "sslkey_password"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL_PASSWORD = re.compile(r"(\w+://[^:/@\s]+:)[^@\s]+@")
_SECRET_FIELD = re.compile(r"((?:password|passwd|secret|token|otp)\w*[\"']?\s*[=:]\s*[\"']?)"
                           r"[^\s\"',}]+", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL with its passwords replaced by ``***`` — in the user-info
    (``user:pw@host``) and in the query (``?password=…``, ``token=…``) — fit for logs,
    errors and status output. Anything else is left as it was."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not parseable as a URL: hide everything after the scheme
        scheme, sep, _ = url.partition("://")
        return f"{scheme}://***" if sep else "***"
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}"
    query = "&".join(_redact_pair(pair) for pair in parts.query.split("&")) if parts.query \
        else parts.query
    if netloc == parts.netloc and query == parts.query:
        return url  # nothing to hide (and sqlite:////path keeps its slashes)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _redact_pair(pair: str) -> str:
    key, sep, _ = pair.partition("=")
    return f"{key}=***" if sep and key.lower() in SECRET_QUERY_KEYS else pair


def url_secrets(url: str) -> list[str]:
    """The secret values in ``url`` (user-info password, secret query values), decoded and as
    written, so they can be masked in text that quotes them (a driver's error message)."""
    try:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    if found:
        found.append(unquote(found[0]))
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in SECRET_QUERY_KEYS:
            found.append(value)
    raw = [p.partition("=")[2] for p in parts.query.split("&")
           if p.partition("=")[0].lower() in SECRET_QUERY_KEYS]
    return [s for s in dict.fromkeys(found + raw) if s]


def redact_text(text: str, url: str) -> str:
    """``text`` with every secret of ``url`` masked (for errors that quote the URL)."""
    for secret in sorted(url_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def channel_secrets(url: str) -> list[str]:
    """The parts of a notification channel's URL (Apprise: Teams, Slack, webhooks) that may
    be its credentials: the whole URL, its password, long path segments and query values
    (the tokens of ``slack://T000/B000/XXXX`` or a webhook's path); longest first."""
    parts = urlsplit(url)
    found = [url, parts.password or ""]
    found += [p for p in parts.path.split("/") if len(p) >= 6]
    found += [v for _, v in parse_qsl(parts.query) if len(v) >= 6 and "@" not in v]
    return sorted({s for s in found if s}, key=len, reverse=True)


def redact_channel(text: str, url: str) -> str:
    """``text`` with every possible credential of the channel ``url`` masked."""
    for secret in channel_secrets(url):
        text = text.replace(secret, "***")
    return text


def mask_email(value: str) -> str:
    """``t***@example.com``: the first letter and the domain stay, to tell people apart."""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(value: str) -> str:
    """``***567``: the last three digits stay."""
    digits = "".join(c for c in value if c.isdigit())
    return f"***{digits[-3:]}" if len(digits) > 3 else "***"


def mask_name(value: str) -> str:
    """``K***``: a person's or customer's name with its first letter only (a control
    character or escape sequence never survives)."""
    first = value.strip()[:1]
    return f"{first}***" if first.isprintable() and first else "***"


PII_MASKS: dict[str, Callable[[str], str]] = {"email": mask_email, "phone": mask_phone}


def mask_field(field: str, value: Any) -> Any:
    """A field's value fit for logs and the audit trail: personal data masked (by the
    field's name), the rest as text; None stays None."""
    if value is None:
        return None
    masker = PII_MASKS.get(field)
    return masker(str(value)) if masker else str(value)


def mask_text(text: str) -> str:
    """Personal data and secrets out of free text (a log line): e-mails, URL passwords,
    ``key=secret`` pairs."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _SECRET_FIELD.sub(r"\1***", text)
    return _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
