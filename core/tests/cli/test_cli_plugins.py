"""``packagers plugins``: the collected packagers as a table or JSON, states and errors included."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import packagers
from packagers import config

if TYPE_CHECKING:
    from conftest import Cli

_PLUGIN = """
from packagers import DefaultPackager
from packagers.plugins.hookspecs import hookimpl

class Thing:
    pass

class ThingPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Thing

@hookimpl
def packagers_register():
    return [ThingPackager]
"""


def test_cli_plugins_json_is_list_packagers(cli: Cli) -> None:
    result = cli("plugins", "--json")
    assert result.code == 0
    assert result.json() == [record.to_dict() for record in packagers.list_packagers()]


def test_cli_plugins_table_is_aligned(cli: Cli) -> None:
    result = cli("plugins")
    assert result.code == 0
    lines = result.out.splitlines()
    header = lines[0].split()
    assert header == [
        "NAME",
        "PLUGIN",
        "DISTRIBUTION",
        "PRIORITY",
        "TYPE",
        "PACKS",
        "UNPACKS",
        "STATE",
        "ERROR",
    ]
    pickle_line = next(line for line in lines if "PicklePackager" in line)
    assert pickle_line.index(" builtin ") + 1 == lines[0].index("PLUGIN")
    assert f"packagers=={packagers.__version__}" in pickle_line
    assert "plugins.blocked" in result.out


def test_cli_plugins_shows_a_blocked_plugin_and_the_setting(
    cli: Cli, make_distribution: object
) -> None:
    make_distribution(  # type: ignore[operator]
        "packagers-thing", {"cli_thing_plugin": _PLUGIN}, {"thing": "cli_thing_plugin"}
    )
    with config.override(plugins__blocked="thing"):
        table = cli("plugins")
        records = cli("plugins", "--json").json()
    assert table.code == 0
    line = next(line for line in table.out.splitlines() if "packagers-thing==1.0" in line)
    assert "blocked" in line
    assert "thing  (code)" in table.out
    blocked = next(record for record in records if record["plugin"] == "thing")
    assert blocked["state"] == "blocked"
    assert blocked["error"] == "blocked by settings"


def test_cli_plugins_exits_1_when_a_plugin_failed(cli: Cli, make_distribution: object) -> None:
    make_distribution(  # type: ignore[operator]
        "packagers-broken",
        {"cli_broken_plugin": "raise ImportError('no luck')"},
        {"broken": "cli_broken_plugin"},
    )
    with pytest.warns(packagers.PackagersWarning, match="no luck"):
        result = cli("plugins", "--json")
    assert result.code == 1
    broken = next(record for record in result.json() if record["plugin"] == "broken")
    assert broken["state"] == "failed"
    assert "ImportError: no luck" in broken["error"]
