"""How far reading one archive may expand it: the ``archive.*`` limits, for every plugin alike.

A small archive can hold gigabytes (a decompression bomb), so whatever reads one (the stdlib
plugin extracting a directory, the numpy plugin loading an npz) spends an
:class:`ExpansionBudget`: past ``archive.max_size`` bytes, or past ``archive.max_ratio`` times
the archive's own size once more than :attr:`ExpansionBudget.RATIO_FLOOR` bytes are out, reading
stops with one error that names the setting and its variable. Zip members ``zipfile`` cannot
inflate a bounded amount at a time (bzip2, lzma) are refused before they are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NoReturn

from packagers._errors import UnpackingError

if TYPE_CHECKING:
    import zipfile

__all__ = ["ExpansionBudget"]

#: zip compression methods by number, for errors (``zipfile`` keeps no public table).
_METHODS = {12: "bzip2", 14: "lzma"}


class ExpansionBudget:
    """The bytes reading one archive may still produce, spent member by member.

    ``what`` completes "refusing ..." in errors: ``"to extract the archive '/tmp/x.zip'"``.
    Spend what is really written where headers can lie, or what headers declare when the reader
    never produces more than that (``zipfile`` stops a member at its declared size).
    """

    #: Below this many bytes out the ratio is not checked: a small archive cannot fill a disk or
    #: the memory, and a few files of zeros or repeated text compress far beyond any ratio.
    RATIO_FLOOR: ClassVar[int] = 64 << 20

    def __init__(self, archive_size: int, what: str) -> None:
        from packagers._config import config

        self.archive_size = archive_size
        self.what = what
        self.max_size: int = config.archive.max_size
        self.max_ratio: int = config.archive.max_ratio
        self.spent = 0

    def spend(self, member: str, size: int) -> None:
        """Count ``size`` more bytes out of ``member``; an ``UnpackingError`` past a limit."""
        self.spent += size
        if self.spent > self.max_size:
            self._refuse(
                member,
                f"the archive expands to more than {self.max_size} bytes, the most one archive may",
                "archive.max_size",
                "MLRUN_PACKAGERS__ARCHIVE__MAX_SIZE",
            )
        if self.spent > max(self.max_ratio * self.archive_size, self.RATIO_FLOOR):
            self._refuse(
                member,
                f"the {self.archive_size}-byte archive expands to at least {self.spent} bytes, "
                f"more than {self.max_ratio} times its size, as a decompression bomb does",
                "archive.max_ratio",
                "MLRUN_PACKAGERS__ARCHIVE__MAX_RATIO",
            )

    def check_zip_member(self, info: zipfile.ZipInfo) -> None:
        """Refuse a zip member compressed so that ``zipfile`` inflates it without a bound.

        ``zipfile`` asks its deflate decompressor for what the caller reads, but inflates each
        chunk of a bzip2 or lzma member whole: a few KB of bzip2 take gigabytes of memory
        before any count sees a byte. Stored and deflated members are all an archive needs.
        """
        import zipfile

        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
            raise UnpackingError(
                f"refusing {self.what} at its member {info.filename!r}: it is compressed with "
                f"{method}, which Python's zipfile inflates without a bound; only stored and "
                "deflated members are read (write the archive with deflate)"
            )

    def _refuse(self, member: str, reason: str, setting: str, variable: str) -> NoReturn:
        raise UnpackingError(
            f"refusing {self.what} at its member {member!r}: {reason}. For an archive you "
            f"trust, raise the setting {setting} (packagers.config.{setting} = ..., or the "
            f"variable {variable})"
        )
