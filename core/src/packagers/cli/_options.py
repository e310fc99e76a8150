"""Options several commands share, defined once so they read and behave the same everywhere."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packagers.store import Store

__all__ = [
    "FLAGS",
    "KeyValues",
    "add_confirm_options",
    "add_project_option",
    "add_store_option",
    "common_flags",
    "confirm",
    "open_store",
]

#: The flags every command takes, before or after its name; False unless given.
FLAGS = ("json", "debug", "progress", "wide")


def common_flags() -> argparse.ArgumentParser:
    """A parent parser with ``--json``, ``--debug``, ``--progress`` and ``--wide``.

    It is a parent of the top-level parser and of every command, so ``packagers --json plugins``
    and ``packagers plugins --json`` both work; ``SUPPRESS`` keeps a command's parser from
    resetting a flag given before the command name.
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON document on stdout, for scripts",
    )
    parent.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print the full traceback of an error",
    )
    parent.add_argument(
        "--progress",
        action="store_true",
        default=argparse.SUPPRESS,
        help="draw progress bars on stderr even when it is not a terminal",
    )
    parent.add_argument(
        "--wide",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tables in full instead of fitting them to the terminal's width",
    )
    return parent


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        default=None,
        help="the artifact store: a local directory or an fsspec URL (default: the store.url "
        "setting, MLRUN_PACKAGERS__STORE__URL)",
    )


def add_project_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--project", metavar="NAME", default=None, help=what)


def add_confirm_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-y", "--yes", action="store_true", help="do not ask for confirmation (scripts, CI)"
    )


def confirm(args: argparse.Namespace, question: str) -> bool:
    """Whether to go on: ``--yes``, or the user's answer to ``question? [y/N]`` on a terminal.

    Without a terminal to ask on (CI, a pipe) and without ``--yes`` it is an error, never a
    silent yes or a prompt that blocks forever.
    """
    import sys

    from packagers.cli._output import CommandError

    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise CommandError(f"{question} needs confirmation and stdin is not a terminal; pass --yes")
    answer = input(f"{question}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store ``--store`` names, or the configured one.

    Only commands that write (``run``) ``create`` it: for the others a path that holds no store
    is an error (exit 3) naming the stores nearby, not an empty listing.
    """
    from packagers.store import get_store

    store = get_store(args.store)
    return store if create else store.require_existing()


class KeyValues(argparse.Action):
    """Collects repeated ``KEY=VALUE`` options into one dict; a repeated key is a usage error."""

    def __init__(self, *args: Any, convert: Callable[[str], Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.convert = convert

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        key, sep, value = str(values).partition("=")
        key = key.strip()
        if not sep or not key:
            parser.error(f"{option_string} expects KEY=VALUE, got {values!r}")
        collected = dict(getattr(namespace, self.dest))  # never mutate the shared default
        if key in collected:
            parser.error(f"{option_string}: {key!r} is given twice")
        collected[key] = self.convert(value)
        setattr(namespace, self.dest, collected)
