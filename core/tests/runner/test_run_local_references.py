"""Functions given to run() by reference: 'module:function' and script paths, and bad ones."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from packagers.runner import FunctionReferenceError, run


def test_module_function_reference(samples: ModuleType, store_url: str) -> None:
    record = run("run_samples:add", params={"a": 1}, returns=["sum : result"], store=store_url)
    assert record.results == {"sum": 3}
    assert record.function == "run_samples:add"
    dotted = run(
        "run_samples:Tools.triple", params={"n": 2}, returns=["t : result"], store=store_url
    )
    assert dotted.results == {"t": 6}


def test_script_reference(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "helper_for_script.py").write_text("FACTOR = 10\n")
    script = tmp_path / "job.py"
    script.write_text(
        textwrap.dedent(
            """
            from helper_for_script import FACTOR

            def scale(n: int) -> int:
                return n * FACTOR
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    try:
        record = run("job.py:scale", params={"n": 4}, returns=["scaled : result"], store=store_url)
        again = run(
            f"{script}:scale", params={"n": 5}, returns=["scaled : result"], store=store_url
        )
    finally:
        sys.modules.pop("helper_for_script", None)
    assert record.results == {"scaled": 40}
    assert again.results == {"scaled": 50}
    assert record.function == f"{script}:scale"
    assert str(tmp_path) not in sys.path  # the script's directory was importable only while loading


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("no_colon", "expected 'module:function'"),
        ("run_samples:", "expected 'module:function'"),
        ("not a module:f", "neither a module name nor a path"),
        ("surely_missing_module_xyz:f", "importing module 'surely_missing_module_xyz' failed"),
        ("run_samples:nope", "has no attribute 'nope'"),
        ("run_samples:os", "not a function"),
        ("missing/script.py:f", "does not exist"),
    ],
)
def test_bad_references(samples: ModuleType, reference: str, message: str) -> None:
    with pytest.raises(FunctionReferenceError, match=message):
        run(reference)


def test_a_script_that_fails_to_load(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("raise RuntimeError('no')\n")
    with pytest.raises(FunctionReferenceError, match="RuntimeError: no"):
        run(f"{script}:f")
