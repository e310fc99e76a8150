"""How far reading one archive may expand it: the ``archive.*`` limits, for every plugin alike.

A small archive can hold gigabytes (a decompression bomb), so whatever reads one (the stdlib
plugin extracting a directory, the numpy plugin loading an npz) spends an
:class:`ExpansionBudget`: past ``archive.max_size`` bytes, or past ``archive.max_ratio`` times
the archive's own size once more than :attr:`ExpansionBudget.RATIO_FLOOR` bytes are out, reading
stops with one error that names the setting and its variable. Zip members ``zipfile`` cannot
inflate a bounded amount at a time (bzip2, lzma) are refused before they are read.

An archive a packer wrote records how many bytes it expands to (the ``expanded_size``
instruction, handed to the budget as ``declared``): reading it may then go up to that size
whatever the ratio, never past ``archive.max_size``, and never past the recorded size either.
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

    ``declared`` is the size the archive's manifest records it expands to (the ``expanded_size``
    instruction its packer wrote), or None for an archive nobody recorded (a plain file, an
    artifact of an earlier version): only then is the ratio checked.
    """

    #: Below this many bytes out the ratio is not checked: a small archive cannot fill a disk or
    #: the memory, and a few files of zeros or repeated text compress far beyond any ratio.
    RATIO_FLOOR: ClassVar[int] = 64 << 20

    def __init__(self, archive_size: int, what: str, *, declared: int | None = None) -> None:
        from packagers._config import config

        self.archive_size = archive_size
        self.what = what
        self.max_size: int = config.archive.max_size
        self.max_ratio: int = config.archive.max_ratio
        self.declared = declared
        self.spent = 0
        if declared is None:
            return
        if isinstance(declared, bool) or not isinstance(declared, int) or declared < 0:
            raise UnpackingError(
                f"refusing {what}: its manifest records that it expands to {declared!r} bytes, "
                "which is not a number of bytes; the manifest is damaged or forged"
            )
        if declared > self.max_size:  # refused now rather than after max_size bytes written
            self._refuse(
                "",
                f"its manifest records that it expands to {declared} bytes, more than "
                f"{self.max_size}, the most one archive may",
                "archive.max_size",
                "MLRUN_PACKAGERS__ARCHIVE__MAX_SIZE",
            )

    def spend(self, member: str, size: int) -> None:
        """Count ``size`` more bytes out of ``member``; an ``UnpackingError`` past a limit.

        With a recorded size the ratio is not checked, and that adds no exposure: whoever can
        forge a manifest in the store can as well store an uncompressed blob of any size, which
        only ``archive.max_size`` bounds, so that stays the hard limit here too. What a packer
        recorded is exact, so an archive that expands past it was changed after packing.
        """
        self.spent += size
        if self.spent > self.max_size:
            self._refuse(
                f" at its member {member!r}",
                f"the archive expands to more than {self.max_size} bytes, the most one archive may",
                "archive.max_size",
                "MLRUN_PACKAGERS__ARCHIVE__MAX_SIZE",
            )
        if self.declared is not None:
            if self.spent > self.declared:
                raise UnpackingError(
                    f"refusing {self.what} at its member {member!r}: the archive expands past "
                    f"the {self.declared} bytes its manifest records: damaged or forged"
                )
        elif self.spent > max(self.max_ratio * self.archive_size, self.RATIO_FLOOR):
            self._refuse(
                f" at its member {member!r}",
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

    def _refuse(self, where: str, reason: str, setting: str, variable: str) -> NoReturn:
        raise UnpackingError(
            f"refusing {self.what}{where}: {reason}. For an archive you "
            f"trust, raise the setting {setting} (packagers.config.{setting} = ..., or the "
            f"variable {variable})"
        )
