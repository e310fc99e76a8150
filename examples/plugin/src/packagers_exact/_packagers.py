"""Results are exact strings ("1/3", "0.10"); files are JSON lists of those strings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from packagers import Artifact, ArtifactType, DefaultPackager

if TYPE_CHECKING:
    from packagers import DataItem

__all__ = ["DecimalPackager", "FractionPackager"]


class _ExactPackager(DefaultPackager):
    """Shared by both types: the class only says which type and how to parse its text."""

    DEFAULT_PACKING_ARTIFACT_TYPE = ArtifactType.RESULT
    DEFAULT_UNPACKING_ARTIFACT_TYPE = ArtifactType.FILE

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def pack_result(self, obj: Any, key: str) -> dict[str, Any]:
        return {key: str(obj)}

    def pack_file(
        self, obj: Any, key: str, indent: int | None = None
    ) -> tuple[Artifact, dict[str, Any]]:
        path = self.temp_path(key, ".json")
        with open(path, "w", encoding="utf-8") as stream:
            json.dump([str(obj)], stream, indent=indent)
        return Artifact(key, path, format="json"), {}

    def unpack_file(self, data_item: DataItem) -> Any:
        with data_item.open("rb") as stream:
            (text,) = json.load(stream)
        return self.parse(text)


class FractionPackager(_ExactPackager):
    PACKABLE_OBJECT_TYPE = "fractions.Fraction"

    def parse(self, text: str) -> Any:
        from fractions import Fraction

        return Fraction(text)


class DecimalPackager(_ExactPackager):
    PACKABLE_OBJECT_TYPE = "decimal.Decimal"

    def parse(self, text: str) -> Any:
        from decimal import Decimal

        return Decimal(text)
