"""Functions the run tests execute, in a module the process executor's worker can import."""

from __future__ import annotations

import json
import os
from typing import Any

from packagers import Artifact, DataItem, DefaultPackager
from packagers.runner import handler


class Point:
    """A type no plugin knows: it travels as a pickle."""

    def __init__(self, x: float, y: float) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


class PointPackager(DefaultPackager):
    """A custom packager registered in code: a Point as a small JSON file."""

    PACKABLE_OBJECT_TYPE = Point
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_file(self, obj: Point, key: str) -> tuple[Artifact, dict[str, Any]]:
        path = self.temp_path(key, ".json")
        with open(path, "w") as stream:
            json.dump([obj.x, obj.y], stream)
        return Artifact(key, path, format="json"), {}

    def unpack_file(self, data_item: DataItem) -> Point:
        with open(data_item.local()) as stream:
            return Point(*json.load(stream))


class Tools:
    @staticmethod
    def triple(n: int) -> int:
        return n * 3


def add(a: int, b: int = 2) -> int:
    return a + b


def split(n: int, scale: float = 1.0) -> tuple[int, Point]:
    return n * 2, Point(n * scale, -n)


@handler(returns=["total : result", "point : object"])
def decorated(n: int) -> tuple[int, Point]:
    return n, Point(n, -n)


@handler
def bare(n: int) -> int:
    return n


def fails(n: int) -> int:
    raise ValueError(f"bad n {n}")


def norm(point: Point) -> float:
    return point.x + point.y


def norm_or_zero(point: Point | None = None, *, offset: float = 0.0) -> float:
    return (point.x + point.y if point is not None else 0.0) + offset


def describe(data: DataItem) -> str:
    return f"{data.key}{data.suffix}"


def untyped(data):  # type: ignore[no-untyped-def]  # no hint on purpose
    return type(data).__name__


def unpackable(n: int) -> tuple[Point, Point]:
    """The second output cannot be a result (not JSON), so packing fails after the first."""
    return Point(n, n), Point(-n, -n)


def crash(code: int) -> None:
    os._exit(code)


def generic(**kwargs: object) -> int:
    return len(kwargs)


def touch(path: str) -> None:
    """Leaves a mark, so a test can tell whether the function ran."""
    with open(path, "w"):
        pass


def sleeps(seconds: float) -> int:
    import time

    time.sleep(seconds)
    return 1


def dies_once(marker: str) -> int:
    """Kills its own process the first time (no ``marker`` yet), as a crash would."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return 7


def flaky(marker: str) -> int:
    """Raises TimeoutError the first time (when ``marker`` does not exist yet), then works."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise TimeoutError("the service did not answer")
    return 1
