"""Everything the commands print, written once: tables, fields, JSON, progress bars and errors.

Commands build plain data (dicts, lists) and hand it here, so ``--json`` always prints exactly
the data the human-readable form was made from, and every command looks the same.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
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
    "format_size",
    "print_error",
    "print_exception",
    "print_fields",
    "print_json",
    "print_table",
    "progress_for",
    "show_warnings",
]

#: Exit codes: done; done and found a problem (a failed run, lost data); a PackagersError;
#: interrupted. Usage errors exit 2, argparse's own code.
EXIT_OK, EXIT_PROBLEM, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 3, 130
#: Transfers smaller than this finish before a bar would be worth drawing.
PROGRESS_THRESHOLD = 4 * 1024 * 1024
_MISSING = "-"
_INDENT = "  "


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


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str) -> None:
    """Rows under aligned upper-case headers; ``empty`` is printed instead when there are none."""
    if not rows:
        print(empty)
        return
    cells = [[str(h).upper() for h in headers], *([_cell(value) for value in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        padded = (value.ljust(width) for value, width in zip(row, widths, strict=True))
        print("  ".join(padded).rstrip())


def print_fields(fields: Mapping[str, Any], *, indent: int = 0) -> None:
    """``name  value`` lines with aligned values; nested mappings become indented blocks."""
    if not fields:
        return
    width = max(len(str(name)) for name in fields)
    pad = _INDENT * indent
    for name, value in fields.items():
        if isinstance(value, Mapping):
            print(f"{pad}{name}:" if value else f"{pad}{str(name).ljust(width)}  {_MISSING}")
            print_fields(value, indent=indent + 1)
        else:
            text = _cell(value).replace("\n", "\n" + pad + " " * (width + 2))
            print(f"{pad}{str(name).ljust(width)}  {text}".rstrip())


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
    details = "".join(traceback.format_exception(error)) if debug else None
    message = str(error) or type(error).__name__
    if not isinstance(error, PackagersError):
        message = f"{type(error).__name__}: {message}" if str(error) else message
        if not debug:
            message += " (--debug prints the traceback)"
    print_error(message, details)


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
