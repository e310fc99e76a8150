"""Errors of the store: one base class, and the ones that must never be swallowed."""

from __future__ import annotations

import json
from typing import Any

from packagers._errors import PackagersError

__all__ = [
    "AmbiguousRunError",
    "CorruptArtifactError",
    "DamagedFileError",
    "RunFinishedError",
    "StoreError",
    "StoreNotFoundError",
    "parse_json",
]


class StoreError(PackagersError):
    """A store operation failed; the message names the URI or path and what is wrong."""


class CorruptArtifactError(StoreError):
    """Stored data does not match its recorded digest: refusing it beats returning wrong data."""


class DamagedFileError(StoreError):
    """A manifest, tag or run record the store cannot trust: not JSON, or fields it never writes.

    Such a file was changed from outside (by hand, a broken copy, an attacker); nothing in it is
    used, least of all as a path. ``path`` is the file, relative to the store root.
    """

    def __init__(self, store: str, path: str, problem: str) -> None:
        super().__init__(
            f"the store {store} is damaged: {path} {problem}; nothing writes such a file, so it "
            "was changed from outside: restore it or delete it (`packagers store verify` lists "
            "every damaged file)"
        )
        self.path = path
        self.problem = problem


class RunFinishedError(StoreError):
    """A final run record exists and cannot change; ``record`` is the one saved.

    Whoever meets it knows the run is over: a scheduler that ran a task twice, say, returns the
    saved record rather than a second run's.
    """

    def __init__(self, message: str, record: dict[str, Any]) -> None:
        super().__init__(message)
        self.record = record


class AmbiguousRunError(StoreError):
    """A run id prefix matches several runs; the message lists them."""


class StoreNotFoundError(StoreError):
    """A read-only command named a store that does not exist: a typo is not an empty store."""


def parse_json(data: bytes, rel: str, store: str) -> Any:
    """A manifest, tag or run record; a damaged one is an error naming the file, not a bare
    ``JSONDecodeError`` that says neither which file nor which store."""
    try:
        return json.loads(data)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise DamagedFileError(store, rel, f"is not valid JSON ({error})") from None
