"""Forged and damaged store files, written by hand through the documented layout as an attacker
(or a broken copy) would: one error naming the file, nothing written outside its target."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packagers.api import load, log
from packagers.cli import main
from packagers.store import DamagedFileError, Store, StoreError
from packagers.store.versions import new_version_id

Edit = Callable[[dict[str, Any]], None]


def _manifest_file(store: Store, key: str, version: str, project: str = "default") -> Path:
    return Path(store.url) / "artifacts" / project / key / "versions" / f"{version}.json"


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """Where a forged path would land: nothing may ever appear here."""
    return tmp_path / "victim"


@pytest.fixture
def logged_file(store: Store, tmp_path: Path) -> dict[str, Any]:
    source = tmp_path / "report.txt"
    source.write_text("the report")
    return log(source, "report : path", store=store).manifest  # type: ignore[union-attr]


def _escapes(victim: Path) -> dict[str, Edit]:
    return {
        "absolute key": lambda m: m.update(key=str(victim / "abs")),
        "key with ..": lambda m: m.update(key="../../../victim/up"),
        "project": lambda m: m.update(project="../victim"),
        "version": lambda m: m.update(version="../../../victim/v"),
        "uri": lambda m: m.update(uri="store://default/other@20250101T000000000000Z-abcdef"),
        "format": lambda m: m.update(format="txt/../../../victim/f"),
        "digest": lambda m: m.update(digest="blake3:../../../victim"),
        "blob": lambda m: m.update(blob="../../victim/blob"),
        "instructions": lambda m: m.update(instructions=["name", "../victim"]),
        "bundle member": lambda m: m.update(
            bundle={"collection": "list", "members": [{"key": "..", "name": 0, "uri": "x"}]}
        ),
        "a list": lambda m: m.clear(),  # replaced by a list below
    }


@pytest.mark.parametrize("field", list(_escapes(Path("/unused"))))
def test_a_forged_manifest_is_one_error_naming_it(
    store: Store, logged_file: dict[str, Any], victim: Path, field: str
) -> None:
    manifest = dict(logged_file)
    _escapes(victim)[field](manifest)
    path = _manifest_file(store, "report", logged_file["version"])
    _write_json(path, [manifest] if field == "a list" else manifest)
    rel = path.relative_to(store.url).as_posix()
    for read in (
        lambda: load("store://report", Path, store=store),
        lambda: load("store://report", str, store=store),
        lambda: load(f"store://report@{logged_file['version']}", store=store),
        lambda: store.list_artifacts(),
        lambda: store.list_artifacts(key="report"),
    ):
        with pytest.raises(DamagedFileError, match=f"is damaged: {rel} ") as caught:
            read()
        assert caught.value.path == rel
    assert not victim.exists()
    assert store.verify().damaged_files.keys() == {rel}


def test_a_forged_manifest_of_another_key_cannot_write_outside_through_the_cli(
    store: Store, logged_file: dict[str, Any], tmp_path: Path, victim: Path
) -> None:
    """``artifacts get`` names its output after the manifest's key: a forged key is refused."""
    version = new_version_id()
    forged = {**logged_file, "key": str(victim / "planted"), "version": version}
    path = _manifest_file(store, "evil", version)
    _write_json(path, forged)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["artifacts", "get", "store://evil", "-o", str(out), "--store", store.url]) == 3
    assert not victim.exists() and list(out.iterdir()) == []
    with pytest.raises(DamagedFileError, match=path.relative_to(store.url).as_posix()):
        load("store://evil", Path, store=store)


def test_a_forged_manifest_is_left_out_of_the_index(
    store: Store, logged_file: dict[str, Any]
) -> None:
    """The index reads manifests through the store's reader: what loading refuses is not listed
    (here a version of ``evil`` that names the report's URI, a format that walks out of its
    directory, and a lineage link to the report)."""
    version = new_version_id()
    forged = {
        **logged_file,
        "key": "evil",
        "version": version,
        "format": "../../x",
        "extra_data": {"source": logged_file["uri"]},
    }
    _write_json(_manifest_file(store, "evil", version), forged)
    fresh = Store(store.url)
    rows, total = fresh.index.artifacts("default")
    assert [row["key"] for row in rows] == ["report"] and total == 1
    assert fresh.index.versions("default", "evil") == ([], 0)
    assert fresh.index.links([logged_file["uri"]], to=True) == []
    with pytest.raises(DamagedFileError):
        load("store://evil", store=store)


@pytest.mark.parametrize(
    "pointer",
    [
        {"version": "../../other/versions/{version}"},
        {"version": "../../../../../../../etc/hostname"},
        {"version": None},
        {"uri": "store://default/report@x"},
        ["{version}"],
        {"version": "{version}", "uri": "store://default/other@{version}"},
    ],
)
def test_a_tag_must_point_at_a_version_id_of_its_own_key(
    store: Store, logged_file: dict[str, Any], pointer: Any
) -> None:
    other = log(b"another key's data", "other : object", store=store)
    text = json.dumps(pointer).replace("{version}", other.version)
    tag = Path(store.url) / "artifacts" / "default" / "report" / "tags" / "prod.json"
    tag.parent.mkdir(parents=True, exist_ok=True)
    tag.write_text(text)
    with pytest.raises(DamagedFileError, match="artifacts/default/report/tags/prod.json"):
        load("store://report:prod", store=store)
    assert "artifacts/default/report/tags/prod.json" in store.verify().damaged_files


def test_a_tag_at_a_version_the_key_does_not_have_is_refused(
    store: Store, logged_file: dict[str, Any]
) -> None:
    """A well-formed id of another key's version: the key's own manifest is what is read."""
    other = log(b"another key's data", "other : object", store=store)
    tag = Path(store.url) / "artifacts" / "default" / "report" / "tags" / "prod.json"
    _write_json(tag, {"version": other.version})
    with pytest.raises(StoreError, match=f"version {other.version} is named but its manifest"):
        load("store://report:prod", store=store)
    report = store.verify()
    assert report.damaged_files == {
        "artifacts/default/report/tags/prod.json": (
            f"points at the version {other.version}, which has no manifest"
        )
    }


def test_verify_lists_every_damaged_file_and_goes_on(
    store: Store, logged_file: dict[str, Any]
) -> None:
    good = log(b"intact data", "good : object", store=store)
    broken = log(b"will lose its manifest shape", "broken : object", store=store)
    manifest = _manifest_file(store, "broken", broken.version)
    manifest.write_text(json.dumps([broken.manifest]))
    tag = Path(store.url) / "artifacts" / "default" / "good" / "tags" / "prod.json"
    _write_json(tag, {"uri": good.uri})  # no version
    run = Path(store.url) / "runs" / "default" / "r1.json"
    _write_json(run, ["not", "a", "record"])
    corrupt = Path(store.url) / good.manifest["blob"]
    corrupt.chmod(0o644)
    corrupt.write_bytes(b"tampered")

    report = store.verify()
    assert report.damaged_files == {
        manifest.relative_to(store.url).as_posix(): "holds a JSON list, not a manifest object",
        "artifacts/default/good/tags/prod.json": "points at None, which is not a version id",
        "runs/default/r1.json": "holds a JSON list, not a run record object",
    }
    assert report.corrupt_blobs == [good.manifest["blob"]]  # it went on hashing
    assert not report.ok
    for read in (
        lambda: store.manifest("store://broken"),
        lambda: store.manifest("store://good:prod"),
        lambda: store.get_run("r1"),
        lambda: store.list_runs(),
    ):
        with pytest.raises(DamagedFileError):
            read()


def test_cli_verify_prints_damaged_files_and_exits_1(
    store: Store, logged_file: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _manifest_file(store, "report", logged_file["version"])
    path.write_text("[]")
    rel = path.relative_to(store.url).as_posix()
    capsys.readouterr()
    assert main(["store", "verify", "--store", store.url]) == 1
    out = capsys.readouterr().out
    assert f"1 damaged: a manifest, tag or run record changed from outside\n  {rel} holds" in out
    assert main(["store", "verify", "--store", store.url, "--json"]) == 1
    assert rel in json.loads(capsys.readouterr().out)["damaged_files"]


def test_a_manifest_file_not_named_by_a_version_id_says_so(tmp_path: Path) -> None:
    from packagers.store.validation import read_manifest

    ref = log({"a": 1}, "k : file", store=str(tmp_path))
    path = tmp_path / "artifacts" / ref.project / "k" / "versions" / f"{ref.version}.json"
    with pytest.raises(DamagedFileError, match="'not-a-version', which is not a version id"):
        read_manifest(
            path.read_bytes(),
            "artifacts/default/k/versions/not-a-version.json",
            str(tmp_path),
            project=ref.project,
            key="k",
            version="not-a-version",
        )
