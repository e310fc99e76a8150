"""``packagers run TARGET``: run a function from the shell with inputs, params and log hints."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from packagers.cli._options import KeyValues, add_project_option, add_store_option, open_store
from packagers.cli._output import (
    EXIT_OK,
    EXIT_PROBLEM,
    emit,
    print_error,
    print_fields,
    progress_for,
)

if TYPE_CHECKING:
    pass

__all__ = ["parse_param", "register"]

_EXAMPLES = """\
examples:
  packagers run train.py:train -i data=store://raw-data -p epochs=10 -r accuracy -r "model : model"
  packagers run mypackage.steps:clean -i raw=data.csv -r 'cleaned : dataset[format="parquet"]'

A param value is parsed as JSON when it parses (10, 0.5, true, null, [1, 2], {"a": 1}, "quoted")
and kept as a string otherwise (-p name=alice). The current directory is importable, as with
`python -m`.
"""


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "run",
        parents=[flags],
        help="run a function and log what it returns",
        description="Run a type-hinted function: inputs are unpacked as its hints ask, what it "
        "returns is logged under the log hints.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target", metavar="TARGET", help="module:function or path/to/script.py:function"
    )
    parser.add_argument(
        "-i",
        "--input",
        dest="inputs",
        metavar="KEY=URI",
        default={},
        action=KeyValues,
        convert=str,
        help="an input: a store URI, a local path or an fsspec URL (repeatable)",
    )
    parser.add_argument(
        "-p",
        "--param",
        dest="params",
        metavar="KEY=VALUE",
        default={},
        action=KeyValues,
        convert=parse_param,
        help="a parameter, JSON when it parses, else a string (repeatable)",
    )
    parser.add_argument(
        "-r",
        "--returns",
        dest="returns",
        metavar="HINT",
        action="append",
        default=None,
        help="a log hint for the next returned value, e.g. 'data : dataset[format=\"csv\"]' "
        "(repeatable; default: the function's @handler hints)",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "process"),
        default="local",
        help="local: in this process (default); process: in a fresh Python process",
    )
    add_project_option(parser, "the project to log into (default: the project setting)")
    add_store_option(parser)
    parser.set_defaults(handler=run_command)


def parse_param(text: str) -> Any:
    """A param from the shell: JSON when it parses (``10``, ``true``, ``[1, 2]``), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def run_command(args: argparse.Namespace) -> int:
    from packagers.runner import run

    record = run(
        args.target,
        inputs=args.inputs,
        params=args.params,
        returns=args.returns,
        project=args.project,
        store=open_store(args, create=True),
        executor=args.executor,
        progress=progress_for(args),
    )
    data = record.to_dict()
    emit(args, data, _render)
    if record.ok:
        return EXIT_OK
    error = record.error or {}
    print_error(
        f"run {record.id} ended in state {record.state}: "
        f"{error.get('type', 'Error')}: {error.get('message', '')}",
        error.get("traceback") if args.debug else None,
    )
    return EXIT_PROBLEM


def _render(record: dict[str, Any]) -> None:
    duration = record.get("duration")
    print_fields(
        {
            "run": record["id"],
            "function": record.get("function"),
            "project": record["project"],
            "state": record["state"],
            "duration": f"{duration:.2f} s" if duration is not None else None,
            "results": record["results"],
            "artifacts": {key: ref["uri"] for key, ref in record["artifacts"].items()},
        }
    )
