"""``packagers store verify|gc``: problems listed, exit 1 on lost data, orphans collected."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

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
        f"{orphan}\nwould remove 1 orphaned blob(s), 0 orphaned preview(s) "
        "and 0 temporary file(s)\n",
    )
    assert (Path(store_url) / orphan).exists()

    collected = cli("store", "gc", "--store", store_url, "--json")
    assert collected.json() == {"dry_run": False, "removed": [orphan]}
    assert not (Path(store_url) / orphan).exists()
    assert (
        cli("store", "gc", "--store", store_url).out
        == "removed 0 orphaned blob(s), 0 orphaned preview(s) and 0 temporary file(s)\n"
    )


def test_cli_store_gc_counts_previews_and_temporary_files_apart(cli: Cli, store_url: str) -> None:
    """A dead writer's upload under tmp/ and a preview whose version has no manifest are removed
    too, and neither is counted as an orphaned blob."""
    get_store(store_url)
    orphan = _orphan(store_url)
    preview = "artifacts/default/gone/previews/20250102T030405123456Z-1a2b3c.json"
    (Path(store_url) / preview).parent.mkdir(parents=True)
    (Path(store_url) / preview).write_text('{"kind": "text"}')
    leftover = Path(store_url) / "tmp" / "upload.part"  # no session id: dead once a day old
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"half an upload")
    old = time.time() - 2 * 24 * 3600
    os.utime(leftover, (old, old))
    result = cli("store", "gc", "--store", store_url)
    assert result.out == (
        f"{preview}\n{orphan}\ntmp/upload.part\n"
        "removed 1 orphaned blob(s), 1 orphaned preview(s) and 1 temporary file(s)\n"
    )
    assert not leftover.exists() and not (Path(store_url) / preview).exists()


_READ_ONLY = [
    ("store", "verify"),
    ("store", "gc"),
    ("artifacts", "ls"),
    ("runs", "ls"),
    ("artifacts", "show", "store://point"),
]


@pytest.mark.parametrize("command", _READ_ONLY, ids=" ".join)
def test_a_store_that_does_not_exist_is_not_an_empty_store(
    cli: Cli, tmp_path: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./.packagers to suggest (the quickstart leaves one)
    missing = tmp_path / "nowhere"
    result = cli(*command, "--store", str(missing))
    assert result.code == 3
    assert f"no store at {missing}: it does not exist" in result.err
    assert "did you mean" not in result.err
    assert not missing.exists()  # reading created nothing


@pytest.mark.parametrize("command", _READ_ONLY, ids=" ".join)
def test_a_file_is_not_a_store(cli: Cli, tmp_path: Path, command: tuple[str, ...]) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a store")
    result = cli(*command, "--store", str(file))
    assert result.code == 3
    assert f"no store at {file}: it is a file, not a store directory" in result.err


def test_a_missing_store_suggests_the_stores_nearby(
    cli: Cli, samples: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sibling = tmp_path / "team-store"
    log(samples.Point(1.0, 2.0), "point : object", store=str(sibling))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # no ./.packagers to suggest (the quickstart leaves one)
    typo = cli("artifacts", "ls", "--store", str(tmp_path / "team-stroe"))
    assert typo.code == 3 and f"did you mean '{sibling}'?" in typo.err
    below = cli("runs", "ls", "--store", str(sibling / "runs-of-mine"))
    assert below.code == 3 and f"did you mean '{sibling}'?" in below.err
    monkeypatch.chdir(tmp_path)
    log(samples.Point(1.0, 2.0), "point : object", store=".packagers")
    default = cli("store", "verify", "--store", str(tmp_path / "elsewhere" / "x"))
    assert default.code == 3 and str(tmp_path / ".packagers") in default.err


def test_writing_still_creates_a_new_store(cli: Cli, samples: ModuleType, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    result = cli(
        "run", "cli_samples:add", "-p", "a=1", "-p", "b=2", "-r", "total", "--store", str(fresh)
    )
    assert result.code == 0, result.err
    assert cli("runs", "ls", "--store", str(fresh)).code == 0
