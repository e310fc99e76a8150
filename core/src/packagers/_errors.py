"""The exception hierarchy: one base class so callers can catch everything we raise."""

from __future__ import annotations

__all__ = [
    "CollectionError",
    "ConfigError",
    "FormatError",
    "LogHintError",
    "MissingLibraryError",
    "PackagersError",
    "PackagersWarning",
    "PackingError",
    "UnknownFormatError",
    "UnpackingError",
]


class PackagersError(Exception):
    """Base class of every error raised by packagers."""


class CollectionError(PackagersError):
    """A packager or plugin could not be collected (import, registration or policy failure)."""


class PackingError(PackagersError):
    """An object could not be packed under the requested log hint."""


class UnpackingError(PackagersError):
    """A data item could not be unpacked into the requested type."""


class LogHintError(PackagersError, ValueError):
    """A log hint is malformed; the message names the hint and the position of the problem."""

    #: The hint text and the 0-based position of the problem, when it came from a string.
    hint: str | None = None
    position: int | None = None


class ConfigError(PackagersError, ValueError):
    """A setting has a bad value; the message names the variable, the value and what is accepted."""


class PackagersWarning(UserWarning):
    """A recoverable problem; strict mode turns every one of these into an error."""


class FormatError(PackingError, UnpackingError):
    """A file format cannot be used; raised while packing and unpacking alike, so it is both."""


class UnknownFormatError(FormatError, LookupError):
    """No format of a family has this name, alias or suffix; the message lists the known ones."""


class MissingLibraryError(FormatError, ImportError):
    """A format needs an optional library that is missing; the message says what to install."""


# Tracebacks, reprs and pickles name each class where users import it from
# (``packagers.PackingError``), never this private module.
for _public in __all__:
    globals()[_public].__module__ = "packagers"
del _public
