"""The shared output helpers: aligned tables, nested fields, sizes and the transfer bars."""

from __future__ import annotations

import argparse
import io
import re
import sys
from typing import TYPE_CHECKING

import pytest

from packagers.cli._output import (
    PROGRESS_THRESHOLD,
    TransferBars,
    format_size,
    print_fields,
    print_table,
    transfer_bars,
)

if TYPE_CHECKING:
    from rich.console import Console

    from conftest import Cli


def test_cli_table_aligns_columns_and_shows_missing_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_table(["name", "n", "tags"], [["a", 1, ["x", "y"]], ["longer", None, []]], empty="-")
    assert capsys.readouterr().out == ("NAME    N  TAGS\na       1  x, y\nlonger  -  -\n")
    print_table(["name"], [], empty="nothing here")
    assert capsys.readouterr().out == "nothing here\n"


def test_cli_fields_nest_and_align(capsys: pytest.CaptureFixture[str]) -> None:
    print_fields({"id": "r1", "state": "ok", "results": {"a": 1, "bb": True}, "empty": {}})
    assert capsys.readouterr().out == (
        "id       r1\nstate    ok\nresults:\n  a   1\n  bb  true\nempty    -\n"
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, "-"),
        (0, "0 bytes"),
        (999, "999 bytes"),
        (2000, "2.0 kB"),
        (5 * 1000**2, "5.0 MB"),
        (3 * 1000**4, "3.0 TB"),
    ],
)
def test_cli_sizes_for_people(size: int | None, text: str) -> None:
    assert format_size(size) == text


def _console(stream: io.StringIO) -> Console:
    """A console that behaves as a terminal does: bars are drawn and redrawn on it."""
    from rich.console import Console

    return Console(file=stream, force_terminal=True, width=100)


def _plain(text: str) -> str:
    """``text`` without the terminal's control sequences (colours, cursor moves)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_cli_transfer_bars_draw_the_key_and_the_bytes_of_large_transfers() -> None:
    stream = io.StringIO()
    bars = TransferBars(_console(stream))
    total = PROGRESS_THRESHOLD
    for done in (total // 2, total):
        bars("big", done, total)
    bars.close()
    lines = [line for line in _plain(stream.getvalue()).splitlines() if "big" in line]
    assert lines, stream.getvalue()
    assert format_size(total) == "4.2 MB"  # the size `artifacts ls` shows for the same file
    assert "4.2/4.2 MB" in lines[-1]  # done of total


def test_cli_transfer_bars_draw_nothing_for_small_transfers() -> None:
    stream = io.StringIO()
    bars = TransferBars(_console(stream))
    bars("small", 10, PROGRESS_THRESHOLD - 1)
    bars.close()
    assert stream.getvalue() == ""


def test_cli_transfer_bars_reuse_the_bar_of_a_transfer_reported_again() -> None:
    from rich.console import Console

    stream = io.StringIO()  # not a terminal: rich prints the bars once, as they end
    bars = TransferBars(Console(file=stream, force_terminal=False, width=100))
    total = PROGRESS_THRESHOLD
    for done in (total, total // 2, total):  # hashed, then copied
        bars("big", done, total)
    bars.close()
    assert [line for line in stream.getvalue().splitlines() if "big" in line] == [
        next(line for line in stream.getvalue().splitlines() if "4.2/4.2 MB" in line)
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("terminal", "forced", "drawn"),
    [(True, False, True), (False, True, True), (False, False, False)],
)
def test_cli_transfer_bars_only_where_someone_watches(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, forced: bool, drawn: bool
) -> None:
    stderr = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with transfer_bars(argparse.Namespace(progress=forced)) as bars:
        assert (bars is not None) is drawn
        if bars is not None:
            bars("big", PROGRESS_THRESHOLD, PROGRESS_THRESHOLD)
    assert ("big" in stderr.getvalue()) is drawn


@pytest.mark.parametrize("forced", [True, False])
def test_cli_run_draws_progress_for_a_large_output_only_when_asked_off_a_terminal(
    cli: Cli, samples: object, store_url: str, forced: bool
) -> None:
    """The test's stderr is not a terminal: a bar only with ``--progress``."""
    size, flags = f"size={5 * 1024 * 1024}", ["--progress"] if forced else []
    result = cli(
        "run", "cli_samples:blob", "-p", size, "-r", "data : object", "--store", store_url, *flags
    )
    assert result.code == 0, result.err
    bars = [line for line in _plain(result.err).splitlines() if "data" in line and "MB" in line]
    assert bool(bars) is forced


def test_cli_fields_wrap_to_the_terminal_and_keep_short_lines_as_they_are(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from packagers.cli._output import print_fields

    monkeypatch.setenv("COLUMNS", "40")
    print_fields({"error": "word " * 20, "traceback": "Traceback:\n    File x, line 1"})
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 40 for line in lines) and len(lines) > 3
    assert lines[-1] == " " * 11 + "    File x, line 1"  # under the value, indent kept


def test_cli_tables_and_fields_fit_wide_characters_by_their_cells(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "40")
    print_table(["name", "path"], [["数据集" * 4, "/a/long/path/" * 4]], empty="-")
    print_fields({"error": "错误 " * 30, "名前": "x"})
    lines = capsys.readouterr().out.splitlines()
    assert all(cell_len(line) <= 40 for line in lines), lines
    assert lines[1].startswith("数据集") and "…" in lines[1]
    assert lines[-1] == "名前   x"  # the value under the others: the name is four cells wide


def test_cli_transfer_bars_show_the_key_as_it_is() -> None:
    stream = io.StringIO()
    bars = TransferBars(_console(stream))
    bars("[bold]raw", PROGRESS_THRESHOLD, PROGRESS_THRESHOLD)
    bars.close()
    assert "[bold]raw" in _plain(stream.getvalue())
