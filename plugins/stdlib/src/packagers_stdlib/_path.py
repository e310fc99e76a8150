"""``path`` artifacts: a file logged as it is, a directory as an archive; and ``pathlib.Path``.

Packing never copies, moves or deletes a user's file: the artifact's source is the file itself
(not registered for clearing). A directory is archived into a temporary file. Unpacking a
directory extracts it, safely, into a fresh temporary directory per unpack, which lives until the
run ends; a file comes back under its original name.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, ClassVar

from packagers import Artifact, DefaultPackager, PackingError, UnpackingError
from packagers_stdlib._archive import ARCHIVE_FORMATS, DEFAULT_ARCHIVE_FORMAT, make_archive
from packagers_stdlib._extraction import extract_archive
from packagers_stdlib._preview import file_preview

if TYPE_CHECKING:
    from packagers import DataItem

__all__ = ["PathArtifacts", "PathPackager"]


class PathArtifacts(DefaultPackager):
    """``pack_path`` / ``unpack_path`` for packagers whose objects name a file or a directory."""

    #: What ``unpack_path`` returns for a local path: ``pathlib.Path`` or ``str``.
    PATH_TYPE: ClassVar[type[Any]]

    def pack_path(
        self, obj: str | os.PathLike[str], key: str, archive_format: str | None = None
    ) -> tuple[Artifact, dict[str, Any]]:
        path = os.path.abspath(os.fspath(obj))
        name = os.path.basename(path) or key
        if os.path.isdir(path):
            fmt = ARCHIVE_FORMATS.get(archive_format or DEFAULT_ARCHIVE_FORMAT, key=key)
            archive = self.temp_path(key, fmt.suffix)
            entries, expanded_size = make_archive(path, archive, fmt)
            artifact = Artifact(key, archive, format=fmt.name, name=name, entries=entries)
            return artifact, {
                "is_directory": True,
                "archive_format": fmt.name,
                "name": name,
                "expanded_size": expanded_size,
            }
        if not os.path.exists(path):
            raise PackingError(f"cannot log {key!r} as a path: {path!r} does not exist")
        if not os.path.isfile(path):
            raise PackingError(
                f"cannot log {key!r} as a path: {path!r} is neither a regular file nor a directory"
            )
        if archive_format is not None:
            raise PackingError(
                f"archive_format applies to directories; {path!r} ({key!r}) is a file and is "
                "stored as it is"
            )
        return Artifact(key, path, format=_full_suffix(name)[1:] or None, name=name), {"name": name}

    def preview(self, obj: Any, artifact_type: str) -> dict[str, Any] | None:
        """The named file's text when it is small text (a directory has none)."""
        return file_preview(obj) if artifact_type == "path" else None

    def unpack_path(
        self,
        data_item: DataItem,
        is_directory: bool = False,
        archive_format: str | None = None,
        name: str | None = None,
        expanded_size: int | None = None,
    ) -> Any:
        if name is not None and not _is_plain_name(name):
            where = getattr(data_item, "uri", data_item.url)
            raise UnpackingError(
                f"{where}: its recorded name {name!r} is not one file name; refusing to use it "
                "as a path (the manifest was changed from outside)"
            )
        local = data_item.local()
        name = name or data_item.key or "item"
        if is_directory:
            fmt = ARCHIVE_FORMATS.get(archive_format) if archive_format else None
            target = os.path.join(self._fresh_directory(), name)
            extract_archive(local, target, fmt, expanded_size=expanded_size)
            return self.PATH_TYPE(target)
        if os.path.basename(local) != name:  # a store blob is named by its digest
            copy = os.path.join(self._fresh_directory(), name)
            shutil.copyfile(local, copy)
            local = copy
        return self.PATH_TYPE(local)

    def _fresh_directory(self) -> str:
        """A new directory that lives until the run ends: the user's function works in it."""
        directory = tempfile.mkdtemp(prefix="packagers-path-")
        self.add_future_clearing_path(directory)
        return directory


class PathPackager(PathArtifacts):
    """``pathlib.Path`` (and its concrete subclasses): a ``path`` artifact, unpacked as ``Path``."""

    PACKABLE_OBJECT_TYPE = pathlib.Path
    PACK_SUBCLASSES = True
    DEFAULT_PACKING_ARTIFACT_TYPE = "path"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "path"
    PATH_TYPE = pathlib.Path

    def pack_result(self, obj: pathlib.Path, key: str) -> dict[str, Any]:
        """The path's text: a result names a path, it does not store the file."""
        return {key: os.fspath(obj)}

    def unpack_result(self, data_item: DataItem) -> pathlib.Path:
        """The path a result named, as a path again (a result holds no file content)."""
        return self.PATH_TYPE(str((data_item.manifest or {}).get("value")))


def _full_suffix(name: str) -> str:
    """``.tar.gz`` for ``data.tar.gz``, as :class:`~packagers.DataItem` reads suffixes."""
    stem, dot, extensions = name.lstrip(".").partition(".")
    return dot + extensions if stem else ""


def _is_plain_name(name: object) -> bool:
    """A recorded name is data from a manifest: it is used only when it is one path component."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and not any(char in name for char in "/\\\x00")
    )
