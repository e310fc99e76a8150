"""The npy format: written in one pass straight from the array's memory, read without unpickling.

The npz archive (:mod:`packagers_numpy._npz`) and the scalar packager go through these too, so
padding is cleared, pickles are refused and headers are checked the same way everywhere.
"""

from __future__ import annotations

import math
import os
import re
from typing import TYPE_CHECKING, Any, Literal

from packagers import UnpackingError

if TYPE_CHECKING:
    from typing import IO

    import numpy as np

    from packagers import DataItem
    from packagers.plugin_api import DigestingWriter

__all__ = ["header_problem", "load_npy", "without_padding", "write_npy"]


def write_npy(stream: IO[bytes] | DigestingWriter, array: np.ndarray[Any, Any]) -> None:
    """``np.save`` into ``stream``, the data in one write straight from the array's memory.

    ``np.save`` to anything but a plain file copies the data chunk by chunk; one write of the
    array's own buffer lets the stream hash it while writing, at no extra copy.
    """
    import numpy as np

    array = without_padding(array)
    fmt = np.lib.format
    if not array.flags.c_contiguous or array.dtype.hasobject or array.dtype.names is not None:
        fmt.write_array(stream, array, allow_pickle=False)  # picks the header version itself
        return
    fmt.write_array_header_1_0(stream, fmt.header_data_from_array_1_0(array))
    if array.size:
        stream.write(array.reshape(-1).view(np.uint8).data)


def without_padding(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``array``, or for x87 long doubles a copy whose padding bytes are zero.

    An 80-bit long double fills 10 of its 12 or 16 bytes and numpy leaves the rest as the memory
    was, so equal values (the same scalar packed twice) would write different files and digests.
    """
    import numpy as np

    size = np.dtype(np.longdouble).itemsize
    if (
        array.dtype.type not in (np.longdouble, np.clongdouble)
        or not array.dtype.isnative
        or np.finfo(np.longdouble).nmant != 63  # not x87 extended precision: no padding
        or size <= 10
    ):
        return array
    clean = np.array(array, order="C")
    clean.reshape(-1).view(np.uint8).reshape(-1, size)[:, 10:] = 0
    return clean


def load_npy(
    data_item: DataItem, mmap_mode: Literal["r", "c"] | None = None
) -> np.ndarray[Any, Any]:
    """An npy file, read (or memory-mapped) without ever unpickling.

    The file is opened and its header parsed once: the header is checked, then the data read
    from where it ends, as ``np.load`` reads it (a second open and parse would cost a tenth of
    reading 8 MB from the page cache).
    """
    import numpy as np

    path = data_item.local()
    try:
        with open(path, "rb") as stream:
            header = _read_header(stream)
            if header is not None:
                problem = _claim_problem(header, os.fstat(stream.fileno()).st_size)
                if problem is not None:
                    raise UnpackingError(
                        f"refusing to load {data_item.key!r} ({data_item.url}): {problem}; the "
                        "file is damaged or forged"
                    )
                if mmap_mode is None:
                    return _read_data(stream, header)
        loaded = np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
    except ValueError as error:
        raise UnpackingError(
            f"{data_item.key!r} ({data_item.url}) is not an npy file of plain data: {error}. "
            "Arrays of Python objects are unpickled only from pkl artifacts, under the pickle "
            "policy; for a file you trust, ask for a Path and np.load it yourself"
        ) from error
    if not isinstance(loaded, np.ndarray):
        loaded.close()
        raise UnpackingError(f"{data_item.key!r} is an npz archive, not an npy file")
    return loaded


def header_problem(stream: IO[bytes], available: int) -> str | None:
    """Why the npy header at the start of ``stream`` must not be read on, or None.

    None too for what is not npy at all. Malformed headers raise ``ValueError``; the stream is
    left anywhere.
    """
    header = _read_header(stream)
    return None if header is None else _claim_problem(header, available)


#: What an npy header says: the array's shape, whether it is in Fortran order, its dtype.
_Header = tuple[tuple[int, ...], bool, "np.dtype[Any]"]


def _read_header(stream: IO[bytes]) -> _Header | None:
    """The npy header at the start of ``stream``, the stream left where the data begins.

    None for what is not npy at all (``np.load`` then says what it is). Malformed headers raise
    ``ValueError``.
    """
    import numpy as np

    fmt = np.lib.format
    start = stream.read(len(fmt.MAGIC_PREFIX) + 4)  # the magic, the version, a 1.0 length
    if start[: len(fmt.MAGIC_PREFIX)] != fmt.MAGIC_PREFIX:
        return None
    if start[6:8] == b"\x01\x00" and len(start) == 10:
        length = int.from_bytes(start[8:10], "little")
        header = _written_by_numpy(stream.read(length))
        if header is not None:
            return header
    stream.seek(0)
    version = fmt.read_magic(stream)
    if version == (1, 0):
        return fmt.read_array_header_1_0(stream)
    if version in ((2, 0), (3, 0)):  # 3.0 only reads field names as UTF-8: same sizes
        return fmt.read_array_header_2_0(stream)
    raise ValueError(f"npy format version {version[0]}.{version[1]} is not one numpy reads")


#: The header ``np.save`` writes for an array of one plain dtype (version 1.0): parsed by
#: this pattern in a microsecond, where ``np.load`` evaluates it as a Python literal (a tenth of
#: reading 8 MB from the page cache). Anything else is read the way numpy reads it.
_NUMPY_HEADER = re.compile(
    rb"\{'descr': '([<>|=]?[a-zA-Z]\d{0,4})', 'fortran_order': (False|True), "
    rb"'shape': \(((?:\d{1,20}, )*(?:\d{1,20},?)?)\), \} *\n"
)


def _written_by_numpy(text: bytes) -> _Header | None:
    """The header in ``text`` when it has exactly the form ``np.save`` gives it, else None."""
    import numpy as np

    match = _NUMPY_HEADER.fullmatch(text)
    if match is None:
        return None
    descr, fortran_order, shape = match.groups()
    try:
        dtype = np.dtype(descr.decode("ascii"))
    except TypeError:
        return None  # numpy's own reader says what is wrong with it
    return tuple(int(n) for n in shape.split(b",") if n), fortran_order == b"True", dtype


def _claim_problem(header: _Header, available: int) -> str | None:
    """Why an npy ``header`` must not be read on from ``available`` bytes, or None.

    numpy allocates the array the header describes before it reads any data, so a header that
    claims more bytes than there are (a forged shape of 10**12) would take the memory first.
    """
    shape, _, dtype = header
    claimed = math.prod(shape) * dtype.itemsize
    if claimed <= available:
        return None
    return (
        f"its npy header claims a {dtype} array of shape {shape}, {claimed} bytes, more than "
        f"the {available} bytes it holds"
    )


def _read_data(stream: IO[bytes], header: _Header) -> np.ndarray[Any, Any]:
    """The array after a checked ``header``, read from a real file as ``np.load`` reads it."""
    import numpy as np

    shape, fortran_order, dtype = header
    if dtype.hasobject:
        raise ValueError("it holds Python objects, which only unpickling would restore")
    count = math.prod(shape)
    array: np.ndarray[Any, Any] = np.fromfile(stream, dtype=dtype, count=count)
    if array.size != count:
        raise ValueError(
            f"its header claims {count} values and it holds {array.size} (a file cut short?)"
        )
    shaped: np.ndarray[Any, Any] = (
        array.reshape(shape[::-1]).transpose() if fortran_order else array.reshape(shape)
    )
    return shaped
