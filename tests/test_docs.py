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
