"""Docs that must follow the code: every setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from packagers._config import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.path)
def test_every_setting_and_variable_is_documented(setting):
    text = (DOCS / "configuration.md").read_text()
    assert f"`{setting.path}`" in text
    assert f"`{setting.env_var}`" in text


def test_the_readmes_first_example_runs_as_written(tmp_path, monkeypatch):
    """What a newcomer pastes first: it must work on an empty store and print what it says."""
    import re
    import subprocess
    import sys

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "2"
    assert "Lima" in result.stdout and (tmp_path / ".packagers").is_dir()
