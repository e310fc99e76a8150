"""The output of a project run's process: each stream copied to a temporary file as it comes
(and echoed to this terminal when asked), then stored as the run's ``stdout`` and ``stderr``
artifacts."""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
import threading
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packagers.runner.record import RunRecord
    from packagers.store import Store

__all__ = ["STREAMS", "Capture", "log_streams", "temp_file"]

#: The streams every project run stores, by artifact key.
STREAMS = ("stdout", "stderr")
#: How many bytes of a stream are kept to quote its last line in an error.
_TAIL = 500


class Capture:
    """One output stream of the process: copied to a temporary file, and echoed when asked."""

    def __init__(self, key: str, terminal: IO[str], echo: bool) -> None:
        self.key = key
        self.path = temp_file(key, ".txt")
        self.file = open(self.path, "wb")  # noqa: SIM115 - closed when the stream ends
        self.terminal = terminal if echo else None
        self.thread: threading.Thread | None = None
        self.tail = b""

    def follow(self, pipe: IO[bytes]) -> None:
        self.thread = threading.Thread(target=self._copy, args=(pipe,), daemon=True)
        self.thread.start()

    def _copy(self, pipe: IO[bytes]) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while chunk := os.read(pipe.fileno(), 65536):
                self.file.write(chunk)
                self.tail = (self.tail + chunk)[-_TAIL:]
                if self.terminal is not None:
                    with contextlib.suppress(ValueError, OSError):
                        self.terminal.write(decoder.decode(chunk))
                        self.terminal.flush()
        finally:
            pipe.close()
            self.close()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()

    def close(self) -> None:
        self.file.close()

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)

    def last_line(self) -> str:
        lines = self.tail.decode("utf-8", errors="replace").strip().splitlines()
        return lines[-1] if lines else ""


def log_streams(store: Store, record: RunRecord, streams: dict[str, Capture]) -> dict[str, Any]:
    """Store the captured output as the run's ``stdout`` and ``stderr`` text files."""
    from packagers.artifacts import Artifact, ArtifactType
    from packagers.log_hint import LogHint
    from packagers.manifest import MANIFEST_SCHEMA, Manifest
    from packagers.package import Package

    packages = []
    for key, capture in streams.items():
        artifact = Artifact(key, capture.path, format="txt")
        manifest: Manifest = {
            "schema": MANIFEST_SCHEMA,
            "key": key,
            "artifact_type": ArtifactType.FILE,
            "object_type": None,
            "packager": None,
            "plugin": None,
            "distribution": None,
            "distribution_version": None,
            "python_version": record.python_version,
            "tag": "",
            **artifact.to_dict(),  # type: ignore[typeddict-item]  # format, kind, spec
            "instructions": {},
            "metrics": {},
            "size": os.path.getsize(capture.path),
        }
        packages.append(
            Package(
                key=key, hint=LogHint(key=key), manifest=manifest, artifact=artifact, temporary=True
            )
        )
    return store.log_packages(packages, project=record.project, run_id=record.id)


def temp_file(what: str, suffix: str) -> str:
    descriptor, path = tempfile.mkstemp(prefix=f"packagers-{what}-", suffix=suffix)
    os.close(descriptor)
    return path
