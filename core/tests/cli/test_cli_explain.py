"""``packagers explain``: types, objects in pickle files, plain files, and blocked plugins."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import packagers
from packagers import DefaultPackager, PackagersManager, config

if TYPE_CHECKING:
    from conftest import Cli

_THING = """
class Thing:
    pass


class SubThing(Thing):
    pass
"""

_PLUGIN = """
from packagers import DefaultPackager
from packagers.plugins.hookspecs import hookimpl


class ThingPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = "cli_things.Thing"


@hookimpl
def packagers_register():
    return [ThingPackager]
"""


def _row(data: dict[str, Any], packager: str) -> dict[str, Any]:
    return next(row for row in data["candidates"] if row["packager"] == packager)


@pytest.mark.parametrize("target", ["builtins.int", "int"])
def test_cli_explain_int_names_the_manager_choice(cli: Cli, target: str) -> None:
    expected, _ = PackagersManager().choose_packager(1)
    result = cli("explain", target, "--json")
    assert result.code == 0
    data = result.json()
    assert data["type"] == "builtins.int"
    assert data["chosen"]["packager"] == expected.qualified_name()
    assert [row["packager"] for row in data["candidates"] if row["verdict"] == "chosen"] == [
        expected.qualified_name()
    ]
    if expected.qualified_name() != "packagers._builtin.PicklePackager":
        pickle_row = _row(data, "packagers._builtin.PicklePackager")
        assert pickle_row["verdict"] == "lower priority"
        assert expected.qualified_name() in pickle_row["reason"]
    human = cli("explain", target)
    assert human.out.startswith(f"builtins.int -> {expected.qualified_name()} as ")
    assert "VERDICT" in human.out


def test_cli_explain_a_requested_artifact_type(cli: Cli) -> None:
    result = cli("explain", "builtins.dict", "--artifact-type", "object", "--json")
    assert result.code == 0
    assert result.json()["chosen"]["artifact_type"] == "object"


def test_cli_explain_an_artifact_type_nobody_packs_exits_1(cli: Cli) -> None:
    result = cli("explain", "builtins.dict", "--artifact-type", "no-such-type", "--json")
    assert result.code == 1
    data = result.json()
    assert data["chosen"] is None
    assert _row(data, "packagers._builtin.PicklePackager")["verdict"] == "artifact type"
    human = cli("explain", "builtins.dict", "--artifact-type", "no-such-type")
    assert human.out.startswith("no packager packs builtins.dict as 'no-such-type'")


def test_cli_explain_an_unknown_type_is_an_error(cli: Cli) -> None:
    result = cli("explain", "no_such_module.Nothing")
    assert result.code == 3
    assert result.err.startswith("error: 'no_such_module.Nothing' is neither a file")


def test_cli_explain_a_blocked_plugins_type(cli: Cli, make_distribution: Any) -> None:
    make_distribution(
        "packagers-things",
        {"cli_things": _THING, "cli_things_plugin": _PLUGIN},
        {"things": "cli_things_plugin"},
    )
    allowed = cli("explain", "cli_things.Thing", "--json").json()
    assert allowed["chosen"]["packager"] == "cli_things_plugin.ThingPackager"
    with config.override(plugins__blocked="things"):
        result = cli("explain", "cli_things.Thing", "--json")
        human = cli("explain", "cli_things.Thing")
    assert result.code == 0
    data = result.json()
    assert data["chosen"]["packager"] == "packagers._builtin.PicklePackager"
    blocked = next(row for row in data["candidates"] if row["plugin"] == "things")
    assert blocked["verdict"] == "blocked"
    assert blocked["distribution"] == "packagers-things==1.0"
    assert "blocked by settings" in blocked["reason"]
    assert "blocked by settings" in human.out


def test_cli_explain_a_subclass_that_is_not_packed(cli: Cli, make_distribution: Any) -> None:
    make_distribution("cli-things-only", {"cli_things": _THING}, {})
    from cli_things import Thing  # type: ignore[import-not-found]

    class OnlyThings(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Thing

    packagers.add_custom_packager(OnlyThings)
    data = cli("explain", "cli_things.SubThing", "--json").json()
    row = _row(data, OnlyThings.qualified_name())
    assert row["verdict"] == "subclass not packed"
    assert "PACK_SUBCLASSES" in row["reason"]
    assert cli("explain", "cli_things.Thing", "--json").json()["chosen"]["packager"] == (
        OnlyThings.qualified_name()
    )


def test_cli_explain_a_pickle_file_loads_it_when_allowed(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "numbers.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))
    with config.override(pickle__policy="allow"):
        result = cli("explain", str(path), "--json")
    assert result.code == 0
    data = result.json()
    assert data["kind"] == "object"
    assert data["type"] == "builtins.dict"
    expected, _ = PackagersManager().choose_packager({"a": 1})
    assert data["chosen"]["packager"] == expected.qualified_name()


def test_cli_explain_a_pickle_file_under_warn_policy_warns(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "numbers.pkl"
    path.write_bytes(pickle.dumps([1, 2]))
    with pytest.warns(packagers.PackagersWarning, match="unpickling"):
        result = cli("explain", str(path), "--json")
    assert result.json()["type"] == "builtins.list"


def test_cli_explain_a_pickle_file_is_not_loaded_under_deny(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "numbers.pkl"
    path.write_bytes(pickle.dumps([1, 2]))
    with config.override(pickle__policy="deny"):
        result = cli("explain", str(path), "--json")
    assert result.code == 0
    data = result.json()
    assert data["kind"] == "file"
    assert any("deny" in note for note in data["notes"])
    assert _row(data, "packagers._builtin.PicklePackager")["verdict"] == "accepts"


def test_cli_explain_a_plain_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n")
    result = cli("explain", str(path), "--json")
    assert result.code == 0
    data = result.json()
    assert (data["kind"], data["suffix"]) == ("file", ".csv")
    pickle_row = _row(data, "packagers._builtin.PicklePackager")
    assert pickle_row["verdict"] == "declined"
    assert "pickle" in pickle_row["reason"]
    human = cli("explain", str(path))
    assert human.out.startswith(f"{path} is a plain file (suffix .csv)")
    assert "ARTIFACT TYPE" in human.out


def test_cli_explain_a_packager_that_decides_per_object(
    cli: Cli, make_distribution: Any, tmp_path: Path
) -> None:
    make_distribution("cli-things-picky", {"cli_things": _THING}, {})
    from cli_things import Thing  # type: ignore[import-not-found]

    class Picky(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Thing

        def is_packable(self, obj: Any, artifact_type: str | None = None) -> bool:
            return super().is_packable(obj, artifact_type) and getattr(obj, "wanted", False)

    packagers.add_custom_packager(Picky)
    data = cli("explain", "cli_things.Thing", "--json").json()
    assert data["chosen"]["packager"] == Picky.qualified_name()
    assert data["if_declined"] == "packagers._builtin.PicklePackager"
    assert _row(data, "packagers._builtin.PicklePackager")["verdict"] == "if declined"
    human = cli("explain", "cli_things.Thing")
    assert "objects it declines go to packagers._builtin.PicklePackager" in human.out

    path = tmp_path / "thing.pkl"
    path.write_bytes(pickle.dumps(Thing()))
    with config.override(pickle__policy="allow"):
        declined = cli("explain", str(path), "--json").json()
    assert _row(declined, Picky.qualified_name())["verdict"] == "declined"
    assert declined["chosen"]["packager"] == "packagers._builtin.PicklePackager"


# -- known families whose plugin (or library) is missing -----------------------------------------


def test_cli_explain_names_the_plugin_to_install_for_a_known_family(cli: Cli) -> None:
    pytest.importorskip("numpy")
    with config.override(plugins__blocked=["numpy"]):
        pickled = cli("explain", "numpy.ndarray")
        refused = cli("explain", "numpy.ndarray", "--artifact-type", "dataset", "--json")
    assert pickled.code == 0
    assert "note: numpy.ndarray is pickled because its plugin is not installed; pip install " in (
        pickled.out
    )
    assert "packagers-numpy" in pickled.out
    assert refused.code == 1
    assert any("pip install packagers-numpy" in note for note in refused.json()["notes"])


def test_cli_explain_of_a_known_family_without_its_library_says_what_to_install(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    for name in [name for name in sys.modules if name.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)  # what an environment without pillow gives
    result = cli("explain", "PIL.Image.Image")
    assert result.code == 3
    assert "PIL is not installed; pip install packagers-pil" in result.err


def test_cli_explain_a_misspelt_artifact_type_gets_a_did_you_mean(cli: Cli) -> None:
    result = cli("explain", "int", "--artifact-type", "reslt")
    assert result.code == 1
    note = "note: no installed packager packs the artifact type 'reslt'; did you mean 'result'?"
    assert note in result.out
    assert "note:" not in cli("explain", "int", "--artifact-type", "object").out


def test_cli_explain_a_stored_result_says_what_loading_it_gives(cli: Cli, store_url: str) -> None:
    packagers.log((1, 2), "pair", store=store_url)
    packagers.log(3, "count", store=store_url)
    pair = cli("explain", "store://pair", "--store", store_url, "--json").json()
    assert pair["unpacks_into"] == "builtins.tuple" and "rebuilds" in pair["notes"][0]
    count = cli("explain", "store://count", "--store", store_url, "--json").json()
    assert count["unpacks_into"] == "builtins.int" and "as it is" in count["notes"][0]
