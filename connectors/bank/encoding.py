"""The text encodings banks' files come in (pure): UTF-8 with or without a byte-order mark,
UTF-16 (camt files saved by Windows tools, with or without a BOM) and Latin-1 (older MT940
exports). Format detection looks at the decoded text, so a UTF-16 camt file is known for
what it is; XML is still handed to the parser as the bank's own bytes (lxml reads the BOM
and the declaration)."""

from __future__ import annotations

import codecs

HEAD_BYTES = 4096


def utf16_codec(content: bytes) -> str | None:
    """``utf-16`` (BOM), ``utf-16-le``/``-be`` (no BOM, ASCII text with a zero byte beside
    each letter), or None for an 8-bit file."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = content[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1] != 0:
        return "utf-16-be"
    return None


def decode_text(content: bytes) -> str:
    """The file's text: UTF-16 or UTF-8 (a BOM dropped), else Latin-1, which reads any byte."""
    codec = utf16_codec(content)
    if codec is not None:
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def sniff_head(content: bytes) -> bytes:
    """The start of the file as UTF-8 bytes, for format detection whatever its encoding."""
    codec = utf16_codec(content)
    if codec is None:
        return content[:HEAD_BYTES]
    return content[:HEAD_BYTES * 2].decode(codec, errors="ignore")[:HEAD_BYTES].encode()
