"""Docs that must follow the code: every setting is documented, every example runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from packagers._settings import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: A ```python block, with the line before it (a ``<!-- not run -->`` marker skips the block).
_BLOCK = re.compile(r"(?:^|\n)([^\n]*)\n```python\n(.*?)```", re.S)
#: A block whose first line is ``# path/to/file.py`` is that file of the example.
_FILE = re.compile(r"# (\S+\.py)\n")
#: Docs whose examples run as written (their fragments are marked ``<!-- not run -->``).
_RUNNABLE_DOCS = ("writing-a-plugin.md", "log-hints.md")


def _blocks(doc: str) -> list[str]:
    """The doc's python blocks that are meant to run, in order."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    return [code for before, code in _BLOCK.findall(text) if "<!-- not run" not in before]


@pytest.mark.parametrize("doc", _RUNNABLE_DOCS)
def test_the_docs_examples_run_as_written(doc, tmp_path):
    """Files are written where their first line says; scripts run in order; tests under pytest.

    Run as a new user would, in a fresh directory and process, with only what the doc shows.
    """
    scripts, modules, tests = [], [], []
    for code in _blocks(doc):
        named = _FILE.match(code)
        if named is None:
            scripts.append(code)
            continue
        path = tmp_path / named.group(1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
        if path.name.startswith("test_"):
            tests.append(str(path))
        elif path.is_relative_to(tmp_path / "src"):
            parts = path.relative_to(tmp_path / "src").with_suffix("").parts
            modules.append(".".join(parts))
    env = {"PYTHONPATH": str(tmp_path / "src"), "PATH": "", "HOME": str(tmp_path)}
    program = "\n".join([*(f"import {module}" for module in modules), *scripts])

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    ran = python("-c", program)
    assert ran.returncode == 0, ran.stderr
    if tests:
        tested = python("-m", "pytest", "-q", "-p", "no:cacheprovider", *tests)
        assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.path)
def test_every_setting_and_variable_is_documented(setting):
    text = (DOCS / "configuration.md").read_text()
    assert f"`{setting.path}`" in text
    assert f"`{setting.env_var}`" in text


def test_the_readmes_first_example_runs_as_written(tmp_path, monkeypatch):
    """What a newcomer pastes first: it must work on an empty store and print what it says."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "2"
    assert "Lima" in result.stdout and (tmp_path / ".packagers").is_dir()


#: A row of the module maps in concepts.md: its first two cells.
_ROW = re.compile(r"^\|([^|]*)\|([^|]*)\|", re.M)
_NAME = re.compile(r"`([\w/]+\.py)`")


def _mapped_modules() -> set[str]:
    """The core's modules the map in concepts.md names, as paths below ``packagers/``."""
    text = (DOCS / "concepts.md").read_text(encoding="utf-8")
    text = text[text.index("### Where things live") :]
    mapped: set[str] = set()
    package = ""
    for first, second in _ROW.findall(text):
        first = first.strip()
        if first.startswith("`") and first.endswith("/`"):  # a package's first row
            package = first.strip("`")
        elif first and "/" not in first:  # a top-level module's row
            package = ""
        names = _NAME.findall(first if not package else second)
        mapped.update(name if "/" in name else package + name for name in names)
    return mapped


def test_the_module_map_in_concepts_matches_the_code():
    """Every module of the core is in the map a newcomer reads, and the map names no old one."""
    import packagers

    root = Path(packagers.__file__).parent
    files = {path.relative_to(root).as_posix() for path in root.rglob("*.py")}
    # A subpackage's ``__init__`` is its front door, in the map only when it holds more.
    modules = {name for name in files if "/" not in name or not name.endswith("/__init__.py")}
    mapped = _mapped_modules()
    missing, stale = sorted(modules - mapped), sorted(mapped - files)
    assert not missing, f"modules missing from the map in docs/concepts.md: {missing}"
    assert not stale, f"docs/concepts.md maps modules that do not exist: {stale}"


def _passage(doc: str, anchor: str) -> str:
    """The paragraph (or table row onwards) of ``doc`` that starts at ``anchor``."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    start = text.index(anchor)
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else None]


@pytest.mark.parametrize(
    ("doc", "anchor", "complete"),
    [
        ("running.md", "| `state` |", True),
        ("cli.md", "(the states:", True),
        ("store.md", "A run record may be rewritten", False),
    ],
)
def test_the_run_states_in_the_docs_are_the_runners(doc: str, anchor: str, complete: bool) -> None:
    """Where the docs name run states they name ``RunState``'s, and all of them in a full list."""
    from packagers.run_states import RunState

    named = set(re.findall(r"`([a-z]+)`", _passage(doc, anchor)))
    states = named & {*RunState, "created", "failed", "canceled", "succeeded"}
    assert states <= set(RunState), f"{doc} names states the runner never writes"
    if complete:
        assert states == set(RunState), f"{doc} leaves out {sorted(set(RunState) - states)}"
