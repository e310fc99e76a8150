"""One way to report a recoverable problem, so strict mode can turn all of them into errors."""

from __future__ import annotations

import warnings

from packagers._errors import PackagersError, PackagersWarning

__all__ = ["warn"]


def warn(
    message: str,
    error: type[PackagersError] = PackagersError,
    *,
    category: type[PackagersWarning] = PackagersWarning,
    stacklevel: int = 3,
) -> None:
    """Warn with ``category``, or raise ``error`` when ``config.strict`` is on."""
    from packagers._config import config

    if config.strict:
        raise error(message)
    warnings.warn(message, category, stacklevel=stacklevel)
