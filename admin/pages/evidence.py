"""The evidence pack of one upload attempt: screenshot inline, the values typed, the portal's
answer, and the Playwright trace to download.

Files are served only from inside the evidence folder: the attempt's folder comes from the
store, must resolve (symlinks followed) inside ``ARBRIDGE_HOME/evidence``, and only the
pack's own file names are served — a request names a file kind, never a path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from admin.context import RowId, context
from admin.security import Principal, current
from admin.templating import render
from sync.uploads import view as queue_view

router = APIRouter()
FILES = {  # name in the pack -> (media type, shown inline)
    "screenshot.png": ("image/png", True),
    "values.json": ("application/json", True),
    "result.txt": ("text/plain; charset=utf-8", True),
    "trace.zip": ("application/zip", False),
}
MAX_TEXT_BYTES = 256 * 1024


def pack_folder(evidence_root: Path, stored: str | None) -> Path | None:
    """The attempt's folder if it lies inside ``evidence_root``; None otherwise. A stored
    path is relative to the home (the evidence root's parent), never to the folder the web
    app was started from; an absolute path (written by an old version) is taken as it is."""
    if not stored:
        return None
    folder = Path(stored)
    if not folder.is_absolute():
        folder = evidence_root.parent / folder
    folder = folder.resolve()
    root = evidence_root.resolve()
    if folder == root or not folder.is_relative_to(root) or not folder.is_dir():
        return None
    return folder


def pack_file(folder: Path, name: str) -> Path | None:
    if name not in FILES:
        return None
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def _read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    with path.open("rb") as handle:
        return handle.read(MAX_TEXT_BYTES).decode("utf-8", errors="replace")


def read_values(folder: Path | None) -> dict[str, Any] | None:
    text = _read_text(pack_file(folder, "values.json")) if folder else None
    if text is None:
        return None
    try:
        loaded = json.loads(text)
    except ValueError:
        return {"(unreadable values.json)": text}
    return loaded if isinstance(loaded, dict) else {"values": loaded}


def _attempt(request: Request, document: str, number: int) -> tuple[dict, dict, Path | None]:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        upload = queue_view.one(conn, document)
        found = queue_view.attempt(conn, upload["id"], number) if upload else None
    if upload is None or found is None:
        raise HTTPException(404, f"no attempt {number} for billing document {document}")
    return upload, found, pack_folder(ctx.evidence_root, found["evidence"])


@router.get("/uploads/{document}/attempts/{number}")
def evidence_page(request: Request, document: str, number: RowId,
                  who: Principal = Depends(current)) -> Response:
    upload, attempt, folder = _attempt(request, document, number)
    files = {name: pack_file(folder, name) is not None for name in FILES} if folder else {}
    return render(
        request, "evidence.html", row=upload, attempt=attempt, files=files,
        values=read_values(folder),
        result=_read_text(pack_file(folder, "result.txt")) if folder else None)


@router.get("/uploads/{document}/attempts/{number}/{name}")
def evidence_file(request: Request, document: str, number: RowId, name: str,
                  who: Principal = Depends(current)) -> Response:
    _, _, folder = _attempt(request, document, number)
    path = pack_file(folder, name) if folder else None
    if path is None:
        raise HTTPException(404, f"no {name} in the evidence of attempt {number}")
    media_type, inline = FILES[name]
    download = f"{document}-attempt-{number}-{name}"
    return FileResponse(path, media_type=media_type, filename=download,
                        content_disposition_type="inline" if inline else "attachment")
