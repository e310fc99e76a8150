"""Functions the CLI tests run by reference (``cli_samples:add``)."""

from __future__ import annotations


class Point:
    """A type no plugin knows: it is stored as a pickle."""

    def __init__(self, x: float, y: float) -> None:
        self.x, self.y = x, y


def add(a: int, b: int = 2) -> int:
    return a + b


def greet(name: str, times: int = 1) -> str:
    return " ".join([f"hello {name}"] * times)


def point(x: float) -> Point:
    return Point(x, -x)


def blob(size: int) -> bytes:
    return bytes(size)


def fails(n: int) -> int:
    raise ValueError(f"bad n {n}")


def pair(a: int) -> list[int]:
    return [a, a + 1]
