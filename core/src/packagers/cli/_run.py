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
    format_result,
    print_error,
    print_fields,
    transfer_bars,
)
from packagers.runner.errors import RunArgumentError

if TYPE_CHECKING:
    from packagers.runner import RunRecord

__all__ = ["parse_param", "register"]

_EXAMPLES = """\
examples:
  packagers run train.py:train -i data=store://raw-data -p epochs=10 -r accuracy -r "model : model"
  packagers run mypackage.steps:clean -i raw=data.csv -r 'cleaned : dataset[format="parquet"]'

A param value is converted by its parameter's type hint: int, float, bool (true/false, yes/no,
1/0), JSON for lists and dicts, str kept as given; a param without a hint is JSON when it parses
(10, [1, 2]) and a string otherwise. A value that does not convert is refused (exit 3) before
the function runs. The current directory is importable, as with `python -m`.
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
        convert=str,
        help="a parameter, converted by its type hint (repeatable)",
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
    add_identity_options(parser)
    add_executor_options(parser)
    add_project_option(parser, "the project to log into (default: the project setting)")
    add_store_option(parser)
    parser.set_defaults(handler=run_command)

    mapper = commands.add_parser(
        "map",
        parents=[flags],
        help="run a function over a grid of parameters, as a parent run with child runs",
        description="Run a function once per combination of the --over values (a grid); the "
        "parent run counts its children by state and logs a status table.",
        epilog="example:\n  packagers map train.py:train -o lr=[0.1,0.01] -o depth=[3,5] "
        "-r accuracy --best max:accuracy --executor dask",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mapper.add_argument(
        "target", metavar="TARGET", help="module:function or path/to/script.py:function"
    )
    mapper.add_argument(
        "-o",
        "--over",
        dest="over",
        metavar="KEY=[V1,V2,...]",
        default={},
        action=KeyValues,
        convert=parse_param,
        help="the values of one parameter to sweep, a JSON list (repeatable: a grid)",
    )
    for option in ("inputs", "params", "returns", "name", "labels"):
        mapper._add_action(next(a for a in parser._actions if a.dest == option))
    mapper.add_argument("--max-in-flight", type=int, default=None, help="runs at once")
    mapper.add_argument(
        "--max-errors", type=int, default=None, help="stop starting runs after this many failed"
    )
    mapper.add_argument("--best", default=None, help="max:RESULT or min:RESULT names the best")
    mapper.add_argument(
        "--resume", action="store_true", help="skip the items with a completed run already"
    )
    add_executor_options(mapper)
    add_project_option(mapper, "the project to log into (default: the project setting)")
    add_store_option(mapper)
    mapper.set_defaults(handler=map_command)


def add_identity_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--name", default=None, help="the run's name (default: the function's name)"
    )
    parser.add_argument(
        "-l",
        "--label",
        dest="labels",
        metavar="KEY=VALUE",
        default={},
        action=KeyValues,
        convert=str,
        help="a label to find the run by, e.g. -l team=vision (repeatable)",
    )


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    from packagers.runner import executor_names

    parser.add_argument(
        "--executor",
        choices=executor_names(),
        default="local",
        help="local: in this process (default); process: in a fresh Python process; dask: on "
        "a Dask cluster (packagers[dask])",
    )
    parser.add_argument(
        "--address",
        default=None,
        help="the Dask scheduler (tcp://host:8786) for --executor dask (default: the "
        "dask.address setting, else a local cluster)",
    )
    parser.add_argument(
        "--retries", type=int, default=0, help="tries again after a lost worker or store error"
    )
    parser.add_argument("--timeout", type=float, default=None, help="seconds before giving up")


def _executor_options(args: argparse.Namespace) -> dict[str, Any]:
    if args.address is None:
        return {}
    if args.executor != "dask":
        raise RunArgumentError("--address goes with --executor dask")
    return {"address": args.address}


def parse_param(text: str) -> Any:
    """A param from the shell: JSON when it parses (``10``, ``true``, ``[1, 2]``), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _typed_params(target: str, texts: dict[str, str]) -> dict[str, Any]:
    """The ``-p`` texts converted by the hints of the function ``target`` names."""
    if not texts:
        return {}
    from packagers.runner.checks import params_from_text
    from packagers.runner.functions import canonical_reference, function_info, load_function

    return params_from_text(function_info(load_function(canonical_reference(target))), texts)


def run_command(args: argparse.Namespace) -> int:
    from packagers.runner import run

    with transfer_bars(args) as progress:
        record = run(
            args.target,
            inputs=args.inputs,
            params=_typed_params(args.target, args.params),
            returns=args.returns,
            project=args.project,
            store=open_store(args, create=True),
            executor=args.executor,
            executor_options=_executor_options(args),
            retries=args.retries,
            timeout=args.timeout,
            progress=progress,
            name=args.name,
            labels=args.labels,
        )
    data = record.to_dict()
    emit(args, data, _render)
    return _exit_code(args, record)


def map_command(args: argparse.Namespace) -> int:
    from packagers.runner import map

    if not args.over:
        raise RunArgumentError("map needs at least one --over KEY=[V1,V2,...]")
    parent = map(
        args.target,
        over=args.over,
        inputs=args.inputs,
        params=_typed_params(args.target, args.params),
        returns=args.returns,
        project=args.project,
        store=open_store(args, create=True),
        executor=args.executor,
        executor_options=_executor_options(args),
        retries=args.retries,
        timeout=args.timeout,
        name=args.name,
        labels=args.labels,
        max_in_flight=args.max_in_flight,
        max_errors=args.max_errors,
        best=args.best,
        resume=args.resume,
    )
    emit(args, parent.to_dict(), _render)
    return _exit_code(args, parent)


def _exit_code(args: argparse.Namespace, record: RunRecord) -> int:
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
            "name": record.get("name"),
            "function": record.get("function"),
            "project": record["project"],
            "state": record["state"],
            "duration": f"{duration:.2f} s" if duration is not None else None,
            "labels": record.get("labels") or None,
            "results": {key: format_result(value) for key, value in record["results"].items()},
            "artifacts": {key: ref["uri"] for key, ref in record["artifacts"].items()},
        }
    )
