"""``packagers projects``: the projects of the store, with how many runs and artifacts each has."""

from __future__ import annotations

import argparse
from typing import Any

from packagers.cli._options import add_store_option, open_store
from packagers.cli._output import EXIT_OK, emit, print_table

__all__ = ["register"]


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "projects",
        parents=[flags],
        help="list the projects of the store (runs, artifacts, last run)",
        description="List the projects that have runs or artifacts in the store; `runs ls "
        "--project NAME` and `artifacts ls --project NAME` show one.",
    )
    add_store_option(parser)
    parser.set_defaults(handler=projects_command)


def projects_command(args: argparse.Namespace) -> int:
    summaries = open_store(args).index.project_summaries()
    emit(args, summaries, _render)
    return EXIT_OK


def _render(summaries: list[dict[str, Any]]) -> None:
    print_table(
        ["project", "runs", "artifacts", "versions", "last run"],
        [
            [
                row["project"],
                row["runs"],
                row["artifact_keys"],
                row["artifact_versions"],
                (row["last_run"] or "")[:19].replace("T", " ") or None,
            ]
            for row in summaries
        ],
        empty="no projects",
    )
