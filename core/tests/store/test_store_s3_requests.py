"""What a log sends to S3 (a moto server), request by request: each one is a round trip; the
previews go alongside the blobs, and gc and verify deal with a preview whose version has no
manifest."""

from __future__ import annotations

import logging
import pickle
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from packagers.api import log
from packagers.store import Store
from packagers.store.session_ids import BLOB_GRACE

from .conftest import MakePackage, clock_ahead

#: How long a test waits for another thread before it counts the step as never coming.
_PATIENCE = 10.0

#: (operation, key below the store root, whether the body waited for the server's go-ahead)
Sent = tuple[str, str, bool]


@contextmanager
def _sent(store: Store) -> Iterator[list[Sent]]:
    """The requests the store's S3 client sends meanwhile, as the server receives them."""
    fs = store._backend.fs  # type: ignore[attr-defined]
    prefix = f"/{store._backend._root}/"  # type: ignore[attr-defined]
    sent: list[Sent] = []

    def record(request: Any, event_name: str, **_: Any) -> None:
        key = unquote(urlsplit(request.url).path).removeprefix(prefix)
        waits = request.headers.get("Expect", b"") in (b"100-continue", "100-continue")
        sent.append((event_name.rpartition(".")[2], key, waits))

    fs.s3.meta.events.register("before-send.s3", record)
    try:
        yield sent
    finally:
        fs.s3.meta.events.unregister("before-send.s3", record)


@pytest.fixture
def s3_store(s3_options: dict[str, Any]) -> Store:
    """A store on the moto server, sending requests at once as it does to a server elsewhere
    (to one on this machine it sends them one after another: the last tests)."""
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    store._backend.parallel_requests = True  # type: ignore[attr-defined]
    store.list_runs("default")  # the client connects
    return store


def test_a_server_on_this_machine_gets_one_request_at_a_time(
    s3_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overlapping requests hides a network's latency; a server on loopback has none to hide:
    the preview goes up after the manifest, from the log's own thread."""
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    backend = store._backend  # type: ignore[attr-defined]
    assert backend.parallel_requests is False
    write, threads = backend.write, []

    def record(rel: str, data: bytes) -> None:
        threads.append((rel.split("/")[3], threading.current_thread().name))
        write(rel, data)

    monkeypatch.setattr(backend, "write", record)
    log("a line of text\n" * 100, "notes : file", store=store)
    here = threading.current_thread().name
    assert threads == [("versions", here), ("previews", here)]


@pytest.mark.parametrize(
    ("endpoint", "local"),
    [
        ("http://127.0.0.1:9000", True),
        ("http://localhost:9000", True),
        ("http://[::1]:9000", True),
        ("http://127.0.0.2", True),
        ("http://10.0.0.5:9000", False),
        ("https://s3.eu-west-1.amazonaws.com", False),
        (None, False),  # AWS itself: no endpoint given
    ],
)
def test_a_loopback_endpoint_is_this_machine(endpoint: str | None, local: bool) -> None:
    from types import SimpleNamespace

    from packagers.store.fsspec_backend import _on_loopback

    assert _on_loopback(SimpleNamespace(endpoint_url=endpoint)) is local  # type: ignore[arg-type]


def test_a_log_sends_one_look_one_upload_the_manifest_and_the_preview(s3_store: Store) -> None:
    """Nothing else: no listing, no index, no second look, no temporary object and no move.
    The small bodies go out with their request, not after a go-ahead from the server (a
    round trip of its own). The preview goes out from another thread, in no set order."""
    with _sent(s3_store) as sent:
        ref = log("a line of text\n" * 100, "notes : file", store=s3_store)
    blob = ref.manifest["blob"]
    written = f"artifacts/default/notes/{{}}/{ref.version}.json"
    preview = ("PutObject", written.format("previews"), False)
    assert sent.count(preview) == 1 and len(sent) == 4
    assert [request for request in sent if request != preview] == [
        ("HeadObject", blob, False),
        ("PutObject", blob, False),
        ("PutObject", written.format("versions"), False),
    ]
    assert s3_store.read_preview(ref) is not None
    assert pickle.loads(pickle.dumps(s3_store)).url == s3_store.url  # holds no client


def test_a_large_upload_still_waits_for_the_servers_go_ahead(
    s3_store: Store, make_package: MakePackage
) -> None:
    """Where the wait spares sending megabytes the server would refuse, it stays."""
    package = make_package("big", b"b" * (2 << 20))
    package.temporary = True
    with _sent(s3_store) as sent:
        ref = s3_store.log_packages([package])["big"]
    blob, manifest = ref.manifest["blob"], f"artifacts/default/big/versions/{ref.version}.json"
    assert sent == [
        ("HeadObject", blob, False),
        ("PutObject", blob, True),
        ("PutObject", manifest, False),
    ]


class _Gates:
    """A log whose steps wait for one another across threads, so their order is set.

    The manifest's write waits until the preview's write has begun, and the preview's write,
    once begun, waits until the manifest is written. A log that wrote its preview after its
    manifest, in its own thread, would never get past the manifest: the gates prove the preview
    overlaps the manifest and that the manifest does not wait for it. The look for the blob
    comes before either: the preview has not begun then.
    """

    def __init__(self, store: Store, patch: pytest.MonkeyPatch) -> None:
        self.backend = store._backend  # type: ignore[attr-defined]
        self.preview_begun = threading.Event()
        self.manifest_written = threading.Event()
        self.preview_thread: str | None = None
        self.begun_at_look: list[bool] = []
        write, modified = self.backend.write, self.backend.modified

        def gated_write(rel: str, data: bytes) -> None:
            if "/previews/" in rel:
                self.preview_thread = threading.current_thread().name
                self.preview_begun.set()
                assert self.manifest_written.wait(_PATIENCE), "the manifest waited for the preview"
            if "/versions/" in rel:
                assert self.preview_begun.wait(_PATIENCE), "the preview waited for the manifest"
            write(rel, data)
            if "/versions/" in rel:
                self.manifest_written.set()

        def gated_look(rel: str, size: int) -> float | None:
            self.begun_at_look.append(self.preview_begun.is_set())
            return modified(rel, size)  # type: ignore[no-any-return]

        patch.setattr(self.backend, "write", gated_write)
        patch.setattr(self.backend, "modified", gated_look)


def _preview_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("packagers-preview-upload")]


def test_the_preview_is_uploaded_alongside_the_manifest(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its upload begins after the look and the blob's upload, before the manifest is written,
    and ends after it, from another thread; the log returns only once it is stored. Logging
    the same data again: look, manifest."""
    gates = _Gates(s3_store, monkeypatch)
    text = "a line of text\n" * 100
    with _sent(s3_store) as sent:
        ref = log(text, "notes : file", store=s3_store)
    written = f"artifacts/default/notes/{{}}/{ref.version}.json"
    assert sent == [
        ("HeadObject", ref.manifest["blob"], False),
        ("PutObject", ref.manifest["blob"], False),
        ("PutObject", written.format("versions"), False),
        ("PutObject", written.format("previews"), False),
    ]
    assert gates.preview_thread != threading.current_thread().name
    assert gates.begun_at_look == [False]  # the look is alone on the wire
    assert s3_store.read_preview(ref) is not None  # stored before the log returned
    assert _preview_threads() == []

    gates.preview_begun.clear()
    gates.manifest_written.clear()
    with _sent(s3_store) as sent:
        again = log(text, "notes : file", store=s3_store)
    written = f"artifacts/default/notes/{{}}/{again.version}.json"
    assert sent == [
        ("HeadObject", again.manifest["blob"], False),
        ("PutObject", written.format("versions"), False),
        ("PutObject", written.format("previews"), False),
    ]
    assert gates.begun_at_look == [False, False]


def test_a_preview_the_store_refuses_leaves_the_log_whole(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused as S3 refuses (s3fs turns AccessDenied into PermissionError): logged at debug
    level, the artifact stored without a preview."""
    backend = s3_store._backend  # type: ignore[attr-defined]
    write = backend.write

    def refuse_previews(rel: str, data: bytes) -> None:
        if "/previews/" in rel:
            raise PermissionError(13, "Access Denied", rel)
        write(rel, data)

    monkeypatch.setattr(backend, "write", refuse_previews)
    with caplog.at_level(logging.DEBUG, logger="packagers.store.writer"):
        ref = log("a line of text\n" * 100, "notes : file", store=s3_store)
    assert s3_store.read_preview(ref) is None
    assert s3_store.resolve(ref.uri).get() == b"a line of text\n" * 100
    assert f"no preview stored for {ref.uri}: " in caplog.text
    assert _preview_threads() == []


def test_a_failed_upload_fails_the_log_before_any_preview(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = s3_store._backend  # type: ignore[attr-defined]
    write = backend.write
    stored: list[str] = []

    def record(rel: str, data: bytes) -> None:
        write(rel, data)
        stored.append(rel)

    def failing_upload(src: str, rel: str) -> bool:
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(backend, "write", record)
    monkeypatch.setattr(backend, "put", failing_upload)
    with pytest.raises(ConnectionResetError):
        log("a line of text\n" * 100, "notes : file", store=s3_store)
    assert stored == [] and _preview_threads() == []


def test_a_failed_manifest_fails_the_log_and_leaves_no_thread(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest fails while the preview's upload is under way: the log waits for it, then
    raises; nothing is left running, and no version exists."""
    backend = s3_store._backend  # type: ignore[attr-defined]
    write = backend.write
    preview_begun, manifest_failed = threading.Event(), threading.Event()
    stored: list[str] = []

    def slow_preview_failing_manifest(rel: str, data: bytes) -> None:
        if "/versions/" in rel:
            assert preview_begun.wait(_PATIENCE)
            manifest_failed.set()
            raise ConnectionResetError(104, "Connection reset by peer")
        if "/previews/" in rel:
            preview_begun.set()
            assert manifest_failed.wait(_PATIENCE)
        write(rel, data)
        stored.append(rel)

    monkeypatch.setattr(backend, "write", slow_preview_failing_manifest)
    with pytest.raises(ConnectionResetError):
        log("a line of text\n" * 100, "notes : file", store=s3_store)
    assert _preview_threads() == []
    assert [rel.split("/")[3] for rel in stored] == ["previews"]  # finished, then the log failed
    assert s3_store.list_artifacts() == []


def _orphan_preview(store: Store) -> tuple[str, str]:
    """A preview written as a log does first, by a log that then died: (key, preview path)."""
    from packagers.store.versions import new_version_id

    key, version = "notes", new_version_id()
    path = f"artifacts/default/{key}/previews/{version}.json"
    store._backend.write(path, b'{"kind": "text", "text": "cut short"}')  # type: ignore[attr-defined]
    return key, path


def test_verify_ignores_and_gc_removes_an_old_orphaned_preview(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing reads a preview whose version has no manifest: verify finds no damage, and gc
    removes it once no log can still be writing that manifest (after the grace period)."""
    kept = log("a line of text\n" * 100, "notes : file", store=s3_store)
    _, orphan = _orphan_preview(s3_store)
    report = s3_store.verify()
    assert report.ok and report.damaged_files == {} and report.orphaned_blobs == []
    assert s3_store.gc() == []  # young: its log may still be at work
    clock_ahead(monkeypatch, "maintenance", BLOB_GRACE + 1)
    assert s3_store.gc(dry_run=True) == [orphan]
    assert s3_store.gc() == [orphan]
    assert not s3_store._backend.exists(orphan)  # type: ignore[attr-defined]
    assert s3_store.read_preview(kept) is not None  # a preview with its manifest stays


def test_gc_keeps_the_preview_of_a_log_under_way(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gc that runs after the preview is stored and before its manifest keeps it, even when
    gc's clock says it is old: it looks for the manifest again right before deleting. (The
    same data logged twice: its blob is held by the first version's manifest meanwhile.)"""
    text = "a line of text\n" * 100
    log(text, "notes : file", store=s3_store)
    backend = s3_store._backend  # type: ignore[attr-defined]
    write = backend.write
    preview_stored = threading.Event()
    collected: list[list[str]] = []

    def write_and_tell(rel: str, data: bytes) -> None:
        if "/versions/" in rel:
            two_gcs()
        write(rel, data)
        if "/previews/" in rel:
            preview_stored.set()

    def two_gcs() -> None:
        assert preview_stored.wait(_PATIENCE)
        collected.append(s3_store.gc())  # young: kept by the grace period
        with monkeypatch.context() as later:
            clock_ahead(later, "maintenance", BLOB_GRACE + 1)
            index = s3_store._index  # type: ignore[attr-defined]
            scan = index.scan

            def manifest_written_meanwhile() -> Any:
                listed = scan()
                finish_manifest(listed.orphaned_previews())
                return listed

            later.setattr(index, "scan", manifest_written_meanwhile)
            collected.append(s3_store.gc())

    def finish_manifest(orphans: dict[str, float | None]) -> None:
        """The other log's manifest lands between gc's listing and its deletion."""
        for path in orphans:
            write(path.replace("/previews/", "/versions/"), b"{}")

    monkeypatch.setattr(backend, "write", write_and_tell)
    ref = log(text, "notes : file", store=s3_store)
    assert collected == [[], []]
    assert s3_store.read_preview(ref) is not None


def test_many_previews_go_up_a_few_at_a_time(
    s3_store: Store, make_package: MakePackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log of many outputs starts no more threads than the bound, and stores every preview."""
    from packagers.store.writer import _PREVIEW_THREADS

    backend = s3_store._backend  # type: ignore[attr-defined]
    write = backend.write
    threads: set[str] = set()

    def counting(rel: str, data: bytes) -> None:
        if "/previews/" in rel:
            threads.add(threading.current_thread().name)
        write(rel, data)

    monkeypatch.setattr(backend, "write", counting)
    packages = [make_package(f"out{n}", f"data {n}".encode()) for n in range(3 * _PREVIEW_THREADS)]
    for package in packages:
        package.preview = {"kind": "text", "text": package.key}
    refs = s3_store.log_packages(packages)
    assert 0 < len(threads) <= _PREVIEW_THREADS
    assert threading.current_thread().name not in threads
    assert all(
        s3_store.read_preview(ref) == {"kind": "text", "text": key} for key, ref in refs.items()
    )
    assert _preview_threads() == []
