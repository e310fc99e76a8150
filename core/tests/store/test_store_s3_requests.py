"""What a log sends to S3 (a moto server), request by request: each one is a round trip."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from packagers.api import log
from packagers.store import Store

from .conftest import MakePackage

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
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    store.list_runs("default")  # the client connects
    return store


def test_a_log_sends_one_look_one_upload_the_manifest_and_the_preview(s3_store: Store) -> None:
    """Nothing else: no listing, no index, no second look, no temporary object and no move.
    The small bodies go out with their request, not after a go-ahead from the server (a
    round trip of its own)."""
    with _sent(s3_store) as sent:
        ref = log("a line of text\n" * 100, "notes : file", store=s3_store)
    blob = ref.manifest["blob"]
    written = f"artifacts/default/notes/{{}}/{ref.version}.json"
    assert sent == [
        ("HeadObject", blob, False),
        ("PutObject", blob, False),
        ("PutObject", written.format("versions"), False),
        ("PutObject", written.format("previews"), False),
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
