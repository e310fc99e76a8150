"""Reporting a recoverable problem: a warning at the user's line, or the error in strict mode.

Strict mode is passed in, not read here, so the configuration can report its own problems with
this too (``warn`` in ``_warnings`` reads the setting for everyone else).
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING

from packagers._errors import PackagersError, PackagersWarning

if TYPE_CHECKING:
    from types import FrameType

__all__ = ["report"]

#: Modules whose frames are packagers' own machinery: a warning points past them.
_INTERNAL = ("packagers", "pluggy", "importlib")


def report(
    message: str,
    error: type[PackagersError],
    category: type[PackagersWarning],
    *,
    strict: bool,
) -> None:
    """Raise ``error`` when ``strict``; otherwise warn with ``category`` at the user's line.

    The warning points at the first frame outside packagers and its plugins, however deep
    inside packagers it was raised: a count of frames would break with every refactoring and
    differ between ``run``, ``log`` and the manager.
    """
    if strict:
        raise error(message)
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the innermost caller outside packagers, as seen from ``report``."""
    frame: FrameType | None = sys._getframe(2)  # report's caller
    level = 2
    while frame is not None and _is_internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    return level


def _is_internal(module: str) -> bool:
    top = module.split(".", 1)[0]
    return top in _INTERNAL or top.startswith("packagers_")
