"""The pickle fallback: provenance, policy, digest and signature."""

from __future__ import annotations

import json

import pytest

from packagers import (
    DataItem,
    PackagersManager,
    PackagersWarning,
    PackingError,
    UnpackingError,
    config,
)
from packagers._builtin import PicklePackager


class Thing:
    def __init__(self, value: int) -> None:
        self.value = value


def _packed(manager, obj=None):
    package = manager.pack(obj if obj is not None else Thing(3), "thing")
    return package, DataItem(package.artifact.src_path, manifest=package.manifest)


@pytest.fixture
def manager():
    with PackagersManager([PicklePackager]) as manager:
        yield manager


def test_the_manifest_records_python_pickle_module_and_object_distribution(manager):
    import pluggy

    package, _ = _packed(manager, pluggy.HookimplMarker("x"))
    instructions = package.manifest["instructions"]
    assert instructions["pickle_module"] == "cloudpickle"
    assert instructions["pickle_module_version"]
    assert instructions["python_version"].count(".") == 2
    assert instructions["object_module"].startswith("pluggy")
    assert instructions["object_distribution"] == "pluggy"
    assert instructions["object_distribution_version"] == pluggy.__version__
    json.dumps(package.manifest)


def test_policy_allow_loads_silently(manager):
    config.pickle.policy = "allow"
    _, item = _packed(manager)
    assert manager.unpack(item).value == 3


def test_policy_warn_warns_then_loads(manager):
    _, item = _packed(manager)
    with pytest.warns(PackagersWarning, match="runs code from the file"):
        assert manager.unpack(item).value == 3


def test_policy_deny_refuses_before_reading(manager):
    config.pickle.policy = "deny"
    _, item = _packed(manager)
    with pytest.raises(UnpackingError, match="policy is 'deny'"):
        manager.unpack(item)


def test_a_changed_file_is_refused_before_unpickling(manager):
    config.pickle.policy = "allow"
    package, item = _packed(manager)
    with open(package.artifact.src_path, "ab") as stream:
        stream.write(b"tampered")
    with pytest.raises(UnpackingError, match="sha256 .* differs"):
        manager.unpack(item)


def test_signed_pickles_load_and_unsigned_or_badly_signed_are_refused(manager):
    config.pickle.policy = "allow"
    config.pickle.signing_key = "s3cret"
    package, item = _packed(manager)
    assert package.manifest["instructions"]["signature"]
    assert manager.unpack(item).value == 3
    config.pickle.signing_key = "another key"
    with pytest.raises(UnpackingError, match="signature does not match"):
        manager.unpack(item)
    config.pickle.signing_key = None
    _, unsigned_item = _packed(manager)
    config.pickle.signing_key = "s3cret"
    with pytest.raises(UnpackingError, match="not signed"):
        manager.unpack(unsigned_item)


def test_another_python_minor_version_warns(manager):
    config.pickle.policy = "allow"
    package, _ = _packed(manager)
    manifest = json.loads(json.dumps(package.manifest))
    manifest["instructions"]["python_version"] = "3.8.18"
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.warns(PackagersWarning, match="pickled with Python 3.8.18"):
        assert manager.unpack(item).value == 3


def test_another_pickle_module_version_warns_as_python_and_library_versions_do(manager):
    config.pickle.policy = "allow"
    package, _ = _packed(manager)
    manifest = json.loads(json.dumps(package.manifest))
    manifest["instructions"]["pickle_module_version"] = "0.0.1"
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.warns(PackagersWarning, match=r"pickled with cloudpickle 0.0.1, this environment"):
        assert manager.unpack(item).value == 3


def test_a_pickle_another_python_cannot_load_is_an_error_naming_both_versions(manager, tmp_path):
    """A newer Python's pickle fails with a bare error about opcodes; the cause is the version."""
    import hashlib

    config.pickle.policy = "allow"
    data = b"\x80\x09N."  # protocol 9: written by a Python from the future
    path = tmp_path / "thing.pkl"
    path.write_bytes(data)
    manifest = json.loads(json.dumps(_packed(manager)[0].manifest))
    manifest["instructions"].update(
        python_version="3.99.0", sha256=hashlib.sha256(data).hexdigest()
    )
    item = DataItem(str(path), key="thing", manifest=manifest)
    with (
        pytest.warns(PackagersWarning),
        pytest.raises(UnpackingError, match=r"'thing': it was pickled with Python 3\.99\.0 and"),
    ):
        manager.unpack(item)


def test_refusals_name_the_artifact(manager):
    config.pickle.policy = "deny"
    _, item = _packed(manager)
    with pytest.raises(UnpackingError, match=r"refusing to unpickle 'thing'"):
        manager.unpack(item)


def test_a_pickle_module_that_cannot_be_imported_names_the_setting(manager):
    config.pickle.module = "no_such_pickler"
    with pytest.raises(PackingError, match=r"'no_such_pickler' \(setting pickle\.module"):
        manager.pack(Thing(1), "thing")


def test_another_distribution_version_warns(manager):
    import pluggy

    config.pickle.policy = "allow"
    package, _ = _packed(manager, pluggy.HookimplMarker("x"))
    manifest = json.loads(json.dumps(package.manifest))
    manifest["instructions"]["object_distribution_version"] = "0.0.1"
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.warns(PackagersWarning, match=r"pickled with pluggy 0.0.1"):
        manager.unpack(item)


def test_a_missing_module_is_an_error_naming_the_distribution(manager):
    config.pickle.policy = "allow"
    package, _ = _packed(manager)
    manifest = json.loads(json.dumps(package.manifest))
    manifest["instructions"].update(
        object_module="gone_module.models",
        object_distribution="gone-dist",
        object_distribution_version="1.2",
    )
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.raises(UnpackingError, match=r"install gone-dist==1.2"):
        manager.unpack(item)


def test_the_pickle_module_is_configurable(manager):
    config.pickle.module = "pickle"
    config.pickle.policy = "allow"
    package, item = _packed(manager, {"plain": [1, 2]})
    assert package.manifest["instructions"]["pickle_module"] == "pickle"
    config.pickle.module = "cloudpickle"
    assert manager.unpack(item) == {"plain": [1, 2]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pickle_module", "json"),
        ("object_module", "tabnanny"),
        ("object_type", "tabnanny.Whitespace"),
        ("sha256", "0" * 64),
    ],
)
def test_the_signature_covers_the_modules_the_loader_imports(manager, monkeypatch, field, value):
    import importlib

    config.pickle.policy = "allow"
    config.pickle.signing_key = "s3cret"
    package, _ = _packed(manager)
    manifest = json.loads(json.dumps(package.manifest))
    manifest["instructions"][field] = value
    item = DataItem(package.artifact.src_path, manifest=manifest)

    def no_import(name, *args, **kwargs):
        raise AssertionError(f"imported {name} before the signature was checked")

    monkeypatch.setattr(importlib, "import_module", no_import)
    with pytest.raises(UnpackingError, match="refusing to unpickle 'thing'"):
        manager.unpack(item)


def test_a_digest_only_signature_of_an_older_version_is_refused_clearly(manager):
    import hashlib
    import hmac

    config.pickle.policy = "allow"
    config.pickle.signing_key = "s3cret"
    package, _ = _packed(manager)
    manifest = json.loads(json.dumps(package.manifest))
    instructions = manifest["instructions"]
    instructions["signature"] = hmac.new(
        b"s3cret", instructions["sha256"].encode(), hashlib.sha256
    ).hexdigest()
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.raises(UnpackingError, match="older packagers.*SIGNING_KEY unset"):
        manager.unpack(item)


def _swallowing_reader(data: bytes) -> object:
    """A library that unpickles and hides failures, as PyTables does for attributes."""
    from packagers._pickle import PICKLE_STAND_IN

    try:
        return PICKLE_STAND_IN.loads(data)
    except Exception:
        return data


def test_the_stand_in_loads_plain_data_and_refuses_code_even_when_the_library_swallows():
    import datetime
    import pickle

    from packagers._pickle import guarded_unpickling

    config.pickle.policy = "deny"
    plain = {"names": [None, "a"], "tz": datetime.timezone.utc, "n": (1, 2.5)}
    with guarded_unpickling("the file 'x'"):
        assert _swallowing_reader(pickle.dumps(plain)) == plain
    with (
        pytest.raises(UnpackingError, match=r"the file 'x' \(a pickle in it names .*Thing\).*deny"),
        guarded_unpickling("the file 'x'"),
    ):
        assert _swallowing_reader(pickle.dumps(Thing(1))) == pickle.dumps(Thing(1))
    assert _swallowing_reader(pickle.dumps(Thing(2))).value == 2  # outside: plain pickle
