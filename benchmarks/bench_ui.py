"""UI cases: the runs and artifacts pages of a large store, served from the index, against
listing the store's files.

The store holds 10,000 runs and 50,000 artifact versions (five outputs a run). ``ours`` is one
HTTP request for ``/runs`` or ``/artifacts`` (the first page, newest first) to ``packagers ui``
on this machine, the index already built and the store unchanged, as when a person clicks around;
the target is an absolute 100 ms. ``raw`` is what a listing without an index costs:
``Store.list_runs``, which reads every run record, and ``Store.list_artifacts``, which lists
every manifest to find each key's newest.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import shutil
import tempfile
import threading
import time
from typing import Any

from benchmarks.harness import Case

_RUNS = 10_000
_OUTPUTS = ("model", "metrics", "data", "plot", "table")


def _fill(root: str, runs: int) -> None:
    """Runs through ``Store.save_run``; manifests written in the store's layout directly (fast)."""
    from packagers.store import Store

    store = Store(root)
    for number in range(runs):
        clock = f"{number // 3600 % 24:02d}{number // 60 % 60:02d}{number % 60:02d}"
        run_id = f"20250101T{clock}{number:06d}Z-{number:08x}"
        artifacts = {}
        for key in _OUTPUTS:
            version = f"{run_id[:21]}Z-{number:06x}"
            uri = f"store://bench/{key}@{version}"
            manifest = {
                "schema": 1,
                "key": key,
                "artifact_type": "file",
                "packager": "bench",
                "format": "json",
                "size": 100 + number,
                "project": "bench",
                "version": version,
                "uri": uri,
                "run_id": run_id,
                "created": "2025-01-01T00:00:00+00:00",
            }
            directory = os.path.join(root, "artifacts", "bench", key, "versions")
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, f"{version}.json"), "w") as stream:
                json.dump(manifest, stream)
            artifacts[key] = {
                "uri": uri,
                "project": "bench",
                "key": key,
                "version": version,
                "manifest": manifest,
            }
        store.save_run(
            {
                "id": run_id,
                "name": "train",
                "project": "bench",
                "state": "completed",
                "function": "steps:train",
                "executor": "local",
                "params": {"lr": number / runs, "depth": number % 7},
                "results": {"accuracy": 1 - number / runs / 2},
                "inputs": {"data": {"uri": f"store://bench/data@{run_id[:21]}Z-000000"}},
                "artifacts": artifacts,
                "started": f"2025-01-01T00:00:00.{number:06d}+00:00",
                "duration": 0.01,
                "schema": 1,
            }
        )


def _setup() -> dict[str, Any]:
    import uvicorn

    from packagers.store import Store
    from packagers.ui.app import create_app
    from packagers.ui.server import bind

    base = tempfile.mkdtemp(prefix="bench-ui-")
    atexit.register(shutil.rmtree, base, True)
    root = os.path.join(base, "store")
    _fill(root, _RUNS)
    store = Store(root)
    counts = store.reindex()
    assert counts == {"runs": _RUNS, "artifact_versions": _RUNS * len(_OUTPUTS)}, counts
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(store), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    time.sleep(1.1)  # past the index's settling time: the store is at rest, as when browsing
    return {"store": store, "port": sock.getsockname()[1]}


def _get(state: dict[str, Any], path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", state["port"], timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, response.status
    return body


def _runs_page(state: dict[str, Any]) -> None:
    assert _get(state, "/runs?project=bench").count(b'name="runs"') == 50


def _list_every_record(state: dict[str, Any]) -> None:
    assert len(state["store"].list_runs("bench")) == _RUNS


def _artifacts_page(state: dict[str, Any]) -> None:
    assert _get(state, "/artifacts?project=bench").count(b'href="/artifact?uri=') == len(_OUTPUTS)


def _list_every_manifest(state: dict[str, Any]) -> None:
    assert len(state["store"].list_artifacts("bench")) == len(_OUTPUTS)


def cases(quick: bool) -> list[Case]:
    return [
        Case(
            name="ui: runs page, 10k runs and 50k versions",
            setup=_setup,
            ours=_runs_page,
            raw=_list_every_record,
            repeat=5 if quick else 20,
            max_seconds=0.1,
        ),
        Case(
            name="ui: artifacts page, 50k versions",
            setup=_setup,
            ours=_artifacts_page,
            raw=_list_every_manifest,
            repeat=5 if quick else 20,
            max_seconds=0.1,
        ),
    ]
