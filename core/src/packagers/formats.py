"""File formats, declared once per family: found by name, alias or suffix, with one set of errors.

Every plugin family (stdlib containers and archives, numpy arrays, pandas frames, PIL images, and
third-party plugins) subclasses :class:`Format` for its rows and keeps them in a
:class:`FormatRegistry`, so "unknown format" and "install this library" read the same everywhere.
The suffixes that mark a pickle live here too (:data:`PICKLE_SUFFIXES`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from packagers._errors import CollectionError, MissingLibraryError, UnknownFormatError

__all__ = [
    "PICKLE_SUFFIXES",
    "Format",
    "FormatRegistry",
    "MissingLibraryError",
    "UnknownFormatError",
    "is_pickle",
    "require",
]

#: Suffixes of pickle files: only the pickle policy may read them.
PICKLE_SUFFIXES = (".pkl", ".pickle", ".cloudpickle")


def is_pickle(suffix: str) -> bool:
    """Whether a file with this suffix (any case, ``.data.pkl`` included) is a pickle."""
    return suffix.lower().endswith(PICKLE_SUFFIXES)


@dataclass(frozen=True, kw_only=True)
class Format:
    """One file format of a family; families subclass it with what their code needs."""

    name: str
    #: Suffixes of files read as this format, the one written first (``.csv.gz`` style allowed).
    suffixes: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    #: The optional module the format imports, and how to install it when it is missing.
    library: str | None = None
    install: str = ""

    @property
    def suffix(self) -> str:
        """The suffix of the files this format writes."""
        return self.suffixes[0]

    def missing_library(self) -> str | None:
        """Why the format cannot be used here, with what to install; None when it can."""
        if self.library is None:
            return None
        try:
            importlib.import_module(self.library)
        except ImportError:
            return (
                f"format {self.name!r} needs {self.library}, which is not installed: "
                f"{self.install or 'pip install ' + self.library.partition('.')[0]}"
            )
        return None


F = TypeVar("F", bound=Format)


class FormatRegistry(Mapping[str, F], Generic[F]):
    """The formats of one family (``"pandas"``, ``"image"``, ...), in declaration order.

    A read-only mapping of format name to row; :meth:`get` also takes aliases and raises the
    family's errors, where ``registry[name]`` is the exact lookup for the family's own code.
    """

    def __init__(self, family: str, formats: Iterable[F]) -> None:
        self.family = family
        self._formats: dict[str, F] = {}
        self._names: dict[str, str] = {}
        for fmt in formats:
            for name in (fmt.name, *fmt.aliases):
                if name.lower() in self._names:
                    raise CollectionError(
                        f"{family} format {name!r} is declared twice; give each format its own "
                        "name and aliases"
                    )
                self._names[name.lower()] = fmt.name
            self._formats[fmt.name] = fmt

    def __iter__(self) -> Iterator[str]:
        return iter(self._formats)

    def __len__(self) -> int:
        return len(self._formats)

    def __getitem__(self, name: str) -> F:
        return self._formats[name]

    def names(self) -> tuple[str, ...]:
        return tuple(self._formats)

    def suffixes(self) -> tuple[str, ...]:
        return tuple(suffix for fmt in self.values() for suffix in fmt.suffixes)

    def get(  # type: ignore[override]  # Mapping.get returns a default; this one raises
        self, name: object, *, key: str | None = None, available: bool = True
    ) -> F:
        """The format called ``name`` or one of its aliases, any case.

        Raises :class:`UnknownFormatError` listing the formats, and, with ``available``,
        :class:`MissingLibraryError` when its optional library is not installed. ``key`` (the
        artifact) prefixes the message.
        """
        found = self._names.get(name.lower()) if isinstance(name, str) else None
        if found is None:
            raise UnknownFormatError(
                _about(
                    key,
                    f"unknown format {name!r}; the formats are: {self._listed()}",
                )
            )
        fmt = self._formats[found]
        if available:
            require(fmt, key)
        return fmt

    def for_suffix(self, suffix: str, *, key: str | None = None, available: bool = True) -> F:
        """The format that reads a file with this suffix (the longest matching suffix wins)."""
        lowered = suffix.lower()
        matches = [
            (len(ending), fmt)
            for fmt in self.values()
            for ending in fmt.suffixes
            if lowered.endswith(ending)
        ]
        if not matches:
            unknown = (
                f"no format reads files ending in {suffix!r}"
                if suffix
                else "the file name has no suffix to tell its format"
            )
            raise UnknownFormatError(
                _about(key, f"{unknown}; readable suffixes: {', '.join(self.suffixes())}")
            )
        fmt = max(matches, key=lambda match: match[0])[1]
        if available:
            require(fmt, key)
        return fmt

    def _listed(self) -> str:
        return ", ".join(
            fmt.name + (f" (needs {fmt.library})" if fmt.library and fmt.missing_library() else "")
            for fmt in self.values()
        )


def require(fmt: Format, key: str | None = None) -> None:
    """Raise :class:`MissingLibraryError` when ``fmt`` cannot be used here."""
    missing = fmt.missing_library()
    if missing is not None:
        raise MissingLibraryError(_about(key, missing))


def _about(key: str | None, message: str) -> str:
    return message if key is None else f"{key!r}: {message}"
