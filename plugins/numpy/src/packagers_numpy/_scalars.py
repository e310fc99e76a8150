"""numpy scalars: JSON results by default, npy files that come back as the same scalar type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from packagers import Artifact, DefaultPackager, UnpackingError
from packagers_numpy._formats import ARRAY_FORMATS, is_json_number
from packagers_numpy._npy import load_npy, without_padding

if TYPE_CHECKING:
    import numpy as np

    from packagers import DataItem

__all__ = ["NumPyScalarPackager"]


class NumPyScalarPackager(DefaultPackager):
    """Packs numpy scalars: ``np.number`` (``np.float32``, ``np.int64``...), ``np.bool_``,
    ``np.str_``, and the other ``np.generic`` types (``np.datetime64``, ``np.bytes_``...).

    A scalar whose value JSON holds (numbers but complex and float128, booleans, strings) is a
    ``result`` by default, the value of ``.item()``; others are a ``file``: a 0-D npy array that
    unpacks as the same numpy scalar type, as does ``object``.
    """

    PACKABLE_OBJECT_TYPE = "numpy.generic"
    PACK_SUBCLASSES = True
    #: ``np.float64``, ``np.complex128``, ``np.str_`` and ``np.bytes_`` subclass Python's float,
    #: complex, str and bytes: this packager must win over the stdlib ones for them.
    PRIORITY = 4
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def get_default_packing_artifact_type(self, obj: np.generic) -> str:
        if is_json_number(obj.dtype) or obj.dtype.kind == "U":
            return "result"
        return "file"

    def pack_result(self, obj: np.generic, key: str) -> dict[str, Any]:
        return {key: obj.item()}

    def pack_file(self, obj: np.generic, key: str) -> tuple[Artifact, dict[str, Any]]:
        import numpy as np

        path = self.temp_path(key, ARRAY_FORMATS["npy"].suffix)
        np.save(path, without_padding(np.asarray(obj)), allow_pickle=False)
        return Artifact(key, path, format="npy", dtype=str(obj.dtype)), {}

    def unpack_result(self, data_item: DataItem) -> np.generic:
        """A result's value as the numpy scalar type its manifest records (``np.float32(0.5)``)."""
        import numpy as np

        manifest = data_item.manifest or {}
        module, _, name = str(manifest.get("object_type")).rpartition(".")
        scalar_type = getattr(np, name, None) if module == "numpy" else None
        if not (isinstance(scalar_type, type) and issubclass(scalar_type, np.generic)):
            raise UnpackingError(
                f"{data_item.key!r} records the type {manifest.get('object_type')!r}, which is no "
                "numpy scalar type here"
            )
        return cast("np.generic", scalar_type(manifest.get("value")))

    def unpack_file(self, data_item: DataItem) -> np.generic:
        array = load_npy(data_item)
        if array.ndim != 0:
            raise UnpackingError(
                f"{data_item.key!r} holds an array of shape {array.shape}, not a scalar; ask "
                "for np.ndarray"
            )
        return cast("np.generic", array[()])
