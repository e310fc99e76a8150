"""Everything the commands print, written once: tables, fields, JSON, progress bars and errors.

Commands build plain data (dicts, lists) and hand it here, so ``--json`` always prints exactly
the data the human-readable form was made from, and every command looks the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from packagers._errors import PackagersError

if TYPE_CHECKING:
    import argparse

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEM",
    "PROGRESS_THRESHOLD",
    "CommandError",
    "Progress",
    "emit",
    "format_result",
    "format_size",
    "print_error",
    "print_exception",
    "print_fields",
    "print_json",
    "print_table",
    "progress_for",
    "set_wide",
    "show_warnings",
]

#: Exit codes: done; done and found a problem (a failed run, lost data); a PackagersError;
#: interrupted. Usage errors exit 2, argparse's own code.
EXIT_OK, EXIT_PROBLEM, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 3, 130
#: Transfers smaller than this finish before a bar would be worth drawing.
PROGRESS_THRESHOLD = 4 * 1024 * 1024
_MISSING = "-"
_INDENT = "  "
#: The width a table is laid out in when nothing limits it.
_UNLIMITED = 100_000
_layout: dict[str, bool] = {"wide": False}


class CommandError(PackagersError):
    """A command cannot do what was asked (a missing file, a bundle with no file to copy)."""


# -- data ---------------------------------------------------------------------------------------


def emit(args: argparse.Namespace, data: Any, render: Callable[[Any], None]) -> None:
    """Print ``data`` as JSON with ``--json``, else through ``render`` for people."""
    if args.json:
        print_json(data)
    else:
        render(data)


def print_json(data: Any) -> None:
    """One JSON document on stdout; values JSON cannot hold are written as their text."""
    print(json.dumps(data, indent=2, default=str))


def set_wide(wide: bool) -> None:
    """``--wide``: tables show every cell in full, however wide the terminal is."""
    _layout["wide"] = wide


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str, keep: str | None = None
) -> None:
    """Rows under aligned upper-case headers; ``empty`` is printed instead when there are none.

    The table fits the terminal (``COLUMNS`` when set): long cells are shortened with ``…``, one
    line per row so ``grep`` still sees rows. The ``keep`` column (what a user copies into the
    next command: a run id, a URI) is never shortened. ``--wide``, or stdout not being a
    terminal with no ``COLUMNS`` set (a pipe, a file), prints every cell in full.
    """
    if not rows:
        print(empty)
        return
    from rich.console import Console
    from rich.table import Table

    cells = [[_cell(value) for value in row] for row in rows]
    titles = [str(header).upper() for header in headers]
    width = _table_width()
    widths = [max(len(row[i]) for row in [titles, *cells]) for i in range(len(titles))]
    if width is not None:
        least = [
            w if h == keep else len(t) for h, t, w in zip(headers, titles, widths, strict=True)
        ]
        widths = _fit(widths, least, width - 2 * (len(titles) - 1))
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1))
    for title, column_width in zip(titles, widths, strict=True):
        table.add_column(title, no_wrap=True, overflow="ellipsis", width=column_width)
    for row in cells:
        table.add_row(*row)
    console = Console(width=_UNLIMITED, color_system=None, soft_wrap=False, highlight=False)
    with console.capture() as captured:
        console.print(table)
    for line in captured.get().splitlines():
        print(line[: width or None].rstrip())


def _fit(widths: list[int], least: list[int], room: int) -> list[int]:
    """Column widths summing to at most ``room``: the widest column gives way first.

    No column gets narrower than ``least`` (its header); when even that does not fit, the
    caller cuts the line at the terminal's edge.
    """
    widths = list(widths)
    while sum(widths) > room:
        shrinkable = [i for i, w in enumerate(widths) if w > least[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _table_width() -> int | None:
    """The width tables must fit in, None for no limit."""
    if _layout["wide"]:
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def print_fields(fields: Mapping[str, Any], *, indent: int = 0) -> None:
    """``name  value`` lines with aligned values; nested mappings become indented blocks.

    A value longer than the terminal is wide (see :func:`print_table`) wraps under itself.
    """
    if not fields:
        return
    width = max(len(str(name)) for name in fields)
    pad = _INDENT * indent
    hang = "\n" + pad + " " * (width + 2)
    total = _table_width()
    room = None if total is None else total - len(pad) - width - 2
    for name, value in fields.items():
        if isinstance(value, Mapping):
            print(f"{pad}{name}:" if value else f"{pad}{str(name).ljust(width)}  {_MISSING}")
            print_fields(value, indent=indent + 1)
        else:
            lines = _cell(value).splitlines() or [""]
            if room is not None and room >= _MIN_ROOM:
                lines = [part for line in lines for part in _wrap(line, room)]
            print(f"{pad}{str(name).ljust(width)}  {hang.join(lines)}".rstrip())


#: Narrower than this, a value is left on one line: a column of a few characters reads worse.
_MIN_ROOM = 20


def _wrap(line: str, room: int) -> list[str]:
    """``line`` in pieces of at most ``room`` characters (a line that fits keeps its indent)."""
    if len(line) <= room:
        return [line]
    import textwrap

    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.wrap(
        line, room, subsequent_indent=indent, break_long_words=True, break_on_hyphens=False
    )


def format_result(value: Any) -> str:
    """A result value as JSON (``[1, 2]``, ``null``) so it reads as what the function returned.

    Text stays bare; a table cell's ``1, 2`` would hide that a list was returned.
    """
    return value if isinstance(value, str) else json.dumps(value, default=str)


def format_size(size: int | None) -> str:
    """Bytes for people: ``812 B``, ``3.4 MB``."""
    if size is None:
        return _MISSING
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def _cell(value: Any) -> str:
    if value is None or value == "":
        return _MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(item) for item in value) or _MISSING
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


# -- progress -----------------------------------------------------------------------------------


class Progress:
    """A ``progress(key, done, total)`` callback drawing one bar per transfer on ``stream``.

    Transfers under :data:`PROGRESS_THRESHOLD` draw nothing; a bar is redrawn only when its
    percentage changes, so a callback per chunk costs almost nothing.
    """

    def __init__(self, stream: IO[str], *, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self._drawn: dict[str, int] = {}

    def __call__(self, key: str, done: int, total: int) -> None:
        if total < PROGRESS_THRESHOLD:
            return
        percent = min(100, done * 100 // total)
        if self._drawn.get(key) == percent:
            return
        self._drawn[key] = percent
        filled = self.width * percent // 100
        bar = "#" * filled + " " * (self.width - filled)
        end = "\n" if percent == 100 else ""
        self.stream.write(
            f"\r{key} [{bar}] {percent:3d}% {format_size(done)} / {format_size(total)}{end}"
        )
        self.stream.flush()


def progress_for(args: argparse.Namespace) -> Progress | None:
    """A progress callback when stderr is a terminal or ``--progress`` forces one, else None."""
    if args.progress or sys.stderr.isatty():
        return Progress(sys.stderr)
    return None


# -- problems -----------------------------------------------------------------------------------


def print_error(message: str, details: str | None = None) -> None:
    """``error: <message>`` on stderr, then ``details`` (a traceback) when there are any."""
    print(f"error: {message}", file=sys.stderr)
    if details:
        print(details.rstrip(), file=sys.stderr)


def print_exception(error: BaseException, *, debug: bool) -> None:
    """One line for an error; the traceback only with ``--debug``.

    A packagers error's message says it all; any other exception is named by its type too, since
    its message alone often does not (``Unable to locate credentials``, ``[Errno 28] ...``).
    """
    message = str(error) or type(error).__name__
    if not isinstance(error, PackagersError):
        message = f"{type(error).__name__}: {message}" if str(error) else message
        if not debug:
            message += " (--debug prints the traceback)"
    print_error(message)
    if debug:
        from rich.console import Console
        from rich.traceback import Traceback

        Console(file=sys.stderr, highlight=False).print(
            Traceback.from_exception(type(error), error, error.__traceback__, show_locals=False)
        )


@contextlib.contextmanager
def show_warnings() -> Iterator[None]:
    """Show warnings as ``warning: <message>`` lines instead of Python's file:line form.

    Only the format changes: the filters still apply (``-W error``, strict mode), and a caller
    recording warnings (``catch_warnings(record=True)``) still receives them.
    """

    def format_warning(message: Warning | str, *_: Any, **__: Any) -> str:
        return f"warning: {message}\n"

    with warnings.catch_warnings():
        warnings.formatwarning = format_warning
        yield
