"""pathlib.Path: files logged as they are, directories as archives, restored fresh each time."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError, config
from packagers.testing import round_trip
from packagers_stdlib import ARCHIVE_FORMATS, DEFAULT_ARCHIVE_FORMAT

MAGIC = {
    "zip": b"PK\x03\x04",
    "tar.gz": b"\x1f\x8b",
    "tar.bz2": b"BZh",
    "tar.xz": b"\xfd7zXZ\x00",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "mod.py").write_text("x = 1\n")
    (root / "empty" / "deeper").mkdir(parents=True)
    script = root / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    private = root / "private.key"
    private.write_text("secret")
    private.chmod(0o600)
    (root / "data.bin").write_bytes(bytes(100_000))
    (root / "ünïcødé name.txt").write_text("ü")
    (root / "latest").symlink_to("src/pkg/mod.py")
    (root / "src" / "up").symlink_to("../run.sh")
    (root / "src" / "pkg").chmod(0o750)
    return root


def _listing(root: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            key = str(path.relative_to(root))
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_dir():
                found[key] = ("dir", mode)
            else:
                found[key] = ("file", mode, path.read_bytes(), int(path.stat().st_mtime) // 2)
    return found


@pytest.mark.parametrize("fmt", list(ARCHIVE_FORMATS))
def test_directories_round_trip_in_every_archive_format(
    manager: PackagersManager, tree: Path, fmt: str
) -> None:
    before = _listing(tree)
    restored, package = round_trip(
        manager, tree, LogHint("project", "path", packing_kwargs={"archive_format": fmt}), Path
    )
    assert package.manifest["format"] == fmt
    assert package.manifest["instructions"]["is_directory"] is True
    assert package.artifact is not None and package.artifact.src_path.endswith(f".{fmt}")
    magic = MAGIC.get(fmt)
    if magic:
        assert Path(package.artifact.src_path).read_bytes().startswith(magic)
    assert type(restored) is type(tree) and restored.name == "project"
    assert _listing(restored) == before  # files, modes, mtimes, empty dirs, links
    assert _listing(tree) == before  # the user's directory is untouched


def test_the_default_is_a_compressed_zip(manager: PackagersManager, tree: Path) -> None:
    assert DEFAULT_ARCHIVE_FORMAT == "zip"
    package = manager.pack(tree, "project")
    assert package.artifact_type == "path" and package.manifest["format"] == "zip"
    assert package.artifact is not None
    with zipfile.ZipFile(package.artifact.src_path) as archive:
        data = archive.getinfo("data.bin")
        assert data.compress_type == zipfile.ZIP_DEFLATED
        assert data.compress_size < data.file_size // 10
        assert "empty/deeper/" in archive.namelist()


def test_tar_archives_name_no_owner(manager: PackagersManager, tree: Path) -> None:
    package = manager.pack(tree, 'project : path[archive_format="tar.gz"]')
    assert package.artifact is not None
    with tarfile.open(package.artifact.src_path) as archive:
        assert {(m.uid, m.gid, m.uname, m.gname) for m in archive} == {(0, 0, "", "")}


def test_every_unpack_is_a_fresh_directory_removed_when_the_run_ends(
    manager: PackagersManager, tree: Path
) -> None:
    package = manager.pack(tree, "project")
    assert package.artifact is not None
    item = DataItem(package.artifact.src_path, key="project", manifest=package.manifest)
    first, second = manager.unpack(item, Path), manager.unpack(item, Path)
    assert first != second
    (first / "run.sh").write_text("changed by the function")
    assert (second / "run.sh").read_text() == "#!/bin/sh\necho hi\n"
    manager.clear()
    assert not first.exists() and not second.exists()
    assert (tree / "run.sh").read_text() == "#!/bin/sh\necho hi\n"


def test_a_file_is_stored_as_it_is_and_never_cleared(
    manager: PackagersManager, tmp_path: Path
) -> None:
    path = tmp_path / "report.csv"
    path.write_text("a,b\n1,2\n")
    stamp = path.stat().st_mtime_ns
    package = manager.pack(path, "report")
    assert package.artifact is not None
    assert package.artifact.src_path == str(path)
    assert package.manifest["format"] == "csv"
    assert package.manifest["instructions"] == {"name": "report.csv"}
    registered = [p for packager in manager.packagers for p in packager.future_clearing_paths]
    assert str(path) not in registered
    manager.clear()
    assert path.read_text() == "a,b\n1,2\n" and path.stat().st_mtime_ns == stamp


def test_a_relative_path_is_recorded_absolute(
    manager: PackagersManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("n")
    package = manager.pack(Path("notes.txt"), "notes")
    assert package.artifact is not None and package.artifact.src_path == str(tmp_path / "notes.txt")


def test_a_stored_file_comes_back_under_its_own_name(
    manager: PackagersManager, tmp_path: Path
) -> None:
    """A store blob is named by its digest; the function gets a copy named as the original."""
    original = tmp_path / "data.tar.gz"
    original.write_bytes(b"archive bytes")
    package = manager.pack(original, "data")
    assert package.manifest["format"] == "tar.gz"
    blob = tmp_path / "blobs" / "ab12cd"
    blob.parent.mkdir()
    shutil.copyfile(original, blob)
    restored = manager.unpack(DataItem(blob, key="data", manifest=package.manifest), Path)
    assert restored.name == "data.tar.gz" and restored.read_bytes() == b"archive bytes"
    assert restored.parent != original.parent
    manager.clear()
    assert not restored.exists() and blob.exists() and original.exists()


@pytest.mark.parametrize("name", ["../../escaped.txt", "/tmp/escaped.txt", "..", "", 7])
def test_a_forged_name_is_refused(manager: PackagersManager, tmp_path: Path, name: object) -> None:
    path = tmp_path / "f.txt"
    path.write_text("f")
    package = manager.pack(path, "f")
    manifest = {**package.manifest, "instructions": {"name": name}}
    with pytest.raises(UnpackingError, match=r"f\.txt.*recorded name .* is not one file name"):
        manager.unpack(DataItem(path, key="f", manifest=manifest), Path)
    assert not (tmp_path.parent.parent / "escaped.txt").exists()


def test_a_path_result_is_its_text(manager: PackagersManager, tmp_path: Path) -> None:
    package = manager.pack(tmp_path / "anything", "where : result")
    assert package.value == str(tmp_path / "anything")


def test_missing_paths_are_an_error(manager: PackagersManager, tmp_path: Path) -> None:
    with pytest.raises(PackingError, match="does not exist"):
        manager.pack(tmp_path / "missing", "x")


def test_unknown_archive_formats_list_the_accepted_ones(
    manager: PackagersManager, tree: Path
) -> None:
    with pytest.raises(PackingError, match=r"'rar'.*zip, tar, tar\.gz, tar\.bz2, tar\.xz"):
        manager.pack(tree, 'x : path[archive_format="rar"]')


def test_archive_format_is_for_directories(manager: PackagersManager, tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("f")
    with pytest.raises(PackingError, match="archive_format applies to directories"):
        manager.pack(path, 'x : path[archive_format="zip"]')


@pytest.mark.parametrize("target", ["/etc", "../../outside", "{root}/sub"])
def test_links_leaving_the_directory_are_refused_when_packing(
    manager: PackagersManager, tmp_path: Path, target: str
) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "link").symlink_to(target.format(root=root))  # absolute: even inside
    with pytest.raises(PackingError, match=r"symlink 'sub/link'.*inside the directory"):
        manager.pack(root, "x")


def test_special_files_are_refused_when_packing(manager: PackagersManager, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    os.mkfifo(root / "pipe")
    with pytest.raises(PackingError, match=r"'pipe'.*special file"):
        manager.pack(root, "x")


@pytest.mark.parametrize("name", ["a\\b", "\\", "C:x"])
def test_names_extraction_would_change_are_refused(
    manager: PackagersManager, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    (root / ("sub" if name == "\\" else ".") / name).write_bytes(b"x")
    with pytest.raises(PackingError, match="rename it"):
        manager.pack(root, "tree")


def test_names_of_another_encoding_are_refused_as_zip_and_kept_by_tar(
    manager: PackagersManager, tmp_path: Path
) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / os.fsdecode(b"caf\xe9")).write_bytes(b"latin-1 name")
    with pytest.raises(PackingError, match="zip names are UTF-8.*archive_format='tar'"):
        manager.pack(root, "tree")
    hint = LogHint("tree", "path", packing_kwargs={"archive_format": "tar"})
    restored, _ = round_trip(manager, root, hint, Path)
    assert _listing(restored) == _listing(root)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """4 MiB of one repeated line, and a hard link to it: 8 MiB out of about 25 KB of archive."""
    root = tmp_path / "logs"
    root.mkdir()
    line = b"2026-12-06 INFO request served in 3 ms\n"
    (root / "app.log").write_bytes(line * ((4 << 20) // len(line)))
    os.link(root / "app.log", root / "copy.log")
    return root


def _packed_logs(manager: PackagersManager, logs: Path, fmt: str) -> DataItem:
    package = manager.pack(logs, LogHint("logs", "path", packing_kwargs={"archive_format": fmt}))
    assert package.artifact is not None and package.artifact.src_path is not None
    assert Path(package.artifact.src_path).stat().st_size * 200 < 8 << 20  # past the ratio
    return DataItem(package.artifact.src_path, key="logs", manifest=package.manifest)


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_a_directory_we_packed_extracts_up_to_its_recorded_size(
    manager: PackagersManager, logs: Path, small_floor: None, fmt: str
) -> None:
    """Hard links count as the copies extraction makes; the floor is lowered to 1 MiB."""
    item = _packed_logs(manager, logs, fmt)
    assert item.manifest is not None
    assert item.manifest["instructions"]["expanded_size"] == 2 * (logs / "app.log").stat().st_size
    restored = manager.unpack(item, Path)
    assert (restored / "copy.log").read_bytes() == (logs / "app.log").read_bytes()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("drop", "archive.max_ratio"),  # an artifact of an earlier version: as any archive
        ("lower", r"expands past the \d+ bytes its manifest records: damaged or forged"),
    ],
)
def test_a_directory_without_its_true_size_is_held_to_the_ratio_or_refused(
    manager: PackagersManager, logs: Path, small_floor: None, change: str, reason: str
) -> None:
    item = _packed_logs(manager, logs, "zip")
    assert item.manifest is not None
    instructions = item.manifest["instructions"]
    if change == "drop":
        del instructions["expanded_size"]
    else:
        instructions["expanded_size"] -= 1
    with pytest.raises(UnpackingError, match=rf"member '\w+\.log': .*{reason}"):
        manager.unpack(item, Path)


def test_the_size_limit_holds_for_a_directory_whatever_size_is_recorded(
    manager: PackagersManager, logs: Path
) -> None:
    item = _packed_logs(manager, logs, "tar.gz")
    assert item.manifest is not None
    recorded = item.manifest["instructions"]["expanded_size"]
    with (
        config.override(archive__max_size=recorded - 1),
        pytest.raises(UnpackingError, match=rf"records that it expands to {recorded} bytes"),
    ):
        manager.unpack(item, Path)
