"""Packagers and types the manager tests pack, and a loader that follows a package's members."""

from __future__ import annotations

from pathlib import Path

from packagers import Artifact, DataItem, DefaultPackager, ModelArtifact
from packagers._builtin import PicklePackager


class IntPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = int
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_file(self, obj: int, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".int")
        Path(path).write_text(str(obj))
        return Artifact(key, path, format="int"), {}

    def unpack_file(self, data_item: DataItem) -> int:
        return int(Path(data_item.local()).read_text())


class FloatPackager(IntPackager):
    PACKABLE_OBJECT_TYPE = float

    def unpack_file(self, data_item: DataItem) -> float:
        return float(Path(data_item.local()).read_text())


class Model:
    def __init__(self, weight: float) -> None:
        self.weight = weight


class ModelPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Model
    DEFAULT_PACKING_ARTIFACT_TYPE = "model"

    def pack_model(self, obj: Model, key: str) -> tuple[Artifact, dict]:
        path = self.temp_path(key, ".txt")
        Path(path).write_text(str(obj.weight))
        return ModelArtifact(key, path, format="txt"), {}


class Batch(list):
    """A collection type whose packager can rebuild it from its items."""


class BatchPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Batch
    BUNDLE_FROM_LIST = True


CORE = [IntPackager, FloatPackager, ModelPackager, BatchPackager, PicklePackager]


def _resolver(packages):
    index = {p.key: p for top in packages for p in _walk(top)}

    def resolve(entry):
        package = index[entry["key"]]
        source = package.artifact.src_path if package.artifact else ""
        return DataItem(source, key=package.key, manifest=package.manifest, resolver=resolve)

    return resolve


def _walk(package):
    for member in package.members:
        yield from _walk(member)
    yield package


def _load(manager, package, hint=None):
    resolve = _resolver([package])
    return manager.unpack(resolve({"key": package.key}), hint)
