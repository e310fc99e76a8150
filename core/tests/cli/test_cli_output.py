"""The shared output helpers: aligned tables, nested fields, sizes and the progress bar."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest

from packagers.cli._output import (
    PROGRESS_THRESHOLD,
    Progress,
    format_size,
    print_fields,
    print_table,
)

if TYPE_CHECKING:
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
        (0, "0 B"),
        (1023, "1023 B"),
        (2048, "2.0 KB"),
        (5 * 1024**2, "5.0 MB"),
        (3 * 1024**4, "3.0 TB"),
    ],
)
def test_cli_sizes_for_people(size: int | None, text: str) -> None:
    assert format_size(size) == text


def test_cli_progress_draws_only_large_transfers_and_each_percent_once() -> None:
    stream = io.StringIO()
    progress = Progress(stream, width=10)
    progress("small", 10, PROGRESS_THRESHOLD - 1)
    assert stream.getvalue() == ""
    total = PROGRESS_THRESHOLD
    for done in (total // 2, total // 2, total):
        progress("big", done, total)
    assert stream.getvalue() == (
        "\rbig [#####     ]  50% 2.0 MB / 4.0 MB\rbig [##########] 100% 4.0 MB / 4.0 MB\n"
    )


def test_cli_run_draws_progress_while_logging_a_large_output(
    cli: Cli, samples: object, store_url: str
) -> None:
    result = cli(
        "run",
        "cli_samples:blob",
        "-p",
        f"size={5 * 1024 * 1024}",
        "-r",
        "data : object",
        "--store",
        store_url,
        "--progress",
    )
    assert result.code == 0, result.err
    assert "\rdata [" in result.err
    assert "100%" in result.err


def test_cli_fields_wrap_to_the_terminal_and_keep_short_lines_as_they_are(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from packagers.cli._output import print_fields

    monkeypatch.setenv("COLUMNS", "40")
    print_fields({"error": "word " * 20, "traceback": "Traceback:\n    File x, line 1"})
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 40 for line in lines) and len(lines) > 3
    assert lines[-1] == " " * 11 + "    File x, line 1"  # under the value, indent kept
