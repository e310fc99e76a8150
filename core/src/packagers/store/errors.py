"""Errors of the store: one base class, and the one that must never be swallowed (corrupt data)."""

from __future__ import annotations

import json
from typing import Any

from packagers._errors import PackagersError

__all__ = ["CorruptArtifactError", "StoreError", "parse_json"]


class StoreError(PackagersError):
    """A store operation failed; the message names the URI or path and what is wrong."""


class CorruptArtifactError(StoreError):
    """Stored data does not match its recorded digest: refusing it beats returning wrong data."""


def parse_json(data: bytes, rel: str, store: str) -> Any:
    """A manifest, tag or run record; a damaged one is an error naming the file, not a bare
    ``JSONDecodeError`` that says neither which file nor which store."""
    try:
        return json.loads(data)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise StoreError(
            f"the store {store} is damaged: {rel} is not valid JSON ({error}); nothing writes "
            "such a file, so it was changed from outside: restore it or delete it"
        ) from None
