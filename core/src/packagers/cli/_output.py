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
from typing import TYPE_CHECKING, Any

from packagers._errors import PackagersError

if TYPE_CHECKING:
    import argparse

    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEM",
    "PROGRESS_THRESHOLD",
    "CommandError",
    "TransferBars",
    "emit",
    "format_result",
    "format_size",
    "print_error",
    "print_exception",
    "print_fields",
    "print_json",
    "print_table",
    "set_wide",
    "show_warnings",
    "transfer_bars",
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
    from rich.cells import cell_len, set_cell_size
    from rich.console import Console
    from rich.table import Table

    cells = [[_cell(value) for value in row] for row in rows]
    titles = [str(header).upper() for header in headers]
    width = _table_width()
    widths = [max(cell_len(row[i]) for row in [titles, *cells]) for i in range(len(titles))]
    if width is not None:
        least = [
            w if h == keep else cell_len(t) for h, t, w in zip(headers, titles, widths, strict=True)
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
        print((line if width is None else set_cell_size(line, width)).rstrip())


def _fit(widths: list[int], least: list[int], room: int) -> list[int]:
    """Column widths summing to at most ``room``: the widest column gives way first.

    No column gets narrower than ``least`` (its header); when even that does not fit, the
    caller cuts the line at the terminal's edge. (rich narrows only columns it may wrap, and
    shrinks one-line columns all alike, headers included.)
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
    from rich.cells import cell_len

    width = max(cell_len(str(name)) for name in fields)
    pad = _INDENT * indent
    hang = "\n" + pad + " " * (width + 2)
    total = _table_width()
    room = None if total is None else total - len(pad) - width - 2
    for name, value in fields.items():
        label = str(name) + " " * (width - cell_len(str(name)))
        if isinstance(value, Mapping):
            print(f"{pad}{name}:" if value else f"{pad}{label}  {_MISSING}")
            print_fields(value, indent=indent + 1)
        else:
            lines = _cell(value).splitlines() or [""]
            if room is not None and room >= _MIN_ROOM:
                lines = [part for line in lines for part in _wrap(line, room)]
            print(f"{pad}{label}  {hang.join(lines)}".rstrip())


#: Narrower than this, a value is left on one line: a column of a few characters reads worse.
_MIN_ROOM = 20


def _wrap(line: str, room: int) -> list[str]:
    """``line`` in pieces at most ``room`` terminal cells wide, each under the line's indent.

    Cells, not characters: a CJK character or an emoji takes two.
    """
    from rich.cells import cell_len

    if cell_len(line) <= room:
        return [line]
    from rich.console import Console
    from rich.text import Text

    indent = line[: len(line) - len(line.lstrip())]
    text = Text(line[len(indent) :], overflow="fold")
    pieces = text.wrap(Console(width=room), max(room - len(indent), 1))
    return [indent + piece.plain.rstrip() for piece in pieces]


def format_result(value: Any) -> str:
    """A result value as JSON (``[1, 2]``, ``null``) so it reads as what the function returned.

    Text stays bare; a table cell's ``1, 2`` would hide that a list was returned.
    """
    return value if isinstance(value, str) else json.dumps(value, default=str)


def format_size(size: int | None) -> str:
    """Bytes for people in decimal units (``812 bytes``, ``3.4 MB``), as the transfer bars
    count them, so a file's size and its bar agree."""
    if size is None:
        return _MISSING
    from rich.filesize import decimal

    return decimal(size)


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


class TransferBars:
    """The ``progress(key, done, total)`` callback of a command: one rich bar per transfer.

    Each bar shows the key, bytes done of the total, speed and time left. Transfers under
    :data:`PROGRESS_THRESHOLD` finish before a bar is worth drawing and draw none, so rich's
    display starts only with the first large one. A transfer reported twice (hashed, then
    copied) reuses its bar.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bars: RichProgress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, key: str, done: int, total: int) -> None:
        if total < PROGRESS_THRESHOLD:
            return
        bars = self._bars if self._bars is not None else self._start()
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = bars.add_task(key, total=total)
        bars.update(task, completed=min(done, total), total=total)

    def _start(self) -> RichProgress:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bars = RichProgress(
            TextColumn("{task.description}", markup=False),  # the key as it is
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            redirect_stdout=False,  # stdout carries the command's data, never the bars
        )
        self._bars.start()
        return self._bars

    def close(self) -> None:
        """Stop redrawing; the finished bars stay on screen, one line each."""
        if self._bars is not None:
            self._bars.stop()
            self._bars = None
            self._tasks.clear()


@contextlib.contextmanager
def transfer_bars(args: argparse.Namespace) -> Iterator[TransferBars | None]:
    """Bars on stderr while the block runs when stderr is a terminal or ``--progress`` forces
    them; else None, and nothing is drawn (a pipe, a log file, CI)."""
    if not (args.progress or sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console

    bars = TransferBars(Console(file=sys.stderr, force_terminal=True if args.progress else None))
    try:
        yield bars
    finally:
        bars.close()


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
