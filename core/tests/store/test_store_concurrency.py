"""Several writers at once, and a writer killed mid-upload: nothing is lost, nothing half-read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from packagers.api import load
from packagers.store import Store
from packagers.store.artifacts_index import Scan

_WRITER = """
import sys
from packagers import config
from packagers.api import log

config.pickle.policy = "allow"
store, worker = sys.argv[1], int(sys.argv[2])
for i in range(10):
    log(["shared", i % 5], "shared : object", store=store)
    log([worker, i], "own : object", store=store)
"""

# Logs two files through the copy path; the progress callback parks the process in the middle of
# the second upload, after the first blob is complete (and so unreferenced) and before any
# manifest exists, so that the parent can kill it there.
_KILLED = """
import sys, time
from packagers import Artifact, LogHint, Package
from packagers.store import Store

store, folder = Store(sys.argv[1]), sys.argv[2]

def package(key):
    path = f"{folder}/{key}.bin"
    return Package(key=key, hint=LogHint(key=key), manifest={"key": key, "artifact_type": "file"},
                   artifact=Artifact(key, path, format="bin"))

def progress(key, done, total):
    if key == "second" and done < total:
        print("mid-upload", flush=True)
        time.sleep(120)

store.log_packages([package("first"), package("second")], progress=progress)
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_writers_lose_nothing(store: Store, allow_pickle: None) -> None:
    writers = [_python(_WRITER, store.url, str(worker)) for worker in range(4)]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    shared = store.list_artifacts(key="shared")
    assert len(shared) == 40
    assert len({ref.version for ref in shared}) == 40
    assert len({ref.manifest["digest"] for ref in shared}) == 5  # stored once per content
    assert len(store.list_artifacts(key="own")) == 40
    assert store.manifest("store://shared")["version"] == shared[0].version
    report = store.verify()
    assert report.ok and report.orphaned_blobs == []
    assert sorted(load(ref.uri, store=store)[1] for ref in shared) == sorted(
        [i % 5 for i in range(10)] * 4
    )


def test_kill_mid_upload_leaves_a_consistent_store(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "first.bin").write_bytes(os.urandom(1 << 20))
    (folder / "second.bin").write_bytes(os.urandom(24 << 20))  # three chunks
    writer = _python(_KILLED, store.url, str(folder))
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "mid-upload", writer.stderr
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate()  # reap it: a zombie still answers "alive" to gc
    temp_files = [p for p in (Path(store.url) / "tmp").rglob("*") if p.is_file()]
    assert any(p.suffix == ".part" for p in temp_files)

    assert store.list_artifacts() == []  # no manifest without its data
    report = store.verify()
    assert report.ok
    assert len(report.orphaned_blobs) == 1

    assert store.gc(dry_run=True) == store.gc(dry_run=True)
    removed = store.gc()
    assert report.orphaned_blobs[0] in removed
    assert any(path.endswith(".part") for path in removed)
    assert [p for p in (Path(store.url) / "tmp").rglob("*") if p.is_file()] == []
    assert store.verify().orphaned_blobs == []
    assert store.gc() == []


def test_gc_keeps_what_a_live_writer_still_needs(store: Store, make_package) -> None:
    from packagers.store.sessions import WriteSession

    orphan = store.log_packages([make_package("gone", b"orphan")])["gone"].manifest
    versions = Path(store.url) / "artifacts" / "default" / "gone" / "versions"
    (versions / f"{orphan['version']}.json").unlink()
    session = WriteSession(store._backend)  # a writer of this process, in the middle of a log
    temp = Path(store.url) / session.temp(".part")
    temp.write_bytes(b"partial")
    try:
        assert store.gc() == []  # a live writer may still reference a blob this recent
        assert temp.exists()
    finally:
        temp.unlink()  # the writer finishes: its upload is moved or dropped, then the marker goes
        session.close()
    assert store.gc() == [orphan["blob"]]


def test_gc_keeps_a_blob_whose_writer_finishes_while_gc_reads(
    store: Store, make_package, monkeypatch
) -> None:
    """A writer that writes its manifest and ends just after gc read the manifests keeps its blob.

    gc must see that writer's session: it reads the live sessions before the manifests, so a
    blob that was unreferenced when the manifests were read still has a live writer on record.
    """
    from packagers.store.blobs import put_file
    from packagers.store.sessions import WriteSession

    package = make_package("late", b"a blob whose manifest comes while gc runs")
    session = WriteSession(store._backend)  # a writer mid-log: its blob is in, no manifest yet
    blob = put_file(store._backend, str(package.artifact.src_path), session, key="late")
    index = store._index
    read_manifests = index.scan

    def manifests_then_writer_finishes() -> Scan:
        found = read_manifests()
        monkeypatch.setattr(index, "scan", read_manifests)
        store.log_packages([package])  # the same bytes: the writer's manifest now names the blob
        session.close()
        return found

    monkeypatch.setattr(index, "scan", manifests_then_writer_finishes)
    assert blob.path not in store.gc()
    assert store.verify().ok


def _seed_old_orphans(store: Store, make_package, contents: list[bytes]) -> list[str]:
    """Blobs of a run that crashed a day ago before its manifests: old, unreferenced."""
    refs = store.log_packages([make_package(f"k{i}", c) for i, c in enumerate(contents)])
    old = time.time() - 24 * 3600
    for ref in refs.values():
        # Aged while its manifest still names it: once orphaned, a gc running meanwhile may
        # delete it at any moment (rightly), so it must not be touched after that.
        os.utime(Path(store.url) / ref.manifest["blob"], (old, old))
        (
            Path(store.url) / "artifacts" / "default" / ref.key / "versions" / f"{ref.version}.json"
        ).unlink()
    return [ref.manifest["blob"] for ref in refs.values()]


@pytest.mark.parametrize("path", ["link", "copy"])
def test_gc_keeps_an_old_orphan_a_writer_reuses_while_gc_runs(
    store: Store, make_package, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The re-run after a crash: the same bytes again. The writer claims the old orphan after gc
    listed it and before its manifest exists; gc must not delete it under the new manifest."""
    from packagers.store.blobs import put_file
    from packagers.store.sessions import WriteSession

    (blob,) = _seed_old_orphans(store, make_package, [b"the same bytes as the crashed run"])
    package = make_package("rerun", b"the same bytes as the crashed run")
    session = WriteSession(store._backend)
    index = store._index
    scan = index.scan

    def writer_claims_the_orphan_while_gc_reads() -> Scan:
        put_file(
            store._backend,
            str(package.artifact.src_path),
            session,
            key="rerun",
            temporary=path == "link",
        )
        return scan()  # read before the writer's manifest is written

    monkeypatch.setattr(index, "scan", writer_claims_the_orphan_while_gc_reads)
    assert store.gc() == []
    monkeypatch.undo()
    assert (Path(store.url) / blob).is_file()
    store.log_packages([package])  # the writer goes on: its manifest names the blob
    session.close()
    report = store.verify()
    assert report.ok and report.orphaned_blobs == []
    assert [p for p in (Path(store.url) / "tmp").rglob("*") if p.is_file()] == []


_GC_LOOP = """
import sys, time
from packagers.store import Store

store, until = Store(sys.argv[1]), float(sys.argv[2])
store.gc()
print("collecting", flush=True)
while time.time() < until:
    store.gc()
"""


def test_re_runs_over_old_orphans_under_a_gc_loop_lose_nothing(store: Store, make_package) -> None:
    """Each round a crashed run leaves old orphans and its re-run logs the same bytes, while
    another process runs gc in a loop: no manifest may end up naming a deleted blob."""
    collector = _python(_GC_LOOP, store.url, str(time.time() + 60))
    try:
        assert collector.stdout is not None
        assert collector.stdout.readline().strip() == "collecting"
        for round_ in range(6):
            contents = [os.urandom(64) for _ in range(20)]
            _seed_old_orphans(store, make_package, contents)
            store.log_packages([make_package(f"again{i}", c) for i, c in enumerate(contents)])
            report = store.verify()
            assert report.missing_blobs == [], f"round {round_}: {report.missing_blobs}"
    finally:
        collector.kill()
        collector.communicate()
    for i, content in enumerate(contents):
        assert store.resolve(f"store://again{i}").get() == content
