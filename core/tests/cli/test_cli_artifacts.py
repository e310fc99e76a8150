"""``packagers artifacts ls|show|get|tag`` and ``explain`` of a stored artifact."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from packagers import DefaultPackager, add_custom_packager, config, remove_custom_packager
from packagers._digest import file_digest, stream_digest
from packagers.api import log
from packagers.cli import main
from packagers.store import get_store

if TYPE_CHECKING:
    from conftest import Cli

_THINGS = """
class Thing:
    pass
"""

_PLUGIN = """
from packagers import DefaultPackager
from packagers.plugins.hookspecs import hookimpl


class ThingPackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = "cli_stored_things.Thing"


@hookimpl
def packagers_register():
    return [ThingPackager]
"""


def _digest(path: Path) -> str:
    """The digest a manifest records for this file: the store's own algorithm, whichever it is."""
    return file_digest(str(path))[0]


@pytest.fixture
def point_uri(samples: ModuleType, store_url: str) -> str:
    return log(samples.Point(1.0, 2.0), "point : object", store=store_url).uri


# -- ls, show, tag ------------------------------------------------------------------------------


def test_cli_artifacts_ls(cli: Cli, samples: ModuleType, store_url: str) -> None:
    first = log(samples.Point(1.0, 2.0), "point : object", store=store_url)
    second = log(samples.Point(3.0, 4.0), "point : object", store=store_url)
    log(7, "count : result", store=store_url)
    log(samples.Point(0.0, 0.0), "elsewhere : object", project="other", store=store_url)

    table = cli("artifacts", "ls", "--store", store_url)
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0].split() == ["URI", "TAGS", "TYPE", "OBJECT", "TYPE", "SIZE"]
    assert any(second.uri in line and "cli_samples.Point" in line for line in lines)
    assert not any(first.uri in line for line in lines)  # only the latest version of each key
    assert any("store://default/count@" in line and "result" in line for line in lines)

    versions = cli("artifacts", "ls", "--key", "point", "--store", store_url, "--json").json()
    assert [ref["uri"] for ref in versions] == [second.uri, first.uri]
    assert [ref["tags"] for ref in versions] == [["latest"], []]
    assert versions[0]["manifest"]["object_type"] == "cli_samples.Point"
    other = cli("artifacts", "ls", "--project", "other", "--store", store_url, "--json").json()
    assert [ref["key"] for ref in other] == ["elsewhere"]


def test_cli_artifacts_ls_empty(cli: Cli, store_url: str) -> None:
    os.makedirs(store_url)  # a store nothing was logged to yet
    assert cli("artifacts", "ls", "--store", store_url).out == "no artifacts\n"


def test_cli_artifacts_show(cli: Cli, point_uri: str, store_url: str) -> None:
    result = cli("artifacts", "show", point_uri, "--store", store_url, "--json")
    assert result.code == 0
    manifest = get_store(store_url).manifest(point_uri)
    assert result.json() == {**manifest, "tags": ["latest"]}  # the manifest, and its tags now
    human = cli("artifacts", "show", point_uri, "--store", store_url)
    assert "uri " in human.out and point_uri in human.out
    assert "packager " in human.out and "PicklePackager" in human.out
    assert "instructions:" in human.out  # nested fields become indented blocks


def test_cli_artifacts_tag(cli: Cli, point_uri: str, store_url: str) -> None:
    result = cli("artifacts", "tag", point_uri, "best", "--store", store_url)
    assert result.code == 0
    assert result.out.strip().endswith("store://default/point:best")
    assert get_store(store_url).manifest("store://default/point:best")["uri"] == point_uri
    data = cli("artifacts", "tag", point_uri, "gold", "--store", store_url, "--json").json()
    assert data["uri"] == point_uri


@pytest.mark.parametrize(
    "argv",
    [
        ["artifacts", "show", "not-a-uri"],
        ["artifacts", "show", "store://default/nothing"],
        ["artifacts", "get", "store://a/b/c"],
        ["artifacts", "tag", "store://default/nothing", "best"],
        ["explain", "store://default/nothing"],
    ],
)
def test_cli_artifacts_bad_uri_exits_3_with_one_line(
    cli: Cli, store_url: str, argv: list[str]
) -> None:
    result = cli(*argv, "--store", store_url)
    assert result.code == 3
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1


# -- get ----------------------------------------------------------------------------------------


def test_cli_artifacts_get_copies_the_file_out(
    cli: Cli, point_uri: str, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = get_store(store_url).manifest(point_uri)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("artifacts", "get", point_uri, "--store", store_url)
    assert result.code == 0, result.err
    copied = work / "point.pkl"
    assert _digest(copied) == manifest["digest"]
    assert result.out.startswith(f"{point_uri} -> point.pkl (")
    assert "digest verified" in result.out
    assert result.err == ""  # no progress bar: stderr is not a terminal and the file is small

    into_directory = cli(
        "artifacts", "get", point_uri, "-o", str(tmp_path), "--store", store_url, "--json"
    ).json()
    assert into_directory == {
        "uri": point_uri,
        "path": str(tmp_path / "point.pkl"),
        "size": manifest["size"],
        "digest": manifest["digest"],
        "verified": True,
    }
    named = tmp_path / "copy.bin"
    assert cli("artifacts", "get", point_uri, "-o", str(named), "--store", store_url).code == 0
    assert _digest(named) == manifest["digest"]
    assert not list(tmp_path.glob("*.part"))


def test_cli_artifacts_get_to_stdout(
    point_uri: str, store_url: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["artifacts", "get", point_uri, "-o", "-", "--store", store_url]) == 0
    data = capsysbinary.readouterr().out
    manifest = get_store(store_url).manifest(point_uri)
    assert stream_digest(io.BytesIO(data))[0] == manifest["digest"]


def test_cli_artifacts_get_a_result_prints_its_value(cli: Cli, store_url: str) -> None:
    log({"a": [1, 2]}, "scores : result", store=store_url)
    result = cli("artifacts", "get", "store://default/scores", "--store", store_url)
    assert (result.code, result.out) == (0, '{"a": [1, 2]}\n')
    log("text", "label : result", store=store_url)
    assert cli("artifacts", "get", "store://default/label", "--store", store_url).out == "text\n"
    data = cli("artifacts", "get", "store://default/scores", "--store", store_url, "--json").json()
    assert data["value"] == {"a": [1, 2]}


def test_cli_artifacts_get_a_bundle_names_its_members(cli: Cli, store_url: str) -> None:
    log([1, 2], "*numbers", store=store_url)
    result = cli("artifacts", "get", "store://default/numbers", "--store", store_url)
    assert result.code == 3
    assert "bundle" in result.err
    assert "store://default/numbers_0@" in result.err


def test_cli_artifacts_get_refuses_a_corrupt_blob(
    cli: Cli, point_uri: str, store_url: str, tmp_path: Path
) -> None:
    manifest = get_store(store_url).manifest(point_uri)
    blob = Path(store_url) / manifest["blob"]
    blob.chmod(0o644)
    blob.write_bytes(b"garbage")
    target = tmp_path / "out.pkl"
    result = cli("artifacts", "get", point_uri, "-o", str(target), "--store", store_url)
    assert result.code == 3
    assert "corrupt" in result.err
    assert not target.exists()
    assert not list(tmp_path.glob("*.part"))


def test_cli_artifacts_get_to_an_unwritable_place_exits_3(
    cli: Cli, point_uri: str, store_url: str, tmp_path: Path
) -> None:
    result = cli(
        "artifacts",
        "get",
        point_uri,
        "-o",
        str(tmp_path / "no" / "dir" / "x.pkl"),
        "--store",
        store_url,
    )
    assert result.code == 3
    assert result.err.startswith("error: cannot write")


def test_cli_artifacts_get_draws_progress_for_large_files(
    cli: Cli, store_url: str, tmp_path: Path
) -> None:
    uri = log(bytearray(5 * 1024 * 1024), "big : object", store=store_url).uri
    result = cli("artifacts", "get", uri, "-o", str(tmp_path), "--store", store_url, "--progress")
    assert result.code == 0, result.err
    bars = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.err).splitlines()
    assert any(line.startswith("big") and "5.2/5.2 MB" in line for line in bars), result.err


# -- explain a stored artifact ------------------------------------------------------------------


def test_cli_explain_a_stored_pickle(cli: Cli, point_uri: str, store_url: str) -> None:
    result = cli("explain", point_uri, "--store", store_url, "--json")
    assert result.code == 0
    data = result.json()
    assert data["kind"] == "artifact"
    assert data["packed_by"]["packager"] == "packagers._builtin.PicklePackager"
    assert (data["state"], data["unpackable"]) == ("active", True)
    assert data["unpacks_into"] == "cli_samples.Point"
    assert any("pickle policy is 'warn'" in note for note in data["notes"])
    human = cli("explain", point_uri, "--store", store_url)
    assert "unpacks into   cli_samples.Point" in human.out


def test_cli_explain_a_stored_result(cli: Cli, store_url: str) -> None:
    log(3, "three : result", store=store_url)
    data = cli("explain", "store://default/three", "--store", store_url, "--json").json()
    assert (data["artifact_type"], data["unpackable"]) == ("result", True)


def test_cli_explain_an_artifact_whose_plugin_is_blocked(
    cli: Cli, store_url: str, make_distribution: Any
) -> None:
    make_distribution(
        "packagers-stored-things",
        {"cli_stored_things": _THINGS, "cli_stored_things_plugin": _PLUGIN},
        {"stored_things": "cli_stored_things_plugin"},
    )
    from cli_stored_things import Thing  # type: ignore[import-not-found]

    uri = log(Thing(), "thing : object", store=store_url).uri
    assert get_store(store_url).manifest(uri)["packager"] == (
        "cli_stored_things_plugin.ThingPackager"
    )
    with config.override(plugins__blocked="stored_things"):
        result = cli("explain", uri, "--store", store_url, "--json")
    assert result.code == 1
    data = result.json()
    assert (data["state"], data["unpackable"]) == ("blocked", False)
    assert data["packed_by"]["distribution"] == "packagers-stored-things==1.0"
    assert any("blocked by settings" in note for note in data["notes"])


def test_cli_explain_a_stored_pickle_under_deny_policy(
    cli: Cli, point_uri: str, store_url: str
) -> None:
    with config.override(pickle__policy="deny"):
        result = cli("explain", point_uri, "--store", store_url, "--json")
    assert result.code == 1
    assert result.json()["unpackable"] is False


def test_cli_explain_an_artifact_of_an_unregistered_custom_packager(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    class PointPackager(DefaultPackager):
        PACKABLE_OBJECT_TYPE = samples.Point

    add_custom_packager(PointPackager)
    uri = log(samples.Point(1.0, 1.0), "custom_point : object", store=store_url).uri
    remove_custom_packager(PointPackager)
    result = cli("explain", uri, "--store", store_url, "--json")
    assert result.code == 1
    data = result.json()
    assert data["state"] == "missing"
    assert data["packed_by"]["packager"] == PointPackager.qualified_name()
    assert any("add_custom_packager" in note for note in data["notes"])


# -- tags shown, untag, rm ----------------------------------------------------------------------


def test_cli_artifacts_show_and_ls_name_the_tags(cli: Cli, point_uri: str, store_url: str) -> None:
    assert cli("artifacts", "tag", point_uri, "best", "--store", store_url).code == 0
    shown = cli("artifacts", "show", "store://point:best", "--store", store_url)
    assert re.search(r"^tags\s+latest, best$", shown.out, re.MULTILINE), shown.out
    assert not re.search(r"^tag\s", shown.out, re.MULTILINE)
    listed = cli("artifacts", "ls", "--store", store_url)
    assert "latest, best" in listed.out


def test_cli_artifacts_untag(cli: Cli, point_uri: str, store_url: str) -> None:
    cli("artifacts", "tag", point_uri, "best", "--store", store_url)
    result = cli("artifacts", "untag", "store://point", "best", "--yes", "--store", store_url)
    assert result.code == 0, result.err
    shown = cli("artifacts", "show", "store://point:best", "--store", store_url)
    assert shown.code == 3 and "no tag 'best'" in shown.err


def test_cli_artifacts_untag_refuses_before_asking(
    cli: Cli, point_uri: str, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown key or tag is the error, not a confirmation question about it."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    unknown_tag = cli("artifacts", "untag", "store://point", "best", "--store", store_url)
    assert unknown_tag.code == 3 and "has no tag 'best'" in unknown_tag.err
    unknown_key = cli("artifacts", "untag", "store://pointt", "best", "--store", store_url)
    assert unknown_key.code == 3 and "has no artifact 'pointt'" in unknown_key.err
    cli("artifacts", "tag", point_uri, "best", "--store", store_url)
    asked = cli("artifacts", "untag", "store://point", "best", "--store", store_url)
    assert asked.code == 3 and "pass --yes" in asked.err and point_uri in asked.err
    assert cli("artifacts", "show", "store://point:best", "--store", store_url).code == 0


def test_cli_artifacts_rm_needs_yes_without_a_terminal(
    cli: Cli, point_uri: str, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    result = cli("artifacts", "rm", point_uri, "--store", store_url)
    assert result.code == 3 and "pass --yes" in result.err
    assert cli("artifacts", "show", point_uri, "--store", store_url).code == 0


def test_cli_artifacts_rm_then_gc(cli: Cli, point_uri: str, store_url: str) -> None:
    result = cli("artifacts", "rm", point_uri, "--yes", "--store", store_url, "--json")
    assert result.code == 0, result.err
    assert result.json()["deleted"] == [point_uri]
    assert cli("artifacts", "show", point_uri, "--store", store_url).code == 3
    gc = cli("store", "gc", "--store", store_url, "--json").json()
    assert [path for path in gc["removed"] if path.startswith("blobs/")]


def test_cli_artifacts_rm_refuses_a_bundle_member(cli: Cli, store_url: str) -> None:
    bundle = log([1, 2], "*nums", store=store_url)
    member = bundle.manifest["bundle"]["members"][0]["uri"]
    result = cli("artifacts", "rm", member, "--yes", "--store", store_url)
    assert result.code == 3 and f"named by {bundle.uri}" in result.err and "--force" in result.err
    forced = cli("artifacts", "rm", member, "--yes", "--force", "--store", store_url)
    assert forced.code == 0 and f"{bundle.uri} still names it" in forced.out


def test_cli_artifacts_rm_all_versions(cli: Cli, samples: ModuleType, store_url: str) -> None:
    for x in (1.0, 2.0):
        log(samples.Point(x, x), "point : object", store=store_url)
    result = cli("artifacts", "rm", "store://point", "--all-versions", "-y", "--store", store_url)
    assert result.code == 0 and result.out.count("deleted store://") == 2


def test_cli_artifacts_get_into_a_new_directory(
    cli: Cli, point_uri: str, store_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "deeper"
    result = cli("artifacts", "get", point_uri, "-o", f"{target}/", "--store", store_url)
    assert result.code == 0, result.err
    assert len(list(target.iterdir())) == 1


def test_cli_artifacts_get_error_names_the_users_path(
    cli: Cli, point_uri: str, store_url: str, tmp_path: Path
) -> None:
    wanted = tmp_path / "missing" / "point.bin"
    result = cli("artifacts", "get", point_uri, "-o", str(wanted), "--store", store_url)
    assert result.code == 3 and f"cannot write {wanted}:" in result.err
    assert ".part" not in result.err
