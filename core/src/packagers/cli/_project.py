"""``packagers project run|show|validate URI``: MLproject-compatible projects from the shell."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Any

from packagers.cli._options import KeyValues, add_project_option, add_store_option, open_store
from packagers.cli._output import EXIT_OK, EXIT_PROBLEM, emit, print_error, print_fields

if TYPE_CHECKING:
    from packagers.projects import Project

__all__ = ["register"]

_EXAMPLES = """\
examples:
  packagers project run . -P alpha=0.5 -P data=train.csv
  packagers project run https://github.com/org/repo#sub/dir -e train --version v1.2
  packagers project show .
  packagers project validate . -e main -P alpha=0.5

-P values are text, converted to the parameter's declared type (float, int, bool, path...);
parameters the entry point does not declare are passed on as --name value.
"""


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "project",
        parents=[flags],
        help="run, show and validate MLproject projects",
        description="Run an entry point of a project (a directory or a git URL with an MLproject "
        "file), show its entry points, or check its file and parameters.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    run = actions.add_parser("run", parents=[flags], help="run an entry point and record it")
    _add_source(run)
    _add_entry(run)
    run.add_argument(
        "--env-manager",
        choices=("local", "venv"),
        default=None,
        help="local: this Python; venv: the project's environment, built once and cached "
        "(default: venv when the project declares an environment, else local)",
    )
    add_project_option(run, "the store project the run is recorded in (default: the setting)")
    add_store_option(run)
    run.add_argument(
        "--detach",
        action="store_true",
        help="print the run id and return at once; the run goes on in the background",
    )
    run.add_argument("--run-id", default=None, help=argparse.SUPPRESS)
    run.add_argument(
        "--workflow",
        action="store_true",
        help="run the project's workflow (its steps, reusing unchanged ones) instead of -e ENTRY",
    )
    run.add_argument(
        "--from", dest="from_step", metavar="STEP", help="run the workflow from this step on"
    )
    run.add_argument(
        "--until", dest="until_step", metavar="STEP", help="run the workflow up to this step"
    )
    run.set_defaults(handler=run_command)

    show = actions.add_parser(
        "show", parents=[flags], help="print the entry points, parameters and environment"
    )
    _add_source(show)
    show.set_defaults(handler=show_command)

    validate = actions.add_parser(
        "validate",
        parents=[flags],
        help="check the project file (and, with -e, an entry point's parameters)",
    )
    _add_source(validate)
    _add_entry(validate, default=None)
    add_store_option(validate)
    validate.set_defaults(handler=validate_command)


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("uri", metavar="URI", help="a project directory or a git URL (#subdir)")
    parser.add_argument(
        "--version", default=None, metavar="REV", help="a branch, tag or commit of a git source"
    )


def _add_entry(parser: argparse.ArgumentParser, default: str | None = "main") -> None:
    parser.add_argument(
        "-e",
        "--entry-point",
        default=default,
        metavar="ENTRY",
        help="the entry point, or a .py/.sh script of the project (default: main)",
    )
    parser.add_argument(
        "-P",
        "--param",
        dest="params",
        metavar="NAME=VALUE",
        default={},
        action=KeyValues,
        convert=str,
        help="a parameter (repeatable)",
    )


def run_command(args: argparse.Namespace) -> int:
    from packagers.projects import run

    if args.workflow or args.from_step or args.until_step:
        return _workflow(args)
    if args.detach:
        return _detach(args)
    # With --json, stdout holds the record only: the run's own output is echoed to stderr.
    echo = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with echo:
        handle = run(
            args.uri,
            args.entry_point,
            args.params,
            version=args.version,
            env_manager=args.env_manager,
            project=args.project,
            store=open_store(args, create=True),
            run_id=args.run_id,
        )
    record = handle.record
    emit(args, record.to_dict(), _render_run)
    if record.ok:
        return EXIT_OK
    error = record.error or {}
    print_error(
        f"project run {record.id} ended in state {record.state}"
        + (f": {error.get('message')}" if error else ""),
        error.get("traceback") if args.debug else None,
    )
    return EXIT_PROBLEM


def _workflow(args: argparse.Namespace) -> int:
    from packagers.cli._output import CommandError
    from packagers.projects.workflows import run_workflow

    if args.params or args.detach:
        raise CommandError(
            "--workflow runs the steps with the parameters its file gives them, in this "
            "process: drop -P and --detach"
        )
    record = run_workflow(
        args.uri,
        args.from_step,
        args.until_step,
        version=args.version,
        env_manager=args.env_manager,
        project=args.project,
        store=open_store(args, create=True),
    )
    emit(args, record.to_dict(), _render_workflow)
    if record.ok:
        return EXIT_OK
    print_error(
        f"workflow run {record.id} ended in state {record.state}: "
        + ((record.error or {}).get("message", ""))
    )
    return EXIT_PROBLEM


def _detach(args: argparse.Namespace) -> int:
    """Check everything and build the environment here, then run in a process of its own.

    Errors (a bad parameter, an environment that does not build) are reported here; the
    background process finds the environment cached and records the run under the id printed.
    """
    import subprocess
    from datetime import datetime, timezone

    from packagers.projects import load
    from packagers.projects.planning import plan_run, prepare_environment
    from packagers.runner.record import new_run_id

    project = load(args.uri, args.version)
    plan_run(
        project,
        args.entry_point,
        args.params,
        store_project=args.project,
        store=open_store(args, create=True),
    )
    prepare_environment(project, args.env_manager)
    run_id = new_run_id(datetime.now(timezone.utc))
    argv = [sys.executable, "-m", "packagers.cli", "project", "run", args.uri]
    argv += ["-e", args.entry_point, "--run-id", run_id]
    for name, value in args.params.items():
        argv += ["-P", f"{name}={value}"]
    for option in ("version", "env_manager", "project", "store"):
        if getattr(args, option) is not None:
            argv += [f"--{option.replace('_', '-')}", getattr(args, option)]
    subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    emit(args, {"run": run_id, "state": "started"}, print_fields)
    return EXIT_OK


def show_command(args: argparse.Namespace) -> int:
    from packagers.projects import load

    emit(args, _describe(load(args.uri, args.version)), _render_show)
    return EXIT_OK


def validate_command(args: argparse.Namespace) -> int:
    from packagers.projects import load
    from packagers.projects.planning import plan_run

    project = load(args.uri, args.version)
    checked: dict[str, Any] = {"project": project.name, "file": str(project.file or "none")}
    if args.entry_point is not None:
        plan = plan_run(project, args.entry_point, args.params, store=open_store(args, create=True))
        checked["entry point"] = plan.entry.name
        checked["params"] = plan.params
        checked["command"] = plan.command or plan.details.get("handler")
    checked["result"] = "ok"
    emit(args, checked, print_fields)
    return EXIT_OK


def _describe(project: Project) -> dict[str, Any]:
    environment = project.environment
    entry_points = {
        name: {
            "command": entry.command,
            "handler": entry.handler,
            "returns": list(entry.returns) if entry.returns is not None else None,
            "parameters": {
                parameter.name: {"type": parameter.type, "default": parameter.default}
                for parameter in entry.parameters.values()
            },
        }
        for name, entry in project.entry_points.items()
    }
    return {
        "name": project.name,
        "root": str(project.root),
        "file": str(project.file) if project.file else None,
        "uri": project.uri,
        "commit": project.commit,
        "environment": None
        if environment is None
        else {"kind": environment.kind, "path": str(environment.path or "")},
        "entry_points": entry_points,
        "scripts": project.scripts(),
    }


def _render_show(data: dict[str, Any]) -> None:
    environment = data["environment"]
    print_fields(
        {
            "project": data["name"],
            "directory": data["root"],
            "file": data["file"],
            "commit": data["commit"],
            "environment": f"{environment['kind']} {environment['path']}".strip()
            if environment
            else "none (runs in this Python)",
            "scripts": ", ".join(data["scripts"]),
        }
    )
    for name, entry in data["entry_points"].items():
        print(f"\nentry point {name}")
        fields: dict[str, Any] = {}
        if entry["command"] is not None:
            fields["command"] = entry["command"]
        else:
            fields["handler"] = entry["handler"]
            fields["returns"] = ", ".join(entry["returns"] or []) or "the function's @handler"
        fields["parameters"] = {
            pname: f"{p['type']}" + ("" if p["default"] is None else f" = {p['default']!r}")
            for pname, p in entry["parameters"].items()
        }
        print_fields(fields, indent=1)


def _render_workflow(record: dict[str, Any]) -> None:
    steps = record["project_run"]["workflow"]["steps"]
    print_fields(
        {"workflow run": record["id"], "project": record["project"], "state": record["state"]}
    )
    print_fields(
        {
            name: f"{step['state']} {step['run_id'] or ''}"
            + (f" (reused: {step['reused']})" if step.get("reused") else "")
            for name, step in steps.items()
        },
        indent=1,
    )


def _render_run(record: dict[str, Any]) -> None:
    details = record.get("project_run") or {}
    duration = record.get("duration")
    print_fields(
        {
            "run": record["id"],
            "entry point": details.get("entry_point"),
            "project": record["project"],
            "state": record["state"],
            "exit code": details.get("exit_code"),
            "signal": details.get("signal"),
            "duration": f"{duration:.2f} s" if duration is not None else None,
            "results": record["results"],
            "artifacts": {key: ref["uri"] for key, ref in record["artifacts"].items()},
        }
    )
