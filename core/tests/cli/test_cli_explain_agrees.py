"""``packagers explain`` prints what the manager does: its verdicts, compared on tricky cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import packagers
from packagers import PackagersManager, UnpackingError
from packagers.packager import Packager

if TYPE_CHECKING:
    from conftest import Cli

_THINGS = """
from packagers import Artifact, DefaultPackager, Packager


class Thing:
    pass


class SubThing(Thing):
    pass


class Gadget:
    pass


class ThingPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Thing
    PACK_SUBCLASSES = True
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    def pack_file(self, obj, key):
        path = self.temp_path(key, ".thing")
        with open(path, "w") as stream:
            stream.write(type(obj).__name__)
        return Artifact(key, path, format="thing"), {}

    def unpack_file(self, data_item):
        with open(data_item.local()) as stream:
            return {"Thing": Thing, "SubThing": SubThing}[stream.read()]()

    def is_unpackable(self, data_item, type_hint, artifact_type=None):
        suffix = data_item.suffix == ".thing"
        return suffix and super().is_unpackable(data_item, type_hint, artifact_type)


class GadgetWriter(Packager):
    '''Packs gadgets into files it cannot read back.'''

    PACKABLE_OBJECT_TYPE = Gadget
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"

    @classmethod
    def packing_artifact_types(cls):
        return frozenset({"file"})

    @classmethod
    def unpacking_artifact_types(cls):
        return frozenset()

    def pack(self, obj, key, artifact_type, configurations):
        path = self.temp_path(key, ".gadget")
        open(path, "w").close()
        return Artifact(key, path, format="gadget"), {}

    def unpack(self, data_item, artifact_type, instructions):
        raise AssertionError("never asked")
"""


@pytest.fixture
def things(make_distribution: Any) -> Any:
    """The ``agree_things`` module, its two packagers registered as custom packagers."""
    make_distribution("agree-things", {"agree_things": _THINGS}, {})
    import agree_things  # type: ignore[import-not-found]

    packagers.add_custom_packager(agree_things.ThingPackager)
    packagers.add_custom_packager(agree_things.GadgetWriter)
    return agree_things


def _unpacked_by(monkeypatch: pytest.MonkeyPatch, manager: PackagersManager) -> list[str]:
    """The names of the packagers whose ``unpack`` the manager calls, in order."""
    calls: list[str] = []
    for packager in manager.packagers:
        original = packager.unpack

        def spy(*args: Any, _name: str = packager.qualified_name(), _to: Any = original) -> Any:
            calls.append(_name)
            return _to(*args)

        monkeypatch.setattr(packager, "unpack", spy)
    return calls


def _explained(cli: Cli, *argv: str) -> dict[str, Any]:
    return json.loads(cli("explain", *argv, "--json").out)  # type: ignore[no-any-return]


def _tried(data: dict[str, Any]) -> list[str]:
    """The packagers explain says unpacking calls, in order (the chosen one, then fallbacks)."""
    return [
        row["packager"]
        for row in data["candidates"]
        if row["verdict"] in ("chosen", "if it fails") and row["packager"]
    ]


def test_explain_a_subclass_with_pack_subclasses_names_what_packing_uses(
    cli: Cli, things: Any
) -> None:
    data = _explained(cli, "agree_things.SubThing")
    packager, artifact_type = PackagersManager().choose_packager(things.SubThing())
    assert data["chosen"]["packager"] == packager.qualified_name()
    assert (data["chosen"]["artifact_type"], artifact_type) == ("file", "file")


def test_explain_a_pack_only_packager_packs_but_never_unpacks(
    cli: Cli, things: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = things.GadgetWriter.qualified_name()
    assert _explained(cli, "agree_things.Gadget")["chosen"]["packager"] == writer
    with PackagersManager() as manager:
        assert manager.choose_packager(things.Gadget())[0].qualified_name() == writer
        package = manager.pack(things.Gadget(), "gadget")
        path = tmp_path / "gadget.gadget"
        path.write_bytes(b"")
        data = _explained(cli, str(path), "--as", "agree_things.Gadget")
        calls = _unpacked_by(monkeypatch, manager)
        with pytest.raises(UnpackingError, match="GadgetWriter: declines 'file'"):
            manager.unpack(str(path), things.Gadget)
    assert data["chosen"] is None
    assert _tried(data) == calls == []
    assert package.manifest["packager"] == writer


def test_explain_a_union_hint_follows_the_written_order_as_unpacking_does(
    cli: Cli, things: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "one.thing"
    path.write_text("SubThing")
    data = _explained(cli, str(path), "--as", "builtins.int | agree_things.Thing")
    with PackagersManager() as manager:
        calls = _unpacked_by(monkeypatch, manager)
        value = manager.unpack(str(path), int | things.Thing)
    assert isinstance(value, things.SubThing)
    assert _tried(data)[: len(calls)] == calls
    assert data["chosen"] == calls[-1] == things.ThingPackager.qualified_name()
    declined = [row["packager"] for row in data["candidates"] if row["hint"] == "int"]
    assert declined and all(
        row["verdict"] != "chosen" for row in data["candidates"] if row["hint"] == "int"
    )


def test_explain_a_plain_file_without_suffix_agrees_with_unpacking(
    cli: Cli, things: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nameless"
    path.write_text("Thing")
    data = _explained(cli, str(path), "--as", "agree_things.Thing")
    with PackagersManager() as manager:
        calls = _unpacked_by(monkeypatch, manager)
        with pytest.raises(UnpackingError) as raised:
            manager.unpack(str(path), things.Thing)
    assert data["chosen"] is None and calls == []
    for row in data["candidates"]:
        assert row["reason"] in str(raised.value)
    rows = {row["packager"]: row for row in data["candidates"]}
    assert rows[things.ThingPackager.qualified_name()]["verdict"] == "declined"
    assert rows["packagers._builtin.PicklePackager"]["verdict"] == "not a pickle"
    plain = _explained(cli, str(path))
    row = next(r for r in plain["candidates"] if r["packager"].endswith("ThingPackager"))
    assert row["verdict"] == "declined"


def test_explain_a_hint_disagreeing_with_the_manifest_unpacks_as_the_hint(
    cli: Cli, things: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "store")
    uri = packagers.log(things.SubThing(), "thing", store=store).uri
    agreeing = _explained(cli, uri, "--store", store, "--as", "builtins.int | agree_things.Thing")
    assert [(row["route"], row["hint"]) for row in agreeing["candidates"]] == [
        ("recorded", "Thing")
    ]
    disagreeing = _explained(cli, uri, "--store", store, "--as", "builtins.int")
    with PackagersManager() as manager:
        calls = _unpacked_by(monkeypatch, manager)
        with pytest.raises(UnpackingError, match="it was packed as a agree_things.SubThing"):
            manager.unpack(packagers.get_store(store).resolve(uri), int)
    assert disagreeing["chosen"] is not None or calls == []
    assert "recorded" not in [row["route"] for row in disagreeing["candidates"]]
    assert _tried(disagreeing) == calls


def test_every_verdict_names_a_collected_packager() -> None:
    with PackagersManager() as manager:
        names = {packager.qualified_name() for packager in manager.packagers}
        verdicts = manager.pack_verdicts(int)
    assert {verdict.packager for verdict in verdicts} == names
    assert isinstance(manager.packager(verdicts[0].packager), Packager)
