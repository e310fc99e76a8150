"""The typed manifest: what packing writes reads back, and a wrong shape is one clear error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from packagers import PackagersManager
from packagers.manifest import MANIFEST_SCHEMA, ManifestError, from_json, to_json
from packagers.store import Store
from packagers.store.errors import DamagedFileError


def test_a_packed_manifest_round_trips() -> None:
    with PackagersManager() as manager:
        manifest = manager.pack(b"bytes", "data").manifest
    assert manifest["schema"] == MANIFEST_SCHEMA
    assert from_json(to_json(manifest), "data") == manifest


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ([1, 2], "holds a JSON list, not a manifest object"),
        ({"key": "k"}, "has the artifact type None, not a name"),
        ({"key": "../k", "artifact_type": "file"}, "not a valid key"),
        ({"key": "k", "artifact_type": "file", "format": "a/b"}, "cannot end a file name"),
        ({"key": "k", "artifact_type": "file", "metrics": [1]}, "as its metrics, not an object"),
        ({"key": "k", "artifact_type": "file", "digest": "md5:1"}, "not one the store makes"),
        ({"key": "k", "artifact_type": "file", "schema": "1"}, "not a manifest schema version"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_one_error(manifest: object, problem: str) -> None:
    with pytest.raises(ManifestError, match=f"^where .*{re.escape(problem)}"):
        from_json(json.dumps(manifest), "where")


def test_a_newer_schema_says_to_upgrade() -> None:
    newer = {"schema": MANIFEST_SCHEMA + 1, "key": "k", "artifact_type": "file"}
    with pytest.raises(ManifestError, match="newer than this packagers reads.*upgrade"):
        from_json(json.dumps(newer), "k.json")


def test_the_store_reads_through_the_same_check(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "store"))
    with PackagersManager() as manager:
        ref = manager.log(store, [manager.pack(b"bytes", "data")])["data"]
    path = tmp_path / "store" / "artifacts" / "default" / "data" / "versions"
    manifest_file = path / f"{ref.version}.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["schema"] = MANIFEST_SCHEMA + 1
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(DamagedFileError, match=f"{ref.version}.json.*upgrade packagers"):
        store.manifest(ref.uri)
