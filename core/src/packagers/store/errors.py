"""Errors of the store: one base class, and the one that must never be swallowed (corrupt data)."""

from __future__ import annotations

from packagers._errors import PackagersError

__all__ = ["CorruptArtifactError", "StoreError"]


class StoreError(PackagersError):
    """A store operation failed; the message names the URI or path and what is wrong."""


class CorruptArtifactError(StoreError):
    """Stored data does not match its recorded digest: refusing it beats returning wrong data."""
