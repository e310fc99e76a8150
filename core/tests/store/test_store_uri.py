"""Store URIs: parsing, printing, and what resolving names (tags, versions, prefixes, errors)."""

from __future__ import annotations

import pytest

from packagers import PackagersError, config
from packagers.api import log
from packagers.store import Store, StoreError, StoreUri, parse_uri
from packagers.store.uri import is_store_uri


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("store://data", StoreUri("default", "data")),
        ("store://proj/data", StoreUri("proj", "data")),
        ("store://proj/data:prod", StoreUri("proj", "data", tag="prod")),
        ("store://data@2025", StoreUri("default", "data", version="2025")),
        (
            "store://p/d.v2:t_1@20250102T030405123456Z-abc123",
            StoreUri("p", "d.v2", tag="t_1", version="20250102T030405123456Z-abc123"),
        ),
    ],
)
def test_parse_forms(uri: str, expected: StoreUri) -> None:
    assert parse_uri(uri) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("store://data", True), ("store://", True), ("data", False), ("s3://b/k", False), (1, False)],
)
def test_is_store_uri_is_text_with_the_scheme(value: object, expected: bool) -> None:
    assert is_store_uri(value) is expected


def test_default_project_comes_from_config() -> None:
    with config.override(project="team"):
        assert parse_uri("store://data").project == "team"


def test_str_is_canonical() -> None:
    assert str(parse_uri("store://data:prod")) == "store://default/data:prod"
    assert str(StoreUri("p", "k", version="v1")) == "store://p/k@v1"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("s3://bucket/data", "is not a store URI"),
        ("store://", "the key is missing"),
        ("store://proj/", "the key is missing"),
        ("store://a/b/c", "too many '/'"),
        ("store://data:", "invalid tag ''"),
        ("store://data@", "invalid version ''"),
        ("store://data@v/1", "invalid version 'v/1'"),
        ("store://-proj/data", "invalid project '-proj'"),
        ("store://da ta", "invalid key 'da ta'"),
        ("store://data:a:b", "invalid tag 'a:b'"),
    ],
)
def test_malformed_uris_name_the_uri_and_the_problem(uri: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        parse_uri(uri)
    assert repr(uri) in str(caught.value) or uri in str(caught.value)
    assert isinstance(caught.value, PackagersError)


def test_resolve_by_latest_tag_version_and_prefix(store: Store) -> None:
    first = log(b"one", "blob : object", store=store)
    second = log(b"two", "blob : object", store=store)
    assert store.manifest("store://blob")["version"] == second.version
    assert store.manifest("store://default/blob:latest")["version"] == second.version
    assert store.manifest(f"store://blob@{first.version}")["version"] == first.version
    timestamp = first.version.split("-")[0]  # unique: versions of one process strictly increase
    assert store.manifest(f"store://blob@{timestamp}")["version"] == first.version
    assert store.manifest(first.uri)["uri"] == first.uri


def test_version_prefix_errors(store: Store) -> None:
    log(b"one", "blob : object", store=store)
    log(b"two", "blob : object", store=store)
    with pytest.raises(StoreError, match="matches 2 versions"):
        store.manifest("store://blob@2")
    with pytest.raises(StoreError, match=r"no version '1999'.*newest versions are: 2"):
        store.manifest("store://blob@1999")


def test_unknown_project_and_key_list_what_exists(store: Store) -> None:
    log(b"x", "training_data : object", store=store)
    with pytest.raises(StoreError, match=r"no project 'other'; projects: default") as caught:
        store.resolve("store://other/training_data")
    assert "store://other/training_data" in str(caught.value)
    with pytest.raises(StoreError, match=r"no artifact 'trainin_data'; did you mean 'training_"):
        store.resolve("store://trainin_data")


def test_unknown_tag_lists_tags(store: Store) -> None:
    ref = log(b"x", "blob : object", store=store)
    store.tag(ref.uri, "prod")
    with pytest.raises(StoreError, match=r"no tag 'staging'; its tags: latest, prod"):
        store.resolve("store://blob:staging")


def test_tag_and_version_must_agree(store: Store) -> None:
    first = log(b"one", "blob : object", store=store)
    second = log(b"two", "blob : object", store=store)
    assert store.manifest(f"store://blob:latest@{second.version}")["version"] == second.version
    with pytest.raises(StoreError, match="points to version"):
        store.manifest(f"store://blob:latest@{first.version}")
