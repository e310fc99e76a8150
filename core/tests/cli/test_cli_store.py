"""``packagers store verify|gc``: problems listed, exit 1 on lost data, orphans collected."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from packagers._digest import stream_digest
from packagers.api import log
from packagers.store import get_store
from packagers.store.blobs import blob_path

if TYPE_CHECKING:
    from conftest import Cli


def _orphan(store_url: str) -> str:
    """A well-formed blob no manifest points at (what a crash between blob and manifest leaves)."""
    data = b"left behind"
    relative = blob_path(stream_digest(io.BytesIO(data))[0])
    path = Path(store_url) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def test_cli_store_verify_ok(cli: Cli, samples: ModuleType, store_url: str) -> None:
    log(samples.Point(1.0, 2.0), "point : object", store=store_url)
    result = cli("store", "verify", "--store", store_url)
    assert (result.code, result.out) == (0, "ok: every manifest's blob is present and intact\n")
    assert cli("store", "verify", "--store", store_url, "--json").json() == {
        "ok": True,
        "orphaned_blobs": [],
        "missing_blobs": [],
        "corrupt_blobs": [],
        "damaged_files": {},
    }


def test_cli_store_verify_lists_corrupt_blobs_and_exits_1(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    ref = log(samples.Point(1.0, 2.0), "point : object", store=store_url)
    blob = Path(store_url) / ref.manifest["blob"]
    blob.chmod(0o644)
    blob.write_bytes(b"garbage")
    result = cli("store", "verify", "--store", store_url)
    assert result.code == 1
    assert (
        f"1 corrupt: the blob's content no longer matches its digest\n  {ref.manifest['blob']}"
    ) in result.out
    assert result.out.endswith("not ok: data is missing or damaged\n")
    data = cli("store", "verify", "--store", store_url, "--json").json()
    assert (data["ok"], data["corrupt_blobs"]) == (False, [ref.manifest["blob"]])


def test_cli_store_verify_lists_missing_blobs(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    ref = log(samples.Point(1.0, 2.0), "point : object", store=store_url)
    (Path(store_url) / ref.manifest["blob"]).unlink()
    data = cli("store", "verify", "--store", store_url, "--json")
    assert data.code == 1
    assert data.json()["missing_blobs"] == [ref.manifest["blob"]]


def test_cli_store_orphans_are_reported_and_collected(cli: Cli, store_url: str) -> None:
    get_store(store_url)  # creates the store
    orphan = _orphan(store_url)
    verified = cli("store", "verify", "--store", store_url)
    assert verified.code == 0  # wasted space, not lost data
    assert orphan in verified.out

    dry = cli("store", "gc", "--dry-run", "--store", store_url)
    assert (dry.code, dry.out) == (
        0,
        f"{orphan}\nwould remove 1 orphaned blob(s) and 0 temporary file(s)\n",
    )
    assert (Path(store_url) / orphan).exists()

    collected = cli("store", "gc", "--store", store_url, "--json")
    assert collected.json() == {"dry_run": False, "removed": [orphan]}
    assert not (Path(store_url) / orphan).exists()
    assert (
        cli("store", "gc", "--store", store_url).out
        == "removed 0 orphaned blob(s) and 0 temporary file(s)\n"
    )


def test_cli_store_gc_counts_leftover_temporary_files_apart(cli: Cli, store_url: str) -> None:
    """A dead writer's upload under tmp/ is removed too, and not counted as an orphaned blob."""
    get_store(store_url)
    orphan = _orphan(store_url)
    leftover = Path(store_url) / "tmp" / "upload.part"  # no session id: dead once a day old
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"half an upload")
    old = time.time() - 2 * 24 * 3600
    os.utime(leftover, (old, old))
    result = cli("store", "gc", "--store", store_url)
    assert result.out == (
        f"{orphan}\ntmp/upload.part\nremoved 1 orphaned blob(s) and 1 temporary file(s)\n"
    )
    assert not leftover.exists()
