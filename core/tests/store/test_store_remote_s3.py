"""An S3 store end to end: the requests of a log and a load, and a run in a worker process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from packagers.api import load, log
from packagers.store import Store
from packagers.store.session_ids import BLOB_GRACE

from .conftest import clock_ahead
from .remote_helpers import _fs, _manifest


@contextmanager
def _s3_requests(store: Store) -> Iterator[list[tuple[str, str]]]:
    """The S3 operations the store's client sends meanwhile, as (operation, key below the root)."""
    fs = _fs(store)
    root = f"{store._backend._root.partition('/')[2]}/"  # type: ignore[attr-defined]
    sent: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        key = str(params.get("Key", params.get("Prefix", "")))
        sent.append((model.name, key.removeprefix(root)))

    fs.s3.meta.events.register("provide-client-params.s3", record)
    try:
        yield sent
    finally:
        fs.s3.meta.events.unregister("provide-client-params.s3", record)


def test_s3_log_and_load_send_each_blob_once_and_no_extra_round_trip(
    s3_options: dict[str, Any], make_package, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On S3 every request is a round trip. A new blob is looked for once and sent once, with
    no claim: gc's grace period keeps it; the same data again, while young, is looked for and
    not sent; an old blob found is claimed and looked at again; a load reads the manifest its
    URI names and the blob, once each."""
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    store.list_runs("default")  # the client connects
    content = b"z" * (1 << 20)
    packages = [make_package("data", content), make_package("other", b"o" * 100)]
    for package in packages:
        package.temporary = True
    with _s3_requests(store) as sent:
        refs = store.log_packages(packages)
    blob, other = refs["data"].manifest["blob"], refs["other"].manifest["blob"]
    assert sent == [
        ("HeadObject", blob),
        ("PutObject", blob),
        ("HeadObject", other),
        ("PutObject", other),
        *[("PutObject", _manifest(ref)) for ref in refs.values()],
    ]

    def again() -> Any:
        package = make_package("data", content)
        package.temporary = True
        return store.log_packages([package])["data"]

    with _s3_requests(store) as sent:
        ref = again()
    assert sent == [("HeadObject", blob), ("PutObject", _manifest(ref))]  # nothing uploaded
    with monkeypatch.context() as patch:  # the writer's clock: the blob is old by now
        clock_ahead(patch, "sessions", BLOB_GRACE)
        with _s3_requests(store) as sent:
            old = again()
    claim = next(key for op, key in sent if key.startswith("tmp/claims/"))
    assert sent == [
        ("HeadObject", blob),
        ("PutObject", claim),
        ("HeadObject", blob),
        ("PutObject", _manifest(old)),
        ("DeleteObject", claim),
    ]
    assert store._backend.files("tmp") == {}  # type: ignore[attr-defined]
    with _s3_requests(store) as sent:
        assert store.resolve(ref.uri).get() == content
    assert sent == [("GetObject", _manifest(ref)), ("GetObject", blob)]


_STEP = """
def scale(values: list, factor: float = 2.0) -> tuple[int, list]:
    return len(values), [v * factor for v in values]
"""


@pytest.mark.slow
def test_the_same_run_in_process_and_in_a_worker_on_an_s3_store(
    s3_options: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented three ways end to end: a worker process reaches the bucket with the
    store's own storage options (nothing in its environment) and logs what a local run logs."""
    from packagers.runner import run

    (tmp_path / "s3_step.py").write_text(_STEP)
    monkeypatch.syspath_prepend(str(tmp_path))  # the worker gets the parent's sys.path
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "FSSPEC_S3"):
        monkeypatch.delenv(name, raising=False)
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    raw = log([1.0, 2.5], "raw : file", store=store)
    records = {
        executor: run(
            "s3_step:scale",
            inputs={"values": raw.uri},
            params={"factor": 3.0},
            returns=["count", "scaled : file"],
            store=store,
            executor=executor,
        )
        for executor in ("local", "process")
    }
    for executor, record in records.items():
        assert record.state == "completed", (executor, record.error)
        assert record.results == {"count": 2}
        assert load(record.artifacts["scaled"].uri, list, store=store) == [3.0, 7.5]
        assert store.get_run(record.id)["state"] == "completed"
    local, worker = (records[e].artifacts["scaled"].manifest for e in ("local", "process"))
    assert local["digest"] == worker["digest"]  # the same bytes, stored once
    assert {r["id"] for r in store.list_runs()} == {r.id for r in records.values()}
    assert store.verify().ok
