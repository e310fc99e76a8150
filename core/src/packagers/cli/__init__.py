"""The ``packagers`` command: run functions and projects, inspect plugins, browse the store.

Exit codes mean something so scripts can branch on them: 0 ok; 1 the command worked and found a
problem (a failed run, a broken store); 2 bad usage; 3 an error, a packagers one or any other
(one ``error:`` line, the traceback with ``--debug``); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from packagers.cli import (
    _artifacts,
    _explain,
    _plugins,
    _project,
    _projects,
    _run,
    _runs,
    _store,
    _ui,
)
from packagers.cli._options import FLAGS, common_flags
from packagers.cli._output import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    print_exception,
    set_wide,
    show_warnings,
)

__all__ = ["build_parser", "main"]

_EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `packagers ... | head`

_COMMANDS = (_run, _project, _plugins, _explain, _artifacts, _runs, _projects, _store, _ui)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each command module adds its own sub-parsers."""
    flags = common_flags()
    parser = argparse.ArgumentParser(
        prog="packagers",
        description="Run type-hinted functions and inspect packagers, artifacts and runs.",
        epilog="exit codes: 0 ok, 1 problem found or run failed, 2 usage error, "
        "3 error, 130 interrupted",
        parents=[flags],
    )
    parser.add_argument(
        "--version",
        action=_Version,
        help="show the versions of packagers, its installed plugins and Python, and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMANDS:
        module.register(commands, flags)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (the console script exits with it)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else 0
    except BrokenPipeError:  # `packagers --version | head -1`
        return _reader_gone()
    for flag in FLAGS:
        if not hasattr(args, flag):
            setattr(args, flag, False)
    set_wide(args.wide)
    try:
        with show_warnings(), _cwd_importable():
            return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()
    except Exception as error:  # a PackagersError, or a storage library's error, an OSError...
        print_exception(error, debug=args.debug)
        return EXIT_ERROR


def _reader_gone() -> int:
    """The reader of stdout went away: stop quietly, and keep Python from complaining at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return _EXIT_BROKEN_PIPE


class _Version(argparse.Action):
    """``packagers X``, then each installed plugin distribution and Python, one per line.

    argparse's own version action rewraps its text into one paragraph; this prints the lines as
    they are. Versions come from the entry points' metadata: no plugin is imported to list them.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        import importlib.metadata
        import platform

        from packagers import __version__
        from packagers.plugins import ENTRY_POINT_GROUP

        plugins = {
            (entry_point.dist.name, entry_point.dist.version)
            for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
            if entry_point.dist is not None and entry_point.dist.name != "packagers"
        }
        lines = [
            f"packagers {__version__}",
            *(f"{name} {version}" for name, version in sorted(plugins)),
        ]
        lines.append(f"Python {platform.python_version()} ({sys.executable})")
        print("\n".join(lines))
        parser.exit()


@contextlib.contextmanager
def _cwd_importable() -> Iterator[None]:
    """Modules in the current directory are importable during the command, as with ``python -m``.

    ``run steps:clean`` and ``explain steps.Summary`` name the user's own modules; the console
    script's ``sys.path`` starts at its own directory, not the user's.
    """
    cwd = os.getcwd()
    if cwd in sys.path:
        yield
        return
    sys.path.insert(0, cwd)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(cwd)
