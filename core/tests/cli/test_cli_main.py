"""The command as a whole: help, usage errors, global flags and the installed console script."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import packagers

if TYPE_CHECKING:
    from conftest import Cli


def test_cli_help_lists_every_command(cli: Cli) -> None:
    result = cli("--help")
    assert result.code == 0
    for command in ("run", "plugins", "explain", "artifacts", "runs", "store"):
        assert command in result.out
    assert "exit codes" in result.out


def test_cli_version_lists_the_core_every_plugin_and_python(cli: Cli) -> None:
    result = cli("--version")
    lines = result.out.splitlines()
    assert (result.code, lines[0]) == (0, f"packagers {packagers.__version__}")
    assert "packagers-stdlib " + importlib.metadata.version("packagers-stdlib") in lines
    assert lines[-1].startswith(f"Python {platform.python_version()} ")


def test_cli_run_of_a_script_without_a_function_lists_its_functions(
    cli: Cli, tmp_path: Path
) -> None:
    script = tmp_path / "steps.py"
    script.write_text(
        "raise SystemExit('the script ran')\n"
        "def clean(x: int) -> int:\n    return x\n"
        "async def fetch() -> None: ...\n"
        "def _helper() -> None: ...\n"
    )
    result = cli("run", str(script))
    assert result.code == 3
    assert f"run {script}:FUNCTION" in result.err
    assert "its functions: clean, fetch" in result.err and "_helper" not in result.err


def test_cli_run_of_a_module_without_a_function_or_with_a_typo_says_what_to_run(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nu_steps.py").write_text(
        "raise SystemExit('the module ran')\ndef clean(x: int) -> int:\n    return x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    bare = cli("run", "nu_steps")
    assert bare.code == 3
    assert "'nu_steps' names a module, not a function: run nu_steps:FUNCTION" in bare.err
    assert "its functions: clean" in bare.err and "the module ran" not in bare.err
    (tmp_path / "nu_steps.py").write_text("def clean(x: int) -> int:\n    return x\n")
    typo = cli("run", "nu_steps:clen")
    assert typo.code == 3 and "has no attribute 'clen'; did you mean 'clean'?" in typo.err


def test_cli_tables_fit_the_terminal_unless_wide(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    narrow = cli("plugins")
    table = narrow.out.split("\n\n")[0].splitlines()
    assert table[0].startswith("NAME") and all(len(line) <= 60 for line in table)
    assert any("…" in line for line in table)
    wide = cli("plugins", "--wide").out.split("\n\n")[0].splitlines()
    assert max(len(line) for line in wide) > 60 and not any("…" in line for line in wide)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["artifacts"],
        ["artifacts", "ls", "--nope"],
        ["store", "gc", "extra"],
        ["run", "cli_samples:add", "-p", "novalue"],
        ["run", "cli_samples:add", "-p", "a=1", "-p", "a=2"],
        ["run", "cli_samples:add", "--executor", "moon"],
    ],
)
def test_cli_usage_errors_exit_2(cli: Cli, argv: list[str]) -> None:
    result = cli(*argv)
    assert result.code == 2
    assert "usage:" in result.err
    assert result.out == ""


@pytest.mark.parametrize("position", ["before", "after"])
def test_cli_json_flag_before_or_after_the_command(cli: Cli, position: str) -> None:
    argv = ["--json", "plugins"] if position == "before" else ["plugins", "--json"]
    result = cli(*argv)
    names = [record["name"] for record in result.json()]
    assert "packagers._builtin.PicklePackager" in names


def test_cli_packagers_error_is_one_line_exit_3(cli: Cli) -> None:
    result = cli("explain", "no.such.Type")
    assert result.code == 3
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_cli_debug_prints_the_traceback(cli: Cli) -> None:
    result = cli("--debug", "explain", "no.such.Type")
    assert result.code == 3
    assert result.err.startswith("error: ")
    assert "Traceback (most recent call last)" in result.err


def test_cli_any_other_error_is_one_line_exit_3(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A storage library's error (bad credentials, a full disk) is no PackagersError, and still
    gets one line naming its type, not a traceback and not exit 1 (which means "problem found")."""
    from packagers.cli import _plugins

    def failing(_: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_plugins, "plugins_command", failing)
    result = cli("plugins")
    assert result.code == 3
    assert result.err == (
        "error: OSError: [Errno 28] No space left on device (--debug prints the traceback)\n"
    )
    debugged = cli("--debug", "plugins")
    assert debugged.code == 3
    assert debugged.err.startswith("error: OSError: [Errno 28] No space left on device\n")
    assert "Traceback (most recent call last)" in debugged.err


def test_cli_keyboard_interrupt_exits_130(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from packagers.cli import _plugins

    def interrupted(_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_plugins, "plugins_command", interrupted)
    result = cli("plugins")
    assert result.code == 130
    assert "interrupted" in result.err


@pytest.mark.slow
def test_cli_console_script_is_installed() -> None:
    # pip puts the script next to this interpreter, whether or not its environment is activated.
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    executable = shutil.which("packagers", path=search)
    assert executable, "the packagers console script is not installed (pip install -e core)"
    helped = subprocess.run([executable, "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0
    assert "usage: packagers" in helped.stdout
    listed = subprocess.run(
        [executable, "plugins", "--json"], capture_output=True, text=True, check=False
    )
    assert listed.returncode in (0, 1), listed.stderr  # 1: an installed plugin failed to load
    records = json.loads(listed.stdout)
    assert any(record["name"] == "packagers._builtin.PicklePackager" for record in records)


def test_cli_modules_in_the_current_directory_are_importable(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cli_cwd_module.py").write_text(
        "class Local:\n    pass\n\n\ndef answer() -> int:\n    return 42\n"
    )
    monkeypatch.chdir(tmp_path)
    before = list(sys.path)
    try:
        explained = cli("explain", "cli_cwd_module.Local", "--json")
        assert explained.code == 0, explained.err
        assert explained.json()["type"] == "cli_cwd_module.Local"
        ran = cli(
            "run",
            "cli_cwd_module:answer",
            "-r",
            "answer : result",
            "--store",
            str(tmp_path / "store"),
            "--json",
        )
        assert ran.json()["results"] == {"answer": 42}
    finally:
        sys.modules.pop("cli_cwd_module", None)
    assert sys.path == before


def test_cli_version_stops_quietly_when_the_reader_goes_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``packagers --version | head -1``: exit 141 as a shell reports SIGPIPE, no traceback."""
    from packagers.cli import main

    class _GoneReader:
        def __init__(self) -> None:
            self._file = open(tmp_path / "stdout", "w")  # noqa: SIM115 - fileno() must stay valid

        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

        def fileno(self) -> int:
            return self._file.fileno()

    gone = _GoneReader()
    monkeypatch.setattr(sys, "stdout", gone)
    try:
        assert main(["--version"]) == 141
    finally:
        gone._file.close()
