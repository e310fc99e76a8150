"""The core's conformance suite, run against every packager of the plugin."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from packagers.testing import PackagerConformance
from packagers_stdlib import (
    BoolPackager,
    BytearrayPackager,
    BytesPackager,
    DictPackager,
    FloatPackager,
    FrozensetPackager,
    IntPackager,
    ListPackager,
    NonePackager,
    PathPackager,
    SetPackager,
    StrPackager,
    TuplePackager,
)

LARGE = 5000  # items: well over RESULT_MAX_CHARS, so the default is a file


class _Exact(PackagerConformance):
    """Checks types at every depth, not only ``==`` (which takes 1 for True and 1.0)."""

    @pytest.fixture(autouse=True)
    def _exact(self, exact: Callable[[Any, Any], None]) -> None:
        self.assert_exact = exact

    def assert_same(self, original: Any, restored: Any) -> None:
        self.assert_exact(original, restored)


class TestNonePackager(_Exact):
    packager_class = NonePackager

    def samples(self) -> Iterable[Any]:
        return [None]


class TestBoolPackager(_Exact):
    packager_class = BoolPackager

    def samples(self) -> Iterable[Any]:
        return [True, False]


class TestIntPackager(_Exact):
    packager_class = IntPackager

    def samples(self) -> Iterable[Any]:
        return [0, -1, 2**63, -(2**200), 10**5000]


class TestFloatPackager(_Exact):
    packager_class = FloatPackager

    def samples(self) -> Iterable[Any]:
        return [0.0, -0.0, 1e308, 5e-324, float("inf"), float("nan")]


class TestStrPackager(_Exact):
    packager_class = StrPackager

    def samples(self) -> Iterable[Any]:
        return ["", "hello", "ünïcødé ✓ 🐍", "line\r\nbreaks\n", "x" * 10_000]


class TestBytesPackager(_Exact):
    packager_class = BytesPackager

    def samples(self) -> Iterable[Any]:
        return [b"", b"\x00\xff binary", bytes(range(256)) * 100]


class TestBytearrayPackager(_Exact):
    packager_class = BytearrayPackager

    def samples(self) -> Iterable[Any]:
        return [bytearray(), bytearray(b"\x00\x01\x02")]


class TestDictPackager(_Exact):
    packager_class = DictPackager

    def samples(self) -> Iterable[Any]:
        return [
            {},
            {"a": 1, "b": [1.5, None, True]},
            {1: "one", 2.5: None, False: "f", None: b"\x00", (1, "t"): frozenset({1, 2})},
            {"$tuple": [1, 2]},  # looks like a tag: must come back as a dict
            {"outer": {"inner": [{"deep": (1, (2, [3]))}], "ü": "ß"}},
            {"big": 2**100, "neg": -0.0, "max": 1e308, "bytes": bytearray(b"ab")},
            {f"key{i}": [i, i / 2, str(i)] for i in range(LARGE)},
        ]


class TestListPackager(_Exact):
    packager_class = ListPackager

    def samples(self) -> Iterable[Any]:
        return [
            [],
            [1, "a", None, True, 1.5],
            [(1, 2), [3, (4,)], {5: {6}}],
            [b"bytes", bytearray(b"array"), frozenset()],
            list(range(LARGE)),
        ]


class TestTuplePackager(_Exact):
    packager_class = TuplePackager

    def samples(self) -> Iterable[Any]:
        return [(), (1,), ((1, 2), [3], {"k": (4,)}), tuple(str(i) for i in range(LARGE))]


class TestSetPackager(_Exact):
    packager_class = SetPackager

    def samples(self) -> Iterable[Any]:
        return [set(), {1, 2, 3}, {(1, 2), "a", frozenset({3}), None}, set(range(LARGE))]


class TestFrozensetPackager(_Exact):
    packager_class = FrozensetPackager

    def samples(self) -> Iterable[Any]:
        return [frozenset(), frozenset({"a", "b"}), frozenset({(1, (2,)), b"x"})]


class _Snapshot:
    """What a path held when the snapshot was taken (a path itself would compare trivially)."""

    def __init__(self, contents: dict[str, Any]) -> None:
        self.contents = contents


def _contents(path: pathlib.Path) -> dict[str, Any]:
    if path.is_file():
        return {".": path.read_bytes()}
    found: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            relative = os.path.relpath(full, path)
            mode = os.lstat(full).st_mode & 0o777
            if os.path.islink(full):
                found[relative] = ("link", os.readlink(full))
            elif os.path.isdir(full):
                found[relative] = ("dir", mode)
            else:
                found[relative] = ("file", mode, pathlib.Path(full).read_bytes())
    return found


class TestPathPackager(PackagerConformance):
    packager_class = PathPackager

    @pytest.fixture(autouse=True)
    def _tree(self, tmp_path: pathlib.Path) -> None:
        self.file = tmp_path / "report.csv"
        self.file.write_text("a,b\n1,2\n")
        self.directory = tmp_path / "data"
        (self.directory / "nested" / "empty").mkdir(parents=True)
        (self.directory / "nested" / "x.bin").write_bytes(b"\x00" * 100)
        script = self.directory / "run.sh"
        script.write_text("#!/bin/sh\n")
        script.chmod(0o750)
        (self.directory / "link").symlink_to("nested/x.bin")
        self.empty = tmp_path / "empty"
        self.empty.mkdir()

    def samples(self) -> Iterable[Any]:
        return [self.file, self.directory, self.empty]

    def snapshot(self, obj: pathlib.Path) -> Any:
        return _Snapshot(_contents(obj))

    def assert_same(self, original: Any, restored: Any) -> None:
        if isinstance(original, _Snapshot):
            assert original.contents == _contents(restored)
            return
        assert type(restored) is type(original)
        assert _contents(restored) == _contents(original)

    def test_temporary_files_are_cleared(self) -> None:
        """Beyond the suite's check: a ``path`` artifact of a file is the user's own file, which
        is the artifact's source and must outlive the run."""
        super().test_temporary_files_are_cleared()
        manager = self.manager()
        packages = [manager.pack(sample, "sample") for sample in self.samples()]
        temporary = [
            path for packager in manager.packagers for path in packager.future_clearing_paths
        ]
        sources = [package.artifact.src_path for package in packages if package.artifact]
        assert str(self.file) in sources
        assert str(self.file) not in temporary
        manager.clear()
        assert not [path for path in temporary if os.path.exists(path)]
        assert self.file.exists()
        assert [path for path in sources if os.path.exists(path)] == [str(self.file)]
        assert self.file.read_text() == "a,b\n1,2\n"
