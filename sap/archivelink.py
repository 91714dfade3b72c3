"""Invoice PDFs from SAP ArchiveLink over RFC: ARCHIV_GET_CONNECTIONS finds the archived
print of a billing document (object type VBRK), ARCHIVOBJECT_GET_TABLE reads it."""

from __future__ import annotations

from typing import Any, Protocol

from sap.errors import SapBusinessError


class Caller(Protocol):
    def call(self, function: str, **params: Any) -> dict: ...


def fetch_pdf(sap: Caller, billing_document: str) -> bytes | None:
    """The archived PDF of a billing document, or None if nothing is archived for it."""
    try:
        links = sap.call("ARCHIV_GET_CONNECTIONS", OBJECTTYPE="VBRK",
                         OBJECT_ID=billing_document, DOCUMENTCLASS="PDF")
    except SapBusinessError as error:
        if "NOTHING_FOUND" in str(error):
            return None
        raise
    connections = [c for c in links.get("CONNECTIONS", []) if c.get("RESERVE", "PDF") == "PDF"]
    if not connections:
        return None
    newest = max(connections, key=lambda c: (c.get("AR_DATE") or "", c["ARC_DOC_ID"]))
    result = sap.call("ARCHIVOBJECT_GET_TABLE", ARCHIV_ID=newest["ARCHIV_ID"],
                      DOCUMENT_TYPE="PDF", ARCHIV_DOC_ID=newest["ARC_DOC_ID"])
    data = b"".join(line["LINE"] for line in result.get("BINARCHIVOBJECT", []))
    length = int(result.get("BINLENGTH") or len(data))
    return data[:length]
