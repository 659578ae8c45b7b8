"""Bytes of a file to text: size-limited reads, UTF-8/GB18030 decoding, refusal of binary or empty data."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_ENCODINGS = ("utf-8", "gb18030")


class DocumentError(ValueError):
    """A knowledge file that cannot be indexed; the message names the file and the reason."""


def too_large(name: str, size: int, limit: int) -> DocumentError:
    """The refusal of a file over `limit` bytes."""
    return DocumentError(
        f"{name}: the file is {size / 1_048_576:.1f} MB, over the {limit // 1_048_576} MB limit; split it."
    )


def read_limited(path: Path, name: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; links, devices, pipes and bigger files are refused unread."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise DocumentError(f"{name}: is a symbolic link; copy the file itself instead.")
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{name}: is not a regular file.")
        if info.st_size > limit:
            raise too_large(name, info.st_size, limit)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since lstat
    except OSError as exc:
        raise DocumentError(f"{name}: cannot be read ({exc.strerror}).") from exc
    if len(data) > limit:
        raise too_large(name, len(data), limit)
    return data


def _looks_like_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or NUL bytes only ever in the high half of 16-bit units (ASCII as UTF-16)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:65536]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return (even + odd) >= max(4, len(head) // 200) and min(even, odd) * 4 <= max(even, odd)


def _decodes_as_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM or any ASCII: it decodes to mostly CJK or printable ASCII."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: 65536 & ~1].decode(encoding)
        except UnicodeDecodeError:
            continue
        usual = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isascii() and ch.isprintable())
        if len(text) >= 4 and usual * 10 >= len(text) * 9:
            return True
    return False


def _implausible(text: str) -> bool:
    """Private-use or unassigned characters: what random bytes, UTF-16 or Big5 decoded as GB18030 turn into."""
    odd = sum(1 for ch in text if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn"))
    return odd * 100 > len(text)


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse empty, binary, UTF-16 or undecodable data."""
    if not data.strip():
        raise DocumentError(
            f"{name}: the file is empty; add text to it or remove it from the knowledge folder."
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large(name, len(data), MAX_DOCUMENT_BYTES)
    utf16 = (
        f"{name}: cannot be decoded as UTF-8 or GB18030; it looks like UTF-16 text. Save it as UTF-8 text."
    )
    if _looks_like_utf16(data):
        raise DocumentError(utf16)
    if b"\x00" in data[:65536]:
        raise DocumentError(
            f"{name}: looks like a binary file (NUL bytes); only UTF-8 or GB18030 text is accepted."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8" or not (_implausible(text[:200_000]) or _decodes_as_utf16(data)):
            break
    else:
        if _decodes_as_utf16(data):
            raise DocumentError(utf16)
        raise DocumentError(f"{name}: cannot be decoded as UTF-8 or GB18030; save it as UTF-8 text.")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > max(8, len(text) // 100):
        raise DocumentError(f"{name}: looks like a binary file (control characters); only text is accepted.")
    if not any(ch.isalnum() for ch in text):
        raise DocumentError(f"{name}: contains no readable text.")
    return text
