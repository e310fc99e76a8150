"""``packagers runs ls|show|compare|rm``: find, read, compare and delete run records."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from packagers.cli._options import (
    KeyValues,
    add_confirm_options,
    add_project_option,
    add_store_option,
    confirm,
    open_store,
)
from packagers.cli._output import (
    EXIT_OK,
    EXIT_PROBLEM,
    CommandError,
    emit,
    format_result,
    print_fields,
    print_table,
)
from packagers.run_states import ACTIVE_STATES, FINAL_STATES

__all__ = ["register"]

_SINCE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "runs",
        parents=[flags],
        help="list, show, compare and delete run records",
        description="Browse the run records of the store.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = actions.add_parser(
        "ls",
        parents=[flags],
        help="list runs, newest first (the current project's, or --all-projects)",
    )
    add_project_option(ls, "only the runs of this project (default: the project setting)")
    ls.add_argument(
        "--all-projects", action="store_true", help="the runs of every project of the store"
    )
    ls.add_argument(
        "--state",
        default=None,
        choices=sorted(ACTIVE_STATES | FINAL_STATES),
        help="only the runs in this state",
    )
    ls.add_argument("--name", default=None, help="only the runs of this name")
    ls.add_argument(
        "-l",
        "--label",
        dest="labels",
        metavar="KEY=VALUE",
        default={},
        action=KeyValues,
        convert=str,
        help="only the runs with this label (repeatable: all must match)",
    )
    ls.add_argument(
        "--since",
        metavar="AGE",
        default=None,
        help="only the runs started within AGE (30m, 2h, 7d, 1w) or since an ISO date",
    )
    ls.add_argument("--limit", type=int, default=50, help="at most this many runs (default 50)")
    add_store_option(ls)
    ls.set_defaults(handler=ls_command)

    show = actions.add_parser("show", parents=[flags], help="print one run record")
    show.add_argument(
        "run_id", metavar="RUN_ID", help="the id `packagers run` printed, or a prefix"
    )
    add_project_option(show, "the run's project (default: any)")
    add_store_option(show)
    show.set_defaults(handler=show_command)

    compare = actions.add_parser(
        "compare",
        parents=[flags],
        help="params and results of runs side by side (only what differs, unless --all)",
    )
    compare.add_argument("run_ids", metavar="RUN_ID", nargs="+", help="two or more ids or prefixes")
    compare.add_argument("--all", action="store_true", help="also the values every run shares")
    add_store_option(compare)
    compare.set_defaults(handler=compare_command)

    rm = actions.add_parser(
        "rm",
        parents=[flags],
        help="delete a run record (the artifacts it logged are kept)",
    )
    rm.add_argument("run_id", metavar="RUN_ID", help="the id, or a unique prefix")
    rm.add_argument("--force", action="store_true", help="also delete a run still active")
    add_confirm_options(rm)
    add_store_option(rm)
    rm.set_defaults(handler=rm_command)


def _parse_since(text: str, now: datetime | None = None) -> str:
    """The ISO start time ``--since`` means: an age (``2h``, ``30m``, ``7d``) or a date."""
    now = now or datetime.now(timezone.utc)
    match = _SINCE.fullmatch(text.strip())
    if match:
        return (now - timedelta(**{_UNITS[match[2]]: float(match[1])})).isoformat()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--since {text!r}: expected an age such as 30m, 2h, 7d, 1w, or an ISO date "
            "(2025-01-31, 2025-01-31T12:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # records are in UTC
    return moment.astimezone(timezone.utc).isoformat()


def ls_command(args: argparse.Namespace) -> int:
    """The runs as the store index lists them: no run record is read twice on a large store."""
    from packagers._config import config
    from packagers.store.index import RunQuery

    if args.all_projects and args.project:
        raise CommandError("give --project or --all-projects, not both")
    if args.limit < 1:
        raise CommandError(f"--limit must be 1 or more, not {args.limit}")
    query = RunQuery(
        project=None if args.all_projects else args.project or config.project,
        state=args.state,
        name=args.name,
        labels=args.labels,
        since=None if args.since is None else _parse_since(args.since),
        limit=args.limit,
    )
    page = open_store(args).index.runs(query)
    emit(args, page.runs, lambda runs: _render_ls(runs, page.children, page.total))
    return EXIT_OK


def show_command(args: argparse.Namespace) -> int:
    emit(args, open_store(args).find_run(args.run_id, args.project), _render_show)
    return EXIT_OK


def compare_command(args: argparse.Namespace) -> int:
    if len(args.run_ids) < 2:
        raise CommandError("compare needs two or more runs")
    store = open_store(args)
    runs = [store.find_run(run_id) for run_id in args.run_ids]
    data = {
        "runs": [run["id"] for run in runs],
        "params": _side_by_side(runs, "params", args.all),
        "results": _side_by_side(runs, "results", args.all),
    }
    emit(args, data, lambda compared: _render_compare(compared, runs, args.all))
    return EXIT_OK


def rm_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    record = store.find_run(args.run_id)
    what = f"run {record['id']} ({record.get('name')}, {record.get('state')})"
    if not confirm(args, f"delete {what}"):
        print("nothing deleted")
        return EXIT_PROBLEM
    store.delete_run(record["id"], record.get("project"), force=args.force)
    emit(
        args,
        {"deleted": record["id"], "project": record.get("project")},
        lambda _: print(f"deleted {what}; the artifacts it logged are kept"),
    )
    return EXIT_OK


def _side_by_side(
    runs: list[dict[str, Any]], section: str, everything: bool
) -> dict[str, list[Any]]:
    """Name -> the value in each run (None where a run has none), only differing ones unless
    ``everything``."""
    names: dict[str, None] = {}
    for run in runs:
        names.update(dict.fromkeys(run.get(section) or {}))
    table = {name: [(run.get(section) or {}).get(name) for run in runs] for name in names}
    if everything:
        return table
    return {name: values for name, values in table.items() if any(v != values[0] for v in values)}


def _render_compare(data: dict[str, Any], runs: list[dict[str, Any]], everything: bool) -> None:
    rows = [
        [f"{section[:-1]}: {name}", *values]
        for section in ("params", "results")
        for name, values in data[section].items()
    ]
    what = "values" if everything else "differing values"
    print_table(["", *(_short(run) for run in runs)], rows, empty=f"no {what}")


def _short(run: dict[str, Any]) -> str:
    return f"{run.get('name')} {run['id'][-8:]}"


def _render_ls(runs: list[dict[str, Any]], children: dict[str, dict[str, int]], total: int) -> None:
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
        keep="id",
    )
    if total > len(runs):
        print(f"({len(runs)} of {total} runs; --limit shows more)")


def _render_show(run: dict[str, Any]) -> None:
    error = run.get("error") or {}
    print_fields(
        {
            "run": run["id"],
            "name": run.get("name"),
            "project": run.get("project"),
            "function": run.get("function"),
            "executor": run.get("executor"),
            "worker": run.get("worker"),
            "state": run.get("state"),
            "labels": run.get("labels") or None,
            "started": run.get("started"),
            "ended": run.get("ended"),
            "duration": _seconds(run.get("duration")),
            "timings": {phase: _seconds(t) for phase, t in (run.get("timings") or {}).items()},
            "python": run.get("python_version"),
            "plugins": run.get("plugins") or {},
            "parent": run.get("parent_id"),
            "params": run.get("params", {}),
            "inputs": {name: spec.get("uri") for name, spec in run.get("inputs", {}).items()},
            "results": {k: format_result(v) for k, v in run.get("results", {}).items()},
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
