"""The worker of the ``process`` executor: ``python -m packagers.runner._worker OUT < request``.

It reads the JSON request on stdin, applies the parent's settings, registers the parent's custom
packagers, runs the job in-process like the ``local`` executor (which saves the run record,
unless the request says ``"save": false`` because the parent completes it) and writes
``{"record": ...}`` to OUT (a file, because the user's function may print to stdout).
When the job cannot even be prepared here (the function or a custom packager does not import in
a fresh process), it writes ``{"error": ...}`` instead and the parent finishes the record.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from packagers._config import config
from packagers.plugins.collection import add_custom_packager, collect
from packagers.runner.handler import hint_from_json
from packagers.runner.local import execute
from packagers.runner.record import error_info
from packagers.runner.runner import prepare_job
from packagers.store import Store

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m packagers.runner._worker OUT < request.json", file=sys.stderr)
        return 2
    request = json.load(sys.stdin)
    sys.path[:0] = [entry for entry in request["sys_path"] if entry not in sys.path]
    with config.override(**request["config"]):
        reply = _run(request)
    with open(argv[0], "w", encoding="utf-8") as stream:
        json.dump(reply, stream)
    return 0


def _run(request: dict[str, Any]) -> dict[str, Any]:
    try:
        for entry in request["custom_packagers"]:
            # Mandatory: the parent packs with it, so a worker without it must not fall back.
            add_custom_packager(entry["name"], is_mandatory=True, priority=entry["priority"])
        collect()  # a custom packager that does not import here is reported before the run
        job = prepare_job(
            request["function"],
            request["inputs"],
            request["params"],
            None
            if request["returns"] is None
            else [hint_from_json(hint) for hint in request["returns"]],
            request["project"],
            Store(request["store"], storage_options=request["storage_options"]),
        )
    except Exception as error:
        return {"error": error_info(error)}
    job.run_id = request["run_id"]
    job.record_fields = request.get("record_fields", {})
    record = execute(job, request["executor"], announce=True, save=request.get("save", True))
    return {"record": record.to_dict()}


if __name__ == "__main__":
    sys.exit(main())
