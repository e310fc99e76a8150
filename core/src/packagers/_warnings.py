"""One way to report a recoverable problem, so strict mode can turn all of them into errors."""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING

from packagers._errors import PackagersError, PackagersWarning

if TYPE_CHECKING:
    from types import FrameType

__all__ = ["warn"]

#: Modules whose frames are packagers' own machinery: a warning points past them.
_INTERNAL = ("packagers", "pluggy", "importlib")


def warn(
    message: str,
    error: type[PackagersError] = PackagersError,
    *,
    category: type[PackagersWarning] = PackagersWarning,
) -> None:
    """Warn with ``category``, or raise ``error`` when ``config.strict`` is on.

    The warning points at the user's line, the first frame outside packagers and its plugins,
    however deep inside packagers it was raised: a count of frames would break with every
    refactoring and differ between ``run``, ``log`` and the manager.
    """
    from packagers._config import config

    if config.strict:
        raise error(message)
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the innermost caller outside packagers, as seen from ``warn``."""
    frame: FrameType | None = sys._getframe(2)  # warn's caller
    level = 2
    while frame is not None and _is_internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
        level += 1
    return level


def _is_internal(module: str) -> bool:
    top = module.split(".", 1)[0]
    return top in _INTERNAL or top.startswith("packagers_")
