"""Text previews of bytes and files: shown only when they are small UTF-8 text."""

from __future__ import annotations

import os
from typing import Any

from packagers.previews import text_preview

__all__ = ["SMALL_TEXT_BYTES", "bytes_preview", "file_preview"]

#: Bytes and files up to this size are read whole to tell text from binary data.
SMALL_TEXT_BYTES = 1024 * 1024


def bytes_preview(data: bytes | bytearray) -> dict[str, Any] | None:
    """A ``text`` preview of small UTF-8 text without NUL characters; None for anything else."""
    if len(data) > SMALL_TEXT_BYTES or b"\0" in data:
        return None
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text_preview(text)


def file_preview(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """What :func:`bytes_preview` shows of a regular file; None for directories and large files."""
    if not os.path.isfile(path) or os.path.getsize(path) > SMALL_TEXT_BYTES:
        return None
    with open(path, "rb") as stream:
        return bytes_preview(stream.read(SMALL_TEXT_BYTES + 1))
