"""``store.durability`` on a local store: with ``power`` every file's bytes are fsynced before its
name appears and its directory after, before the call returns; with ``process`` nothing is."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from packagers import config
from packagers.api import log
from packagers.store import Store
from packagers.store.local_backend import LocalBackend

#: ("fsync", inode, "") or ("name", inode of the file, new path) or ("mkdir", inode, path).
Event = tuple[str, int, str]


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    """Every fsync, rename, hard link and mkdir of the test, in order, by inode."""
    recorded: list[Event] = []
    real_fsync, real_mkdir = os.fsync, os.mkdir

    def fsync(descriptor: int) -> None:
        recorded.append(("fsync", os.fstat(descriptor).st_ino, ""))
        real_fsync(descriptor)

    def naming(real: Callable[..., None]) -> Callable[..., None]:
        def named(src: str, dst: str, *args: Any, **kwargs: Any) -> None:
            inode = os.stat(src).st_ino if os.path.exists(src) else -1
            real(src, dst, *args, **kwargs)
            recorded.append(("name", inode, os.fspath(dst)))

        return named

    def mkdir(path: str, *args: Any, **kwargs: Any) -> None:
        real_mkdir(path, *args, **kwargs)
        recorded.append(("mkdir", os.stat(path).st_ino, os.fspath(path)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", naming(os.replace))
    monkeypatch.setattr(os, "link", naming(os.link))
    monkeypatch.setattr(os, "mkdir", mkdir)
    return recorded


@pytest.fixture
def power() -> Iterator[None]:
    with config.override(store__durability="power"):
        yield


def _record(run_id: str, state: str) -> dict[str, Any]:
    return {"id": run_id, "project": "default", "state": state, "started": run_id}


def _write_everything(store: Store, make_package: Callable[..., Any]) -> None:
    """A blob linked (a packer's file) and one copied (a user's), manifests, a preview, tags
    and run records (the active one, then the final one)."""
    ref = log({"a": list(range(10))}, "data : object", store=store)
    store.log_packages([make_package("mine", b"user data", tag="prod")])
    store.tag(ref.uri, "best")
    store.save_run(_record("r1", "running"))
    store.save_run(_record("r1", "completed"))


def _synced(events: list[Event], inode: int) -> bool:
    return ("fsync", inode, "") in events


def _store_files(root: Path) -> list[Path]:
    """The store's data: every file but the temporary ones and the listing index."""
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != "tmp"
    ]


def _assert_durable(events: list[Event], root: Path) -> None:
    """Each file's bytes synced before its name, its directory after; each new directory's
    name synced into its parent."""
    files = _store_files(root)
    assert {path.relative_to(root).parts[0] for path in files} == {"blobs", "artifacts", "runs"}
    for path in files:
        named = max(i for i, event in enumerate(events) if event[::2] == ("name", str(path)))
        assert _synced(events[:named], events[named][1]), f"{path}: named before its bytes"
        assert _synced(events[named:], path.parent.stat().st_ino), f"{path}: directory unsynced"
    made = [
        (i, path)
        for i, (kind, _, path) in enumerate(events)
        if kind == "mkdir" and Path(path).is_relative_to(root)
    ]
    assert len(made) > 10  # the root, blobs/blake3/ab, artifacts/default/mine/versions ...
    for i, directory in made:
        parent = Path(directory).parent.stat().st_ino
        assert _synced(events[i:], parent), f"{directory}: its name was not synced"


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed files", "through tmp"])
def test_power_syncs_every_file_before_its_name_and_its_directory_after(
    store: Store, make_package: Callable[..., Any], events: list[Event], power: None, unnamed: bool
) -> None:
    backend = store._backend
    assert isinstance(backend, LocalBackend)
    if unnamed and not backend._unnamed:
        pytest.skip("this system makes no unnamed files (O_TMPFILE)")
    backend._unnamed = unnamed
    _write_everything(store, make_package)
    _assert_durable(events, Path(store.url))
    assert config.sources()["store.durability"] == "code"


def test_process_never_syncs(
    store: Store, make_package: Callable[..., Any], events: list[Event]
) -> None:
    assert config.store.durability == "process"
    _write_everything(store, make_package)
    assert [kind for kind, _, _ in events if kind == "fsync"] == []
    assert any(kind == "name" for kind, _, _ in events)  # the writes were traced


def test_temporary_files_are_never_synced(
    store: Store, make_package: Callable[..., Any], events: list[Event], power: None
) -> None:
    """Markers and claims belong to a writer that a power loss ends: syncing them buys nothing."""
    backend = LocalBackend(store.url)
    backend.write("tmp/first.session", b"")  # tmp/ exists from here on: making it is synced
    events.clear()
    backend.write("tmp/marker.session", b"")
    assert [event for event in events if event[0] == "fsync"] == []


def test_power_links_a_packers_file_only_once_it_is_synced(
    tmp_path: Path, events: list[Event], power: None
) -> None:
    src = tmp_path / "packed.bin"
    src.write_bytes(b"packed")
    backend = LocalBackend(str(tmp_path / "store"))
    assert backend.link(str(src), "blobs/blake3/ab/abcd")
    blob = tmp_path / "store" / "blobs" / "blake3" / "ab" / "abcd"
    inode = src.stat().st_ino
    named = events.index(("name", inode, str(blob)))
    assert _synced(events[:named], inode)
    assert _synced(events[named:], blob.parent.stat().st_ino)
    assert events.count(("fsync", inode, "")) == 1  # the claim after the link syncs no more
    events.clear()
    again = tmp_path / "again.bin"
    again.write_bytes(b"packed")
    assert backend.link(str(again), "blobs/blake3/ab/abcd")  # the same bytes, stored already
    assert not _synced(events, again.stat().st_ino)  # it waits for no file of the packer's
    assert _synced(events, inode) and _synced(events, blob.parent.stat().st_ino)


def test_power_syncs_a_blob_it_reuses(
    store: Store, make_package: Callable[..., Any], events: list[Event]
) -> None:
    """Stored before without fsync (``process``), the same bytes logged under ``power`` are
    synced before the manifest that names them."""
    first = store.log_packages([make_package("mine", b"same bytes")])["mine"]
    assert not any(kind == "fsync" for kind, _, _ in events)
    blob = Path(store.url) / first.manifest["blob"]
    with config.override(store__durability="power"):
        again = store.log_packages([make_package("mine", b"same bytes")])["mine"]
    manifest = Path(store.url) / "artifacts" / "default" / "mine" / "versions"
    manifest /= f"{again.version}.json"
    named = max(i for i, event in enumerate(events) if event[::2] == ("name", str(manifest)))
    assert _synced(events[:named], blob.stat().st_ino)
    assert _synced(events[:named], blob.parent.stat().st_ino)


def test_a_change_of_setting_applies_to_a_store_made_before_it(
    store: Store, events: list[Event]
) -> None:
    """Read per write: ``get_store`` keeps one store per URL for the whole process."""
    store.save_run(_record("r1", "running"))
    assert not any(kind == "fsync" for kind, _, _ in events)
    with config.override(store__durability="power"):
        store.save_run(_record("r1", "completed"))
    assert any(kind == "fsync" for kind, _, _ in events)


@pytest.mark.parametrize("part", ["blob", "manifest", "tag", "run record"])
def test_verify_reports_a_file_a_power_loss_left_empty(
    store: Store, make_package: Callable[..., Any], part: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without fsync (``process``) a renamed file can come back empty after a power loss
    (ext4's delayed allocation): ``packagers store verify`` must name it."""
    from packagers.cli import main

    ref = store.log_packages([make_package("mine", b"user data", tag="prod")])["mine"]
    store.save_run(_record("r1", "completed"))
    versions = f"artifacts/default/mine/versions/{ref.version}.json"
    rel = {
        "blob": ref.manifest["blob"],
        "manifest": versions,
        "tag": "artifacts/default/mine/tags/prod.json",
        "run record": "runs/default/r1.json",
    }[part]
    path = Path(store.url) / rel
    path.chmod(0o644)
    os.truncate(path, 0)
    report = store.verify()
    assert not report.ok
    if part == "blob":
        assert report.corrupt_blobs == [rel]
    else:
        assert rel in report.damaged_files and "JSON" in report.damaged_files[rel]
    capsys.readouterr()
    assert main(["store", "verify", "--store", store.url]) == 1
    assert rel in capsys.readouterr().out
