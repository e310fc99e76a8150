"""Errors of the UI: a request it cannot answer, and a filter expression it cannot parse."""

from __future__ import annotations

from packagers._errors import PackagersError

__all__ = ["FilterError", "NotFoundError", "UiError"]


class UiError(PackagersError):
    """A request the UI cannot answer as asked; the message says what to change."""


class NotFoundError(UiError):
    """The run, artifact or file a request names does not exist (an HTTP 404)."""


class FilterError(UiError):
    """A filter expression is not in the grammar; the message points at the offending part."""
