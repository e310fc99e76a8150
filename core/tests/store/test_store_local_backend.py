"""The local backend's small-file writes: what one run costs the filesystem, and that each way
of writing (an unnamed file linked to its name, or a temporary file under ``tmp/``) leaves
either the whole file or nothing."""

from __future__ import annotations

import errno
import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from packagers.runner import run
from packagers.store import Store
from packagers.store.local_backend import LocalBackend

#: The ``os`` calls a store could make on its files, counted when they touch the store.
_CALLS = (
    "open",
    "link",
    "replace",
    "rename",
    "remove",
    "unlink",
    "mkdir",
    "makedirs",
    "listdir",
    "scandir",
    "stat",
    "utime",
    "fsync",
)

unnamed = pytest.mark.skipif(
    not LocalBackend(".")._unnamed, reason="this system makes no unnamed files (O_TMPFILE)"
)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Counter[str]:
    """How often each ``os`` call of :data:`_CALLS` touched a path under ``tmp_path``."""
    counted: Counter[str] = Counter()
    root = str(tmp_path)

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if any(isinstance(a, str) and a.startswith(root) for a in args):
                counted[name] += 1
            return real(*args, **kwargs)

        return call

    for name in _CALLS:
        monkeypatch.setattr(os, name, counting(name, getattr(os, name)))
    return counted


@pytest.fixture
def named(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A system without unnamed files: ``open`` refuses ``O_TMPFILE`` as old kernels do."""
    real = os.open
    flag = getattr(os, "O_TMPFILE", 0)

    def refusing(path: str, flags: int, *args: Any, **kwargs: Any) -> int:
        if flag and flags & flag == flag:
            raise OSError(errno.EOPNOTSUPP, "no O_TMPFILE here", path)
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    yield


def one_result() -> int:
    return 1


def nothing() -> None:
    return None


def _runs(store_url: str, returns: list[str], count: int) -> None:
    for _ in range(count):
        record = run(one_result if returns else nothing, returns=returns, store=store_url)
        assert record.state == "completed", record.error


@unnamed
@pytest.mark.parametrize(("returns", "files"), [(["n : result"], 2), ([], 1)])
def test_a_run_creates_its_files_and_does_nothing_else(
    tmp_path: Path, calls: Counter[str], returns: list[str], files: int
) -> None:
    """Each file (the result's manifest, the final record) is one unnamed file linked to its
    name: no temporary name to move, no directory made, nothing asked first or removed."""
    url = str(tmp_path / "store")
    _runs(url, returns, 2)  # the store's directories are made by the first runs
    calls.clear()
    _runs(url, returns, 5)
    assert calls == {"open": 5 * files, "link": 5 * files}
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == sorted(
        ["runs", "artifacts"][:files]
    )  # no tmp/ either


def test_without_unnamed_files_a_run_writes_through_tmp(
    tmp_path: Path, named: None, calls: Counter[str]
) -> None:
    """The fallback: a temporary file per file, moved to a new name (the manifest) or linked
    to it (the final record, which must not replace one saved meanwhile) and then removed."""
    url = str(tmp_path / "store")
    _runs(url, ["n : result"], 2)
    calls.clear()
    _runs(url, ["n : result"], 5)
    assert calls == {"open": 10, "replace": 5, "link": 5, "remove": 5}
    assert list((tmp_path / "store" / "tmp").iterdir()) == []


@pytest.fixture(params=["unnamed", "named"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> LocalBackend:
    """A local backend writing either way."""
    if request.param == "unnamed" and not LocalBackend(".")._unnamed:
        pytest.skip("this system makes no unnamed files (O_TMPFILE)")
    made = LocalBackend(str(tmp_path / "store"))
    made._unnamed = request.param == "unnamed"
    return made


def _store_files(backend: LocalBackend) -> dict[str, bytes]:
    root = Path(backend.url)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_write_makes_missing_directories_and_replaces(backend: LocalBackend) -> None:
    backend.write("artifacts/p/k/tags/t.json", b"first")
    backend.write("artifacts/p/k/tags/t.json", b"second")  # a tag moved
    assert _store_files(backend) == {"artifacts/p/k/tags/t.json": b"second"}


def test_create_refuses_an_existing_name(backend: LocalBackend) -> None:
    assert backend.create("runs/p/r.json", b"saved")
    assert not backend.create("runs/p/r.json", b"another")
    assert _store_files(backend) == {"runs/p/r.json": b"saved"}


@pytest.mark.parametrize("method", ["write", "create"])
def test_a_write_that_fails_leaves_nothing(
    backend: LocalBackend, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    """A full disk (or a crash) mid-write: neither the name nor a temporary file remains."""
    backend.write("runs/p/other.json", b"{}")  # the directories exist

    def full(descriptor: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space"):
        getattr(backend, method)("runs/p/r.json", b"{}")
    assert _store_files(backend) == {"runs/p/other.json": b"{}"}


def test_a_final_record_is_never_replaced(store: Store) -> None:
    """Saving the final record again is a no-op; another one is refused, the first kept."""
    record = {"id": "r1", "project": "default", "state": "completed", "started": "x"}
    store.save_run(record)
    store.save_run(dict(record))
    with pytest.raises(Exception, match="a final state"):
        store.save_run({**record, "state": "error"})
    assert store.get_run("r1")["state"] == "completed"


def test_a_short_write_is_completed(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk filling up may write part of the bytes and return: the rest follows."""
    real = os.write
    monkeypatch.setattr(os, "write", lambda descriptor, data: real(descriptor, bytes(data[:3])))
    backend.write("artifacts/p/k/versions/v.json", b'{"key": "k"}')
    assert _store_files(backend) == {"artifacts/p/k/versions/v.json": b'{"key": "k"}'}


@unnamed
def test_a_sandbox_that_cannot_link_open_files_writes_through_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = LocalBackend(str(tmp_path / "store"))
    real = os.link

    def link(src: str, dst: str, **kwargs: Any) -> None:
        if src.startswith("/proc/"):
            raise OSError(errno.EXDEV, "Invalid cross-device link", src)
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", link)
    assert backend.create("runs/p/r.json", b"saved")
    assert not backend._unnamed  # not tried again
    assert not backend.create("runs/p/r.json", b"another")
    assert _store_files(backend) == {"runs/p/r.json": b"saved"}


def test_of_writers_creating_one_name_exactly_one_wins(backend: LocalBackend) -> None:
    """Two workers ending the same run: the link names the file or fails, nothing in between."""
    from concurrent.futures import ThreadPoolExecutor

    backend.write("runs/p/other.json", b"{}")  # the directories exist: only the race remains
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda n: backend.create("runs/p/r.json", b"%d" % n), range(32)))
    assert won.count(True) == 1
    assert _store_files(backend)["runs/p/r.json"] == b"%d" % won.index(True)


@unnamed
def test_a_writer_killed_before_the_link_leaves_nothing(tmp_path: Path) -> None:
    """The file has no name until the link: a writer killed (``os._exit``) just before it
    leaves no file, not even a temporary one for gc to remove."""
    import subprocess
    import sys

    root = tmp_path / "store"
    LocalBackend(str(root)).write("runs/p/other.json", b"{}")
    script = (
        "import os, sys\n"
        "from packagers.store.local_backend import LocalBackend\n"
        "os.link = lambda *args, **kwargs: os._exit(9)\n"
        "LocalBackend(sys.argv[1]).create('runs/p/r.json', b'{}')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(root)], check=False)
    assert done.returncode == 9
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "runs",
        "runs/p",
        "runs/p/other.json",
    ]
