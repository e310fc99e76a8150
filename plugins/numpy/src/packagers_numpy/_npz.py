"""npz archives (one array, a list or a dict of them): written member by member, read within limits.

An npz is a zip, so reading one spends the core's ``ExpansionBudget`` (the ``archive.max_size``
and ``archive.max_ratio`` settings) on the members' declared sizes before anything is inflated
(``zipfile`` never inflates a stored or deflated member past its declared size), and each
member's npy header must fit in that size before numpy allocates the array it describes.
Writing one returns the bytes it expands to, which the packagers record as the ``expanded_size``
instruction: an npz we packed loads up to that size whatever its compression ratio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packagers import PackingError, UnpackingError
from packagers_numpy._npy import header_problem, without_padding

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Mapping

    import numpy as np

    from packagers import DataItem

__all__ = ["load_npz", "save_npz"]


def save_npz(path: str, arrays: Mapping[str, np.ndarray[Any, Any]], compress: bool) -> int:
    """An npz archive with one ``<name>.npy`` member per array, in order; the bytes it expands to.

    Written member by member like ``np.savez``, which cannot take every name (``file`` and
    ``allow_pickle`` are its own parameters).
    """
    import zipfile

    import numpy as np

    for name in arrays:
        if "\x00" in name or _not_utf8(name):
            raise PackingError(
                f"the array name {name!r} cannot be an npz member name (zip names end at a NUL "
                "character and are UTF-8); rename it, or pass format='pkl'"
            )
    compression = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=compression, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(
                    member, without_padding(np.asanyarray(array)), allow_pickle=False
                )
        return sum(info.file_size for info in archive.infolist())


def _not_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return True
    return False


def load_npz(
    data_item: DataItem, expanded_size: int | None = None
) -> dict[str, np.ndarray[Any, Any]]:
    """Every array of an npz archive, by member name, in archive order (never unpickling).

    An archive past the ``archive.*`` limits or past ``expanded_size`` (what its packer
    recorded, None for a plain file), or a member whose header claims more than the member
    holds, is an ``UnpackingError`` naming the member; nothing is inflated before.
    """
    import os
    import zipfile

    import numpy as np

    from packagers import plugin_api

    path = data_item.local()
    what = f"to load the npz archive {data_item.key!r} ({data_item.url})"
    try:
        if not zipfile.is_zipfile(path):
            with open(path, "rb") as stream:  # not np.load: it would read a whole npy file
                npy = stream.read(6) == np.lib.format.MAGIC_PREFIX
            if not npy:
                np.load(path, allow_pickle=False)  # neither npy nor zip: numpy says what it is
            raise UnpackingError(f"{data_item.key!r} is an npy file, not an npz archive")
        # Member by member: np.load's archive looks "x.npy" up as the member "x.npy" before
        # "x.npy.npy", so the arrays named "x" and "x.npy" would both read the first.
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            budget = plugin_api.ExpansionBudget(os.path.getsize(path), what, declared=expanded_size)
            for member in members:
                budget.check_zip_member(member)
                budget.spend(member.filename, member.file_size)
            for member in members:
                arrays[member.filename.removesuffix(".npy")] = _read_member(archive, member, what)
        return arrays
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise UnpackingError(
            f"{data_item.key!r} ({data_item.url}) is not an npz archive of plain arrays: {error}"
        ) from error


def _read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, what: str
) -> np.ndarray[Any, Any]:
    import numpy as np

    with archive.open(member) as stream:
        problem = header_problem(stream, member.file_size)
        if problem is not None:
            raise UnpackingError(
                f"refusing {what} at its member {member.filename!r}: {problem}; the archive is "
                "damaged or forged"
            )
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
