"""``packagers ui``: serve a read-only browser view of the store (needs ``packagers[ui]``)."""

from __future__ import annotations

import argparse
from typing import Any

from packagers.cli._options import add_store_option, open_store
from packagers.cli._output import EXIT_OK, CommandError

__all__ = ["register"]

#: What the ``ui`` extra installs.
_NEEDS = ("starlette", "uvicorn", "jinja2")


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "ui",
        parents=[flags],
        help="browse runs, artifacts, previews and lineage in a web browser",
        description="Serve a read-only web view of the store; prints the URL it serves.",
    )
    add_store_option(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to bind (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="the port to bind (0 picks a free one)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host header is NAME (behind a proxy); repeatable",
    )
    parser.set_defaults(handler=ui_command)


def ui_command(args: argparse.Namespace) -> int:
    import importlib.util

    missing = [name for name in _NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise CommandError(
            f"packagers ui needs the ui extra ({', '.join(missing)} missing): "
            "pip install 'packagers[ui]'"
        )
    from packagers.ui import serve

    serve(open_store(args), args.host, args.port, args.allow_host)
    return EXIT_OK
