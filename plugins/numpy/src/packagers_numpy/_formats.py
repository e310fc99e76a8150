"""The array file formats, written once: which arrays each holds, how it is written and read.

Every packager of this plugin writes and reads files through these functions (npy and npz have
their own modules, ``_npy`` and ``_npz``), so a format's rules (what it refuses, what its
instructions record, how a plain file of that suffix is read) exist in one place. numpy is
imported inside the functions: importing the plugin stays free of it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from packagers import Artifact, PackingError, UnpackingError
from packagers.formats import PICKLE_SUFFIXES, Format, FormatRegistry, is_pickle
from packagers_numpy._dataset import PARQUET
from packagers_numpy._npy import load_npy, write_npy
from packagers_numpy._npz import load_npz, save_npz

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from packagers import DataItem, Packager

__all__ = [
    "ARRAY_FORMATS",
    "PLAIN_FORMATS",
    "array_format",
    "choose_format",
    "is_json_number",
    "load_array",
    "load_pickle",
    "plain_artifact_type",
    "plain_format",
    "save_pickle",
    "write_array_file",
]

#: The formats one array can be packed in; the first suffix is the one written.
ARRAY_FORMATS: FormatRegistry[Format] = FormatRegistry(
    "array",
    (
        Format(name="npy", suffixes=(".npy",)),
        Format(name="npz", suffixes=(".npz",)),
        Format(name="txt", suffixes=(".txt",)),
        Format(name="csv", suffixes=(".csv", ".csv.gz")),  # .csv.gz reads as gzipped csv
        Format(name="gz", suffixes=(".txt.gz", ".gz")),
        Format(name="pkl", suffixes=PICKLE_SUFFIXES),
    ),
)

#: The formats a file we did not pack is read in, by suffix: never a pickle.
PLAIN_FORMATS: FormatRegistry[Format] = FormatRegistry(
    "plain array", (fmt for fmt in ARRAY_FORMATS.values() if fmt.name != "pkl")
)

#: Text formats (``np.savetxt``) -> the delimiter written; ``gz`` is gzip-compressed ``txt``.
_TEXT_DELIMITERS = {"txt": " ", "csv": ",", "gz": " "}

#: dtype kinds a text file restores exactly: bool, ints, floats, complex, timedelta, datetime.
_TEXT_KINDS = "biufcmM"


def is_json_number(dtype: np.dtype[Any]) -> bool:
    """Whether ``.tolist()``/``.item()`` give JSON numbers or booleans (no complex, no float128)."""
    return dtype.kind in "biu" or (dtype.kind == "f" and dtype.itemsize <= 8)


# -- choosing a format --------------------------------------------------------------------------


def choose_format(
    key: str,
    name: str | None,
    compress: bool,
    *,
    pickled: bool,
    formats: FormatRegistry[Format],
    what: Callable[[], str],
) -> str:
    """The ``format`` kwarg looked up in ``formats``, or the default.

    ``what`` describes the object for error messages; it is called only to raise one (``str``
    of a dtype costs more than the rest of this check).

    The default is ``npy`` (``npz`` with ``compress``, or when npy is not offered), and ``pkl``
    when ``pickled``: arrays of Python objects only pickle stores, and they are then loaded under
    the pickle policy.
    """
    if name is None:
        name = "pkl" if pickled else "npz" if compress or "npy" not in formats else "npy"
    else:
        name = formats.get(name, key=key).name
    if compress and name != "npz":
        raise PackingError(f"{key!r}: compress=True applies to the npz format only, not {name!r}")
    if pickled and name != "pkl":
        raise PackingError(
            f"{key!r}: {what()} holds Python objects, which only pickle can store; "
            "leave the format unset or pass format='pkl' (unpacked under the pickle policy)"
        )
    return name


def array_format(key: str, array: np.ndarray[Any, Any], name: str | None, compress: bool) -> str:
    """The format one array is written in (:func:`choose_format`), text formats checked too."""
    name = choose_format(
        key,
        name,
        compress,
        pickled=array.dtype.hasobject,
        formats=ARRAY_FORMATS,
        what=lambda: f"an array of dtype {array.dtype}",
    )
    if name in _TEXT_DELIMITERS:
        _check_text(key, array, name)
    return name


def _check_text(key: str, array: np.ndarray[Any, Any], name: str) -> None:
    allowed = "npy, npz"
    if array.ndim not in (1, 2):
        raise PackingError(
            f"{key!r}: the {name} format holds 1-D and 2-D arrays, this one has {array.ndim} "
            f"dimension(s) (shape {array.shape}); use one of: {allowed}"
        )
    if array.dtype.kind not in _TEXT_KINDS:  # structured dtypes are kind V
        raise PackingError(
            f"{key!r}: the {name} format holds numbers, booleans and datetimes, not a "
            f"{array.dtype} array; use one of: {allowed}"
        )


def plain_format(data_item: DataItem) -> str:
    """The format of a file we did not pack, from its suffix (``.csv.gz`` reads as gzipped csv)."""
    return PLAIN_FORMATS.for_suffix(data_item.suffix, key=data_item.key).name


def plain_artifact_type(data_item: DataItem) -> str:
    """The artifact type of a plain file: pickles are ``object``, parquet is ``dataset``."""
    if is_pickle(data_item.suffix):
        return "object"
    if data_item.suffix.lower().endswith(PARQUET.suffixes):
        return "dataset"
    return "file"


# -- writing and reading one array --------------------------------------------------------------


def write_array_file(
    packager: Packager, array: np.ndarray[Any, Any], key: str, name: str, compress: bool = False
) -> tuple[Artifact, dict[str, Any]]:
    """The ``file`` artifact of one array in format ``name`` (checked by :func:`array_format`)."""
    path = packager.temp_path(key, ARRAY_FORMATS[name].suffix)
    if name == "npy":
        with packager.open_output(path) as stream:
            write_npy(stream, array)
        instructions: dict[str, Any] = {"format": name}
    else:
        instructions = _save_array(array, path, name, key, compress)
    artifact = Artifact(key, path, format=name, shape=list(array.shape), dtype=str(array.dtype))
    return artifact, instructions


def _save_array(
    array: np.ndarray[Any, Any], path: str, name: str, key: str, compress: bool
) -> dict[str, Any]:
    """Write ``array`` as ``name``, any format but npy (which :func:`write_array_file` streams
    through the packager's output); the instructions."""
    instructions: dict[str, Any] = {"format": name}
    if name == "npz":
        instructions["expanded_size"] = save_npz(path, {key: array}, compress)
    elif name == "pkl":
        instructions["pickled"] = save_pickle(array, path)
    else:
        _save_text(array, path, name)
        instructions.update(dtype=array.dtype.str, shape=list(array.shape))
    return instructions


def load_array(
    data_item: DataItem,
    name: str,
    dtype: str | None = None,
    shape: list[int] | None = None,
    pickled: dict[str, Any] | None = None,
    expanded_size: int | None = None,
) -> np.ndarray[Any, Any]:
    """The array a ``name`` file holds; text files are restored to the recorded dtype and shape,
    an npz read up to the size it was recorded to expand to."""
    import numpy as np

    if name == "npy":
        return load_npy(data_item)
    if name == "npz":
        arrays = load_npz(data_item, expanded_size)
        if len(arrays) != 1:
            raise UnpackingError(
                f"{data_item.key!r} is an npz archive of {len(arrays)} arrays "
                f"({', '.join(list(arrays)[:10])}); ask for dict[str, np.ndarray] or "
                "list[np.ndarray] to get them all"
            )
        return next(iter(arrays.values()))
    if name == "pkl":
        array = load_pickle(data_item, pickled)
        if not isinstance(array, np.ndarray):
            raise UnpackingError(
                f"{data_item.key!r} holds a pickled {type(array).__name__}, not a numpy array"
            )
        return array
    if name in _TEXT_DELIMITERS:
        return _load_text(data_item, name, dtype, shape)
    raise UnpackingError(
        f"{data_item.key!r} was packed in the format {name!r}, which this version of "
        f"packagers-numpy does not read; it reads: {', '.join(ARRAY_FORMATS)}"
    )


# -- pickles (arrays of Python objects) ---------------------------------------------------------


def save_pickle(obj: Any, path: str) -> dict[str, Any]:
    """Pickle through the core, which records what the pickle policy checks on loading."""
    from packagers import plugin_api

    return plugin_api.dump_pickle(obj, path)


def load_pickle(data_item: DataItem, pickled: dict[str, Any] | None) -> Any:
    """Unpickle through the core: policy, digest and signature are checked first."""
    from packagers import plugin_api

    return plugin_api.load_pickle(
        data_item.local(), pickled or {}, what=f"the pickled arrays {data_item.key!r}"
    )


# -- text files ---------------------------------------------------------------------------------


def _save_text(array: np.ndarray[Any, Any], path: str, name: str) -> None:
    """``np.savetxt`` with values that read back exactly.

    ``%s`` writes numpy's shortest round-trip repr of floats and ISO dates; timedeltas are written
    as integer counts of their unit (their ``str`` is ``"5 seconds"``, which nothing parses).
    """
    import numpy as np

    kind = array.dtype.kind
    if kind == "m":
        array = array.view(np.int64)
    fmt = "%d" if kind in "bium" else "%s"
    np.savetxt(path, array, fmt=fmt, delimiter=_TEXT_DELIMITERS[name])  # a .gz path is gzipped


def _load_text(
    data_item: DataItem, name: str, dtype: str | None, shape: list[int] | None
) -> np.ndarray[Any, Any]:
    import numpy as np

    if dtype is not None and shape is not None and math.prod(shape) == 0:
        return np.empty(shape, dtype=dtype)  # nothing was written; numpy would warn on reading
    target = np.dtype(dtype) if dtype is not None else np.dtype(np.float64)
    read_as = np.dtype(np.int64) if target.kind == "m" else target
    delimiter = "," if name == "csv" else None  # None: any whitespace (complex values lead one)
    path = data_item.local()
    try:
        if name == "gz" or path.endswith(".gz"):  # a stored blob has no suffix to tell numpy
            import gzip

            with gzip.open(path, "rt") as stream:
                array = np.loadtxt(stream, dtype=read_as, delimiter=delimiter, ndmin=1)
        else:
            array = np.loadtxt(path, dtype=read_as, delimiter=delimiter, ndmin=1)
    except ValueError as error:
        raise UnpackingError(
            f"{data_item.key!r} ({data_item.url}) is not a {name} file of {target} values: {error}"
        ) from error
    if target.kind == "m":
        array = array.view(target)
    return array.reshape(shape) if shape is not None else array
