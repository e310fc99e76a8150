"""The ndarray packager: small arrays as results, others as npy (or npz, text, pickle) files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from packagers import DatasetArtifact, DefaultPackager
from packagers_numpy._dataset import PARQUET, holds_dataset, load_parquet, save_parquet
from packagers_numpy._formats import (
    array_format,
    is_json_number,
    load_array,
    plain_artifact_type,
    plain_format,
    write_array_file,
)
from packagers_numpy._memmap import memory_map, open_memmap, unmappable
from packagers_numpy._preview import array_preview

if TYPE_CHECKING:
    import numpy as np

    from packagers import Artifact, DataItem

__all__ = ["NDArrayPackager"]


class NDArrayPackager(DefaultPackager):
    """Packs ``np.ndarray`` (exactly: subclasses such as masked arrays would lose data).

    By default an array of at most :attr:`RESULT_MAX_SIZE` numbers or booleans is a ``result``
    (a nested list), any other a ``file``: npy, the format that restores every array exactly
    (``pkl`` for arrays of Python objects). 2-D arrays can also be ``dataset`` (parquet).
    """

    PACKABLE_OBJECT_TYPE = "numpy.ndarray"
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"
    #: The most elements an array may have to default to a ``result``; a log hint can still ask
    #: for any artifact type.
    RESULT_MAX_SIZE: ClassVar[int] = 100

    def get_default_packing_artifact_type(self, obj: np.ndarray[Any, Any]) -> str:
        if obj.size <= self.RESULT_MAX_SIZE and is_json_number(obj.dtype):
            return "result"
        return "file"

    def get_default_unpacking_artifact_type(self, data_item: DataItem) -> str:
        return plain_artifact_type(data_item)

    def is_packable(self, obj: Any, artifact_type: str | None = None) -> bool:
        if not super().is_packable(obj, artifact_type):
            return False
        return artifact_type != "dataset" or holds_dataset(obj)

    def pack_result(self, obj: np.ndarray[Any, Any], key: str) -> dict[str, Any]:
        return {key: obj.tolist()}

    def pack_file(
        self,
        obj: np.ndarray[Any, Any],
        key: str,
        format: str | None = None,
        compress: bool = False,
    ) -> tuple[Artifact, dict[str, Any]]:
        return write_array_file(self, obj, key, array_format(key, obj, format, compress), compress)

    def pack_dataset(self, obj: np.ndarray[Any, Any], key: str) -> tuple[Artifact, dict[str, Any]]:
        path = self.temp_path(key, PARQUET.suffix)
        instructions = save_parquet(obj, path, key)
        rows, columns = obj.shape
        artifact = DatasetArtifact(
            key, path, format=PARQUET.name, rows=rows, columns=columns, dtype=str(obj.dtype)
        )
        return artifact, instructions

    def preview(self, obj: np.ndarray[Any, Any], artifact_type: str) -> dict[str, Any]:
        return array_preview(obj)

    def preview_is_bounded(self, obj: np.ndarray[Any, Any]) -> bool:
        """Numbers, booleans and times in one block of memory: a fixed sample, no callbacks
        (an object's ``str``, a long string's copy) and no copy of a scattered array."""
        return obj.dtype.kind in "biufcmM" and obj.flags.c_contiguous

    def unpack_result(self, data_item: DataItem) -> np.ndarray[Any, Any]:
        """A result's nested list as an array again, of the dtype numpy infers (int64, float64)."""
        import numpy as np

        return np.asarray((data_item.manifest or {}).get("value"))

    def unpack_file(
        self,
        data_item: DataItem,
        format: str | None = None,
        dtype: str | None = None,
        shape: list[int] | None = None,
        pickled: dict[str, Any] | None = None,
        expanded_size: int | None = None,
    ) -> np.ndarray[Any, Any]:
        name = format or plain_format(data_item)
        marker = memory_map(data_item)
        if marker is not None:
            return open_memmap(data_item, name, marker.mode)
        return load_array(data_item, name, dtype, shape, pickled, expanded_size)

    def unpack_dataset(
        self, data_item: DataItem, dtype: str | None = None, shape: list[int] | None = None
    ) -> np.ndarray[Any, Any]:
        if memory_map(data_item) is not None:
            raise unmappable(data_item, "parquet")
        return load_parquet(data_item, dtype, shape)
