"""Collection through real entry points: discovery, priority, policy and failure handling."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest

import packagers
from packagers import (
    CollectionError,
    ConfigError,
    DataItem,
    DefaultPackager,
    PackagersManager,
    PackagersWarning,
    UnpackingError,
    config,
)
from packagers.package import Package

PLUGIN = """
from fractions import Fraction
from packagers import Artifact, DefaultPackager
from packagers.plugins.hookspecs import hookimpl

class FractionPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Fraction
    DEFAULT_PACKING_ARTIFACT_TYPE = "result"
    PRIORITY = {priority}

    def pack_result(self, obj, key):
        return {{key: str(obj)}}

@hookimpl
def packagers_register():
    return [FractionPackager]
"""


def _fraction_plugin(make_distribution, module="fraction_plugin", priority="...", **kwargs):
    return make_distribution(
        kwargs.pop("name", "packagers-fraction"),
        {module: PLUGIN.format(priority=priority)},
        {kwargs.pop("entry", "fraction"): module},
        **kwargs,
    )


def _record(name):
    return next(r for r in packagers.list_packagers() if r.name == name)


def test_a_third_party_plugin_is_found_with_its_distribution(make_distribution):
    _fraction_plugin(make_distribution, version="2.3")
    record = _record("fraction_plugin.FractionPackager")
    assert (record.plugin, record.distribution, record.version) == (
        "fraction",
        "packagers-fraction",
        "2.3",
    )
    assert record.priority == 5
    assert record.state == "active"
    assert record.packable_type == "fractions.Fraction"
    assert record.packing_artifact_types == ("object", "result")
    assert _packed(Fraction(1, 3), "third").value == "1/3"


def test_priority_set_on_the_class_is_honoured_and_orders_the_list(make_distribution):
    _fraction_plugin(make_distribution, priority=2)
    names = [r.name for r in packagers.list_packagers() if r.state == "active"]
    assert names[0] == "fraction_plugin.FractionPackager"
    assert names[-1] == "packagers._builtin.PicklePackager"
    priorities = [r.priority for r in packagers.list_packagers() if r.state == "active"]
    assert priorities == sorted(priorities)


def test_a_blocked_plugin_is_not_imported(make_distribution):
    _fraction_plugin(make_distribution)
    config.plugins.blocked = ["fraction"]
    record = next(r for r in packagers.list_packagers() if r.plugin == "fraction")
    assert record.state == "blocked"
    assert "fraction_plugin" not in sys.modules
    assert _packed(Fraction(1, 3), "third").artifact_type == "object"


def test_autoload_off_loads_only_mandatory_and_essential_plugins(make_distribution):
    _fraction_plugin(make_distribution)
    config.plugins.autoload = False
    states = {r.plugin: r.state for r in packagers.list_packagers()}
    assert states["fraction"] == "blocked"
    assert states["builtin"] == "active"
    config.plugins.mandatory = ["fraction"]
    assert _record("fraction_plugin.FractionPackager").state == "active"


def test_the_essential_plugin_cannot_be_blocked():
    config.plugins.blocked = ["builtin"]
    with pytest.raises(ConfigError, match="essential"):
        packagers.list_packagers()


def test_a_plugin_both_mandatory_and_blocked_is_a_config_error(make_distribution):
    """Contradictory settings must not silently resolve to "blocked"."""
    _fraction_plugin(make_distribution)
    config.plugins.mandatory = ["fraction"]
    config.plugins.blocked = ["fraction"]
    with pytest.raises(ConfigError, match="'fraction' are both mandatory.*and blocked"):
        packagers.list_packagers()


BROKEN = "raise ImportError('libfraction.so: cannot open shared object file')\n"


def test_an_optional_plugin_that_fails_is_skipped_with_a_warning(make_distribution):
    make_distribution("packagers-broken", {"broken_plugin": BROKEN}, {"broken": "broken_plugin"})
    with pytest.warns(PackagersWarning, match="broken.*packagers-broken.*libfraction"):
        records = packagers.list_packagers()
    record = next(r for r in records if r.plugin == "broken")
    assert record.state == "failed"
    assert "libfraction.so" in record.error
    assert _packed(Fraction(1, 2), "half").artifact_type == "object"


def test_a_mandatory_plugin_that_fails_raises_naming_it(make_distribution):
    make_distribution("packagers-broken", {"broken_plugin": BROKEN}, {"broken": "broken_plugin"})
    config.plugins.mandatory = ["broken"]
    with pytest.raises(CollectionError, match=r"'broken' \(distribution packagers-broken\).*libfr"):
        packagers.list_packagers()


def test_a_mandatory_plugin_that_is_not_installed_raises():
    config.plugins.mandatory = ["nowhere"]
    with pytest.raises(CollectionError, match="'nowhere' are not installed"):
        packagers.list_packagers()


def test_strict_mode_turns_an_optional_failure_into_an_error(make_distribution):
    make_distribution("packagers-broken", {"broken_plugin": BROKEN}, {"broken": "broken_plugin"})
    config.strict = True
    with pytest.raises(CollectionError, match="broken"):
        packagers.list_packagers()


def test_two_packagers_with_the_same_name_are_an_error(make_distribution):
    _fraction_plugin(make_distribution)
    copy = (
        "from fraction_plugin import FractionPackager\n"
        "from packagers.plugins.hookspecs import hookimpl\n"
        "@hookimpl\n"
        "def packagers_register():\n"
        "    return [FractionPackager]\n"
    )
    make_distribution(
        "packagers-fraction-copy", {"fraction_copy": copy}, {"fraction2": "fraction_copy"}
    )
    with pytest.raises(CollectionError, match="two packagers named 'fraction_plugin.Fraction"):
        packagers.list_packagers()


def test_a_registered_class_with_a_bad_default_type_fails_at_collection(make_distribution):
    source = PLUGIN.format(priority="...").replace('"result"', '"file"')
    make_distribution("packagers-bad", {"bad_plugin": source}, {"bad": "bad_plugin"})
    with pytest.warns(PackagersWarning, match="FractionPackager.*'file' has no pack_file"):
        record = next(r for r in packagers.list_packagers() if r.plugin == "bad")
    assert record.state == "failed"


def test_custom_packagers_default_to_priority_3_and_beat_plugins(make_distribution):
    _fraction_plugin(make_distribution, priority="...")
    packagers.add_custom_packager("custom_fraction.FractionPackager")
    make_distribution("unused", {"custom_fraction": PLUGIN.format(priority="...")}, {})
    record = _record("custom_fraction.FractionPackager")
    assert (record.plugin, record.priority) == ("custom", 3)
    assert PackagersManager().choose_packager(Fraction(1, 2))[0].qualified_name() == (
        "custom_fraction.FractionPackager"
    )
    packagers.remove_custom_packager("custom_fraction.FractionPackager")
    with pytest.raises(CollectionError, match="not registered"):
        packagers.remove_custom_packager("custom_fraction.FractionPackager")


def test_an_optional_custom_packager_that_fails_to_import_is_skipped():
    packagers.add_custom_packager("no_such_module.Packager")
    with pytest.warns(PackagersWarning, match="no_such_module"):
        record = next(r for r in packagers.list_packagers() if r.plugin == "custom")
    assert record.state == "failed"


def test_failed_and_blocked_records_come_after_every_loaded_one(make_distribution):
    """Custom packagers first, then plugins, among the failed and blocked too."""
    _fraction_plugin(make_distribution)
    make_distribution("packagers-broken", {"broken_plugin": BROKEN}, {"broken": "broken_plugin"})
    config.plugins.blocked = ["fraction"]
    packagers.add_custom_packager("no_such_module.Packager")
    with pytest.warns(PackagersWarning):
        records = packagers.list_packagers()
    states = [record.state for record in records]
    loaded = states.count("active") + states.count("unavailable")
    assert set(states[:loaded]) <= {"active", "unavailable"}
    assert [(r.plugin, r.state) for r in records[loaded:]] == [
        ("custom", "failed"),
        ("broken", "failed"),
        ("fraction", "blocked"),
    ]
    assert {r.priority for r in records[loaded:]} == {10}


def test_a_mandatory_custom_packager_that_fails_raises():
    packagers.add_custom_packager("no_such_module.Packager", is_mandatory=True)
    with pytest.raises(CollectionError, match="no_such_module.Packager.*ModuleNotFoundError"):
        packagers.list_packagers()


def test_custom_packager_priority_argument_wins():
    from packagers._builtin import PicklePackager

    class Shadow(PicklePackager):
        PRIORITY = 9

    packagers.add_custom_packager(Shadow, priority=1)
    assert packagers.list_packagers()[0].name.endswith("Shadow")
    assert packagers.list_packagers()[0].priority == 1


def test_custom_packager_priority_must_be_an_int_not_a_bool():
    with pytest.raises(CollectionError, match="priority must be an int from 1 to 10"):
        packagers.add_custom_packager("some_module.Packager", priority=True)


def test_plugins_can_be_blocked_from_the_environment(make_distribution, monkeypatch):
    _fraction_plugin(make_distribution)
    monkeypatch.setenv("MLRUN_PACKAGERS__PLUGINS__BLOCKED", "fraction")
    config.reload()
    assert next(r for r in packagers.list_packagers() if r.plugin == "fraction").state == "blocked"


def test_blocking_a_plugin_that_is_not_installed_warns_listing_the_installed(
    make_distribution, monkeypatch
):
    _fraction_plugin(make_distribution)
    monkeypatch.setenv("MLRUN_PACKAGERS__PLUGINS__BLOCKED", "fraction, fractoin")
    with pytest.warns(
        PackagersWarning, match=r"BLOCKED names 'fractoin'.*installed plugins: .*fraction"
    ):
        records = packagers.list_packagers()
    assert next(r for r in records if r.plugin == "fraction").state == "blocked"


def test_import_and_collection_stay_light():
    code = (
        "import sys, packagers\n"
        "packagers.list_packagers()\n"
        "names = ('numpy', 'pandas', 'pyarrow', 'PIL', 'starlette', 'uvicorn', 'jinja2',\n"
        "         'sqlite3', 'rich')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(heavy)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]", output.stdout + output.stderr


class _ParquetLibPackager(DefaultPackager):
    """Needs a library that is not installed: listed as unavailable, never used."""

    PACKABLE_OBJECT_TYPE = "no_such_library_i11.Table"
    LIBRARY_DISTRIBUTION = "no-such-library"


class _DeclaredLibPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Fraction
    LIBRARY = "no_such_library_i11"


def test_the_required_library_comes_from_the_type_name_or_the_declaration():
    assert _ParquetLibPackager.required_library() == "no_such_library_i11"
    assert _ParquetLibPackager.missing_library() == "no-such-library"
    assert _DeclaredLibPackager.missing_library() == "no_such_library_i11"
    from packagers_stdlib import DictPackager

    assert DictPackager.required_library() is None and DictPackager.missing_library() is None


def test_a_packager_whose_library_is_missing_is_unavailable_and_says_what_to_install(tmp_path):
    from packagers.plugins import collect

    packagers.add_custom_packager(_ParquetLibPackager)
    name = _ParquetLibPackager.qualified_name()
    record = _record(name)
    assert record.state == "unavailable"
    assert "pip install no-such-library" in record.error
    assert name not in collect().by_name
    path = tmp_path / "table.bin"
    path.write_bytes(b"x")
    manifest = {"artifact_type": "file", "packager": name, "format": "bin"}
    with pytest.raises(UnpackingError, match="pip install no-such-library"):
        PackagersManager().unpack(DataItem(str(path), key="t", manifest=manifest))


def _packed(obj: object, hint: str) -> Package:
    """What packing gives, its temporary files deleted (only its fields are looked at)."""
    with PackagersManager() as manager:
        return manager.pack(obj, hint)
