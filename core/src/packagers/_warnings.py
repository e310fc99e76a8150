"""One way to report a recoverable problem, so strict mode can turn all of them into errors."""

from __future__ import annotations

from packagers._errors import PackagersError, PackagersWarning
from packagers._reporting import report

__all__ = ["warn"]


def warn(
    message: str,
    error: type[PackagersError] = PackagersError,
    *,
    category: type[PackagersWarning] = PackagersWarning,
) -> None:
    """Warn at the user's line, or raise ``error`` when the ``strict`` setting is on."""
    from packagers._config import config

    report(message, error, category, strict=config.strict)
