"""The last line of defence for evidence: before an evidence file is kept, every configured
secret (portal password, TOTP seed, session cookie values) is searched for in it — inside
``trace.zip`` members too — and replaced by ``[redacted]``.

The login already happens outside any recording (see ``PageDriver.sign_in``), so a hit here
means something new leaked: it is redacted and logged (never the secret itself). A secret is
looked for in the forms a browser or a trace writes it: as is, URL-encoded (form bodies,
query strings), JSON-escaped (trace events) and HTML-escaped (DOM snapshots).
"""

from __future__ import annotations

import html
import json
import logging
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus

from sync.files import write_private

log = logging.getLogger(__name__)

MARK = b"[redacted]"
COOKIE_MIN_LENGTH = 8  # session tokens are long; short cookies (flags, consent) are not secrets
IMAGES = (".png", ".jpg", ".jpeg", ".webp")


def encodings(secret: str) -> set[bytes]:
    """The byte strings ``secret`` may appear as in a page, a request or a trace."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             html.escape(secret, quote=True), html.escape(secret, quote=False)}
    return {form.encode() for form in forms if form}


class Redactor:
    """The secrets of one portal account, and what to do with evidence that contains them."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._forms: set[bytes] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if secret:
                self._forms |= encodings(secret)

    def add_cookies(self, values: Iterable[str]) -> None:
        self.add(*(v for v in values if len(v) >= COOKIE_MIN_LENGTH))

    def scrub(self, data: bytes) -> tuple[bytes, int]:
        """``data`` with every secret replaced, and how many replacements were made."""
        hits = 0
        for form in sorted(self._forms, key=len, reverse=True):
            count = data.count(form)
            if count:
                hits += count
                data = data.replace(form, MARK)
        return data, hits

    def found_in(self, data: bytes) -> bool:
        return any(form in data for form in self._forms)

    def scrub_file(self, path: Path) -> int:
        """Redact ``path`` in place (zip members one by one); an image that contains a
        secret's bytes cannot be redacted, so it is removed. Returns the hits."""
        if zipfile.is_zipfile(path):
            return self._scrub_zip(path)
        content = path.read_bytes()
        if not self.found_in(content):
            return 0
        if path.suffix.lower() in IMAGES:
            path.unlink()
            return 1
        cleaned, hits = self.scrub(content)
        write_private(path, cleaned)
        return hits

    def _scrub_zip(self, path: Path) -> int:
        with zipfile.ZipFile(path) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        cleaned = []
        hits = 0
        for info, content in members:
            content, count = self.scrub(content)
            hits += count
            cleaned.append((info, content))
        if not hits:
            return 0
        temporary = path.with_name(path.name + ".redacting")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w",
                                                          zipfile.ZIP_DEFLATED) as archive:
            for info, content in cleaned:
                archive.writestr(info.filename, content)
        temporary.replace(path)
        return hits

    def scrub_folder(self, folder: Path) -> int:
        """Redact every file under ``folder``; returns the hits (logged, without the secret)."""
        hits = 0
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found = self.scrub_file(path)
                if found:
                    log.warning("redacted %d secret(s) from evidence file %s", found, path)
                hits += found
        return hits
