"""``packagers runs ls|show``: the run records of the store."""

from __future__ import annotations

import argparse
from typing import Any

from packagers.cli._options import add_project_option, add_store_option, open_store
from packagers.cli._output import EXIT_OK, emit, print_fields, print_table

__all__ = ["register"]


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "runs",
        parents=[flags],
        help="list and show run records",
        description="Browse the run records of the store.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = actions.add_parser("ls", parents=[flags], help="list the runs of a project, newest first")
    add_project_option(ls, "only the runs of this project")
    ls.add_argument("--state", default=None, help="only the runs in this state (e.g. error)")
    add_store_option(ls)
    ls.set_defaults(handler=ls_command)

    show = actions.add_parser("show", parents=[flags], help="print one run record")
    show.add_argument("run_id", metavar="RUN_ID", help="the id `packagers run` printed")
    add_project_option(show, "the run's project (default: the project setting)")
    add_store_option(show)
    show.set_defaults(handler=show_command)


def ls_command(args: argparse.Namespace) -> int:
    """The runs as the store index lists them: no run record is read twice on a large store."""
    from packagers._config import config
    from packagers.store.index import RunQuery

    query = RunQuery(project=args.project or config.project, state=args.state, limit=-1)
    page = open_store(args).index.runs(query)
    emit(args, page.runs, lambda runs: _render_ls(runs, page.children))
    return EXIT_OK


def show_command(args: argparse.Namespace) -> int:
    emit(args, open_store(args).get_run(args.run_id, project=args.project), _render_show)
    return EXIT_OK


def _render_ls(runs: list[dict[str, Any]], children: dict[str, dict[str, int]]) -> None:
    """The table of runs; a parent (a map, a workflow) with its children's counts by state."""
    print_table(
        ["id", "name", "project", "state", "started", "duration", "outputs", "children"],
        [
            [
                run["id"],
                run.get("name"),
                run.get("project"),
                run.get("state"),
                _time(run.get("started")),
                _seconds(run.get("duration")),
                [*run.get("results", {}), *run.get("artifacts", {})],
                ", ".join(
                    f"{n} {state}" for state, n in sorted(children.get(run["id"], {}).items())
                )
                or None,
            ]
            for run in runs
        ],
        empty="no runs",
    )


def _render_show(run: dict[str, Any]) -> None:
    error = run.get("error") or {}
    print_fields(
        {
            "run": run["id"],
            "name": run.get("name"),
            "project": run.get("project"),
            "function": run.get("function"),
            "executor": run.get("executor"),
            "state": run.get("state"),
            "started": run.get("started"),
            "ended": run.get("ended"),
            "duration": _seconds(run.get("duration")),
            "params": run.get("params", {}),
            "inputs": {name: spec.get("uri") for name, spec in run.get("inputs", {}).items()},
            "results": run.get("results", {}),
            "artifacts": {key: ref.get("uri") for key, ref in run.get("artifacts", {}).items()},
            "error": f"{error.get('type')}: {error.get('message')}" if error else None,
            "traceback": error.get("traceback"),
        }
    )


def _seconds(duration: float | None) -> str | None:
    return f"{duration:.2f} s" if duration is not None else None


def _time(iso: str | None) -> str | None:
    """``2025-01-02 03:04:05`` from the record's ISO timestamp (UTC): a table needs no more."""
    return iso[:19].replace("T", " ") if iso else None
