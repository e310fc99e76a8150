"""CLI test fixtures: ``main`` called in-process against a store in ``tmp_path``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from packagers.cli import main

_HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    """What one ``packagers`` invocation did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Result]


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return str(tmp_path / "store")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cli("plugins", "--json")``: run the command in this process and capture its output."""

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def samples(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The ``cli_samples`` module, importable by name here and in worker processes."""
    monkeypatch.syspath_prepend(str(_HERE))
    import cli_samples

    yield cli_samples
    sys.modules.pop("cli_samples", None)
