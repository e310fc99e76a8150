"""``packagers explain`` prints what the manager does: its verdicts, compared on tricky cases."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import packagers
from packagers import PackagersManager, PackingError, UnpackingError, config
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


class Widget:
    def __init__(self, size=1):
        self.size = size


class SubWidget(Widget):
    pass


class Lonely:
    pass


class SizedWidgets(DefaultPackager):
    '''Takes widgets up to size 10 (its own is_packable); a result up to 3, else an object.'''

    PACKABLE_OBJECT_TYPE = Widget

    def is_packable(self, obj, artifact_type=None):
        return super().is_packable(obj, artifact_type) and obj.size <= 10

    def get_default_packing_artifact_type(self, obj):
        return "result" if obj.size <= 3 else "object"

    def pack_result(self, obj, key):
        return {key: obj.size}


class AnyWidgets(DefaultPackager):
    '''Every widget, subclasses too, as a pickle: below SizedWidgets unless given a priority.'''

    PACKABLE_OBJECT_TYPE = Widget
    PACK_SUBCLASSES = True
    PRIORITY = 6
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


# -- packing: explain's chosen packager is the one packing uses ----------------------------------


@pytest.fixture
def widgets(things: Any) -> Any:
    """``agree_things`` with its widget packagers registered too."""
    packagers.add_custom_packager(things.SizedWidgets)
    packagers.add_custom_packager(things.AnyWidgets)
    return things


def _packed_by(obj: Any, hint: str) -> tuple[str, str]:
    """The packager and artifact type the manager packs ``obj`` with, from its manifest."""
    with PackagersManager() as manager:
        manifest = manager.pack(obj, hint).manifest
    return manifest["packager"] or "", manifest["artifact_type"]


def _explained_object(cli: Cli, obj: Any, tmp_path: Path, *argv: str) -> dict[str, Any]:
    """Explain ``obj`` itself: pickled to a file that explain loads."""
    path = tmp_path / f"{type(obj).__name__}-{id(obj)}.pkl"
    path.write_bytes(pickle.dumps(obj))
    with config.override(pickle__policy="allow"):
        return _explained(cli, str(path), *argv)


def _chosen(data: dict[str, Any]) -> tuple[str, str] | None:
    chosen = data["chosen"]
    return None if chosen is None else (chosen["packager"], chosen["artifact_type"])


def test_explain_priorities_name_the_packager_packing_uses(
    cli: Cli, widgets: Any, tmp_path: Path
) -> None:
    sized, anything = widgets.SizedWidgets.qualified_name(), widgets.AnyWidgets.qualified_name()
    small = widgets.Widget(2)
    data = _explained(cli, "agree_things.Widget")
    assert data["chosen"]["packager"] == _packed_by(small, "w")[0] == sized
    rows = {row["packager"]: row for row in data["candidates"]}
    assert rows[anything]["verdict"] == "if declined"  # SizedWidgets may decline a widget
    packagers.add_custom_packager(widgets.AnyWidgets, priority=1)  # now it comes first
    data = _explained(cli, "agree_things.Widget")
    assert data["chosen"]["packager"] == _packed_by(small, "w")[0] == anything
    assert {row["packager"]: row for row in data["candidates"]}[sized]["verdict"] == (
        "lower priority"
    )
    assert _chosen(_explained_object(cli, small, tmp_path)) == _packed_by(small, "w")


def test_explain_an_object_a_packager_declines_names_what_packs_it(
    cli: Cli, widgets: Any, tmp_path: Path
) -> None:
    """``is_packable`` and ``get_default_packing_artifact_type`` of a custom packager: asked
    about each object, explain and packing agree on the packager and the artifact type."""
    for size, expected in ((2, "result"), (5, "object"), (50, "object")):
        widget = widgets.Widget(size)
        data = _explained_object(cli, widget, tmp_path)
        assert _chosen(data) == _packed_by(widget, "w"), size
        assert data["chosen"]["artifact_type"] == expected
    declined = _explained_object(cli, widgets.Widget(50), tmp_path)
    row = next(r for r in declined["candidates"] if r["packager"].endswith("SizedWidgets"))
    assert row["verdict"] == "declined" and "is_packable" in row["reason"]
    assert declined["chosen"]["packager"] == widgets.AnyWidgets.qualified_name()
    typed = _explained(cli, "agree_things.Widget")  # only a type: the default, said to vary
    assert typed["chosen"]["per_object"] is True
    assert typed["if_declined"] == widgets.AnyWidgets.qualified_name()
    assert "it picks the artifact type per object" in cli("explain", "agree_things.Widget").out


def test_explain_a_subclass_goes_where_packing_puts_it(
    cli: Cli, widgets: Any, tmp_path: Path
) -> None:
    """SizedWidgets handles Widget only; AnyWidgets packs subclasses (and comes later)."""
    sub = widgets.SubWidget(2)
    data = _explained(cli, "agree_things.SubWidget")
    rows = {row["packager"]: row for row in data["candidates"]}
    assert rows[widgets.SizedWidgets.qualified_name()]["verdict"] == "subclass not packed"
    assert _chosen(data) == _packed_by(sub, "w") == (widgets.AnyWidgets.qualified_name(), "object")
    assert _chosen(_explained_object(cli, sub, tmp_path)) == _packed_by(sub, "w")


@pytest.mark.parametrize("artifact_type", ["object", "result", "file", "dataset"])
def test_explain_a_requested_artifact_type_agrees_with_packing(
    cli: Cli, widgets: Any, tmp_path: Path, artifact_type: str
) -> None:
    """Asked for an artifact type, both take the first packager that packs the object as it,
    or both refuse: for a widget, an object no packager but pickle takes, and a gadget.

    (The choice only: pickle's ``pack_result`` then refuses a Lonely, which is not JSON.)
    """
    for obj, target in (
        (widgets.Widget(2), "agree_things.Widget"),
        (widgets.Lonely(), "agree_things.Lonely"),
        (widgets.Gadget(), "agree_things.Gadget"),
    ):
        try:
            packager, chosen_type = PackagersManager().choose_packager(obj, artifact_type)
            packed: tuple[str, str] | None = (packager.qualified_name(), chosen_type)
        except PackingError:
            packed = None
        result = cli("explain", target, "--artifact-type", artifact_type, "--json")
        assert _chosen(result.json()) == packed, (target, artifact_type)
        assert result.code == (0 if packed else 1)
        by_object = _explained_object(cli, obj, tmp_path, "--artifact-type", artifact_type)
        assert _chosen(by_object) == packed, (target, artifact_type)


# -- unpacking a stored artifact: explain refuses what loading refuses ----------------------------


def test_explain_an_artifact_whose_packager_is_gone_agrees_with_loading(
    cli: Cli, things: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "store")
    uri = packagers.log(things.Thing(), "thing", store=store).uri
    packagers.remove_custom_packager(things.ThingPackager)
    hinted = _explained(cli, uri, "--store", store, "--as", "agree_things.Thing")
    plain = cli("explain", uri, "--store", store, "--json")
    with PackagersManager() as manager:
        calls = _unpacked_by(monkeypatch, manager)
        with pytest.raises(UnpackingError) as raised:
            manager.unpack(packagers.get_store(store).resolve(uri), things.Thing)
    assert hinted["chosen"] is None and _tried(hinted) == calls == []
    (row,) = hinted["candidates"]
    assert (row["route"], row["verdict"]) == ("recorded", "missing")
    assert row["reason"] == str(raised.value)
    assert plain.code == 1
    assert (plain.json()["state"], plain.json()["unpackable"]) == ("missing", False)
    assert str(raised.value) in plain.json()["notes"]


def test_explain_an_artifact_its_packager_cannot_unpack_agrees_with_loading(
    cli: Cli, things: Any, tmp_path: Path
) -> None:
    """GadgetWriter packs files it cannot read back: a stored gadget is refused by both."""
    store = str(tmp_path / "store")
    uri = packagers.log(things.Gadget(), "gadget", store=store).uri
    hinted = _explained(cli, uri, "--store", store, "--as", "agree_things.Gadget")
    with pytest.raises(UnpackingError, match="packs but cannot unpack") as raised:
        packagers.load(uri, things.Gadget, store=store)
    assert hinted["chosen"] is None
    (row,) = hinted["candidates"]
    assert (row["verdict"], row["reason"]) == ("artifact type", str(raised.value))
    plain = cli("explain", uri, "--store", store, "--json")
    assert plain.code == 1 and plain.json()["unpackable"] is False
    assert plain.json()["state"] == "active"
