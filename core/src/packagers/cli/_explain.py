"""``packagers explain TARGET``: why a type, an object, a file or an artifact goes where it goes.

Dispatch is decided by the manager; this module only asks the same questions packing and
unpacking ask, packager by packager, and keeps the answer of each one, so a user sees why the
chosen packager won and why every other one did not.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packagers.cli._options import add_store_option, open_store
from packagers.cli._output import (
    EXIT_OK,
    EXIT_PROBLEM,
    CommandError,
    emit,
    print_fields,
    print_table,
)
from packagers.cli._plugins import distribution_label
from packagers.packager import Packager

if TYPE_CHECKING:
    from packagers.data_item import DataItem
    from packagers.manager import PackagersManager
    from packagers.plugins.collection import PackagerRecord

__all__ = ["register"]

_STORE_SCHEME = "store://"
#: Verdicts of the packagers that were considered.
CHOSEN, LOWER, OTHER_TYPE, SUBCLASS, ARTIFACT_TYPE, DECLINED, ACCEPTS, IF_DECLINED = (
    "chosen",
    "lower priority",
    "other type",
    "subclass not packed",
    "artifact type",
    "declined",
    "accepts",
    "if declined",
)
_NOT_LOADED = "not loaded, so it may handle this type unseen"


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "explain",
        parents=[flags],
        help="explain which packager handles a type, object file or artifact, and why",
        description="TARGET is a type name (pandas.DataFrame, builtins.dict, int), a file (a "
        "pickle is loaded and its object explained when the pickle policy allows; any other "
        "file is explained as a plain input), or a store:// URI. Exits 1 when nothing here "
        "can pack the type or unpack the artifact.",
    )
    parser.add_argument("target", metavar="TARGET", help="a type name, a file or a store URI")
    parser.add_argument(
        "--artifact-type",
        metavar="TYPE",
        default=None,
        help="ask for this artifact type instead of the packager's default (for types/objects)",
    )
    add_store_option(parser)
    parser.set_defaults(handler=explain_command)


def explain_command(args: argparse.Namespace) -> int:
    from packagers import PackagersManager

    target: str = args.target
    with PackagersManager() as manager:
        if target.startswith(_STORE_SCHEME):
            data = _explain_artifact(target, open_store(args).manifest(target))
            ok = data["unpackable"]
        elif os.path.exists(target):
            data = _explain_file(target, manager, args.artifact_type)
            ok = data["kind"] == "file" or data["chosen"] is not None
        else:
            data = _explain_packing(target, _import(target), manager, args.artifact_type)
            ok = data["chosen"] is not None
        emit(args, data, _render)
    return EXIT_OK if ok else EXIT_PROBLEM


# -- types and objects ----------------------------------------------------------------------------


_NO_OBJECT = object()


@dataclass
class _Candidate:
    record: PackagerRecord
    verdict: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "packager": self.record.name,
            "plugin": self.record.plugin,
            "distribution": distribution_label(self.record.to_dict()),
            "priority": self.record.priority if self.record.state == "active" else None,
            "type": self.record.packable_type or None,
            "verdict": self.verdict,
            "reason": self.reason,
        }


def _explain_packing(
    target: str,
    tp: type,
    manager: PackagersManager,
    artifact_type: str | None,
    obj: Any = _NO_OBJECT,
) -> dict[str, Any]:
    """Go through the packagers in priority order as packing does, keeping each one's verdict.

    With an object, each packager is asked about the object itself (``is_packable`` may look
    inside it); with only a type, about the type and the artifact types it declares. A chosen
    packager with its own ``is_packable`` may decline some objects of the type: the next one
    that fits is then named as what packs those (``if declined``).
    """
    from packagers import list_packagers
    from packagers.type_hints import type_name

    name = type_name(tp)
    candidates: list[_Candidate] = []
    chosen: tuple[Packager, PackagerRecord] | None = None
    fallback: str | None = None
    for record in list_packagers():
        packager = manager.packager(record.name) if record.state == "active" else None
        if packager is None:
            why = f"{record.error}; {_NOT_LOADED}" if record.error else _NOT_LOADED
            candidates.append(_Candidate(record, record.state, why))
            continue
        verdict, reason = _verdict(packager, tp, name, artifact_type, obj)
        if verdict == CHOSEN and chosen is not None:
            winner, winner_record = chosen
            if fallback is None and obj is _NO_OBJECT and _decides_per_object(winner):
                fallback = record.name
                verdict, reason = IF_DECLINED, f"packs what {winner.qualified_name()} declines"
            else:
                order = ", earlier in order" if winner_record.priority == record.priority else ""
                verdict, reason = (
                    LOWER,
                    (
                        f"{winner.qualified_name()} comes first "
                        f"(priority {winner_record.priority}{order})"
                    ),
                )
        elif verdict == CHOSEN:
            chosen = packager, record
            if obj is _NO_OBJECT and _decides_per_object(packager):
                reason += "; its is_packable may decline some objects"
        candidates.append(_Candidate(record, verdict, reason))
    return {
        "target": target,
        "kind": "type" if obj is _NO_OBJECT else "object",
        "type": name,
        "artifact_type": artifact_type,
        "chosen": None if chosen is None else _chosen(*chosen, artifact_type, obj),
        "if_declined": fallback,
        "candidates": [candidate.to_dict() for candidate in candidates],
    }


def _decides_per_object(packager: Packager) -> bool:
    """Whether the packager's own ``is_packable`` may look inside an object and decline it."""
    return type(packager).is_packable is not Packager.is_packable


def _verdict(
    packager: Packager, tp: type, name: str, artifact_type: str | None, obj: Any
) -> tuple[str, str]:
    handled = packager.packable_type_name()
    if not packager.handles_type(tp):
        packable = packager.packable_type()
        if isinstance(packable, type) and issubclass(tp, packable):
            return SUBCLASS, f"handles {handled} but not its subclasses (PACK_SUBCLASSES is off)"
        return OTHER_TYPE, f"handles {handled}"
    packs = packager.packing_artifact_types()
    if artifact_type is not None and artifact_type not in packs:
        return ARTIFACT_TYPE, f"does not pack {artifact_type!r}; packs {', '.join(sorted(packs))}"
    if obj is not _NO_OBJECT and not packager.is_packable(obj, artifact_type):
        return DECLINED, f"handles {handled} but declines this object (is_packable)"
    fallback = " (the fallback for any type)" if handled == "any" else ""
    return CHOSEN, f"the first in priority order that packs {name}{fallback}"


def _chosen(
    packager: Packager, record: PackagerRecord, artifact_type: str | None, obj: Any
) -> dict[str, Any]:
    if artifact_type is None:
        artifact_type = (
            packager.DEFAULT_PACKING_ARTIFACT_TYPE
            if obj is _NO_OBJECT
            else packager.get_default_packing_artifact_type(obj)
        )
    return {
        "packager": record.name,
        "plugin": record.plugin,
        "distribution": distribution_label(record.to_dict()),
        "priority": record.priority,
        "artifact_type": artifact_type,
        "packs": sorted(packager.packing_artifact_types()),
        "unpacks": sorted(packager.unpacking_artifact_types()),
        "default_unpacking_artifact_type": packager.DEFAULT_UNPACKING_ARTIFACT_TYPE,
    }


def _import(target: str) -> type:
    """The class a type name names; a bare name (``int``) is looked up among the builtins."""
    from packagers import list_packagers
    from packagers.type_hints import import_type

    name = target if "." in target else f"builtins.{target}"
    tp = import_type(name)
    if tp is not None:
        return tp
    declared = [r.name for r in list_packagers() if r.packable_type == target]
    hint = f"; declared by {', '.join(declared)}" if declared else ""
    raise CommandError(
        f"{target!r} is neither a file nor a store URI, and no type of that name can be imported "
        f"(give a dotted name such as pandas.DataFrame, and check its library is installed){hint}"
    )


# -- files ----------------------------------------------------------------------------------------


def _explain_file(
    path: str, manager: PackagersManager, artifact_type: str | None
) -> dict[str, Any]:
    """A pickle is loaded (policy permitting) and its object explained; any file as an input."""
    from packagers import DataItem, config
    from packagers.manager import _PICKLE_SUFFIXES

    item = DataItem(path)
    if item.suffix.endswith(_PICKLE_SUFFIXES) and config.pickle.policy != "deny":
        from packagers import _pickle

        obj = _pickle.load(path, {}, what=path)
        return _explain_packing(path, type(obj), manager, artifact_type, obj)
    notes = ["without a type hint a run passes the file as a DataItem"]
    if item.suffix.endswith(_PICKLE_SUFFIXES):
        notes.append("the pickle was not loaded: the pickle policy is 'deny'")
    return {
        "target": path,
        "kind": "file",
        "suffix": item.suffix or None,
        "notes": notes,
        "candidates": _unpack_candidates(item, manager),
    }


def _unpack_candidates(item: DataItem, manager: PackagersManager) -> list[dict[str, Any]]:
    """For each packager: the artifact type it picks for this file, and whether it would work."""
    from packagers import list_packagers
    from packagers.manager import _PICKLE_SUFFIXES
    from packagers.type_hints import import_type

    rows = []
    for record in list_packagers():
        packager = manager.packager(record.name) if record.state == "active" else None
        row = _Candidate(record, record.state, record.error or _NOT_LOADED).to_dict()
        if packager is not None:
            default = packager.get_default_unpacking_artifact_type(item)
            declared = packager.PACKABLE_OBJECT_TYPE
            tp = import_type(declared) if isinstance(declared, str) else packager.packable_type()
            if default == "object" and not item.suffix.endswith(_PICKLE_SUFFIXES):
                verdict, reason = DECLINED, "its default type 'object' needs a pickle file (.pkl)"
            elif tp is None:
                verdict, reason = DECLINED, f"{declared} cannot be imported here"
            elif not packager.is_unpackable(item, tp, default):
                verdict, reason = DECLINED, f"declines {default!r} for this file"
            else:
                verdict, reason = ACCEPTS, f"for a {row['type']} hint, as {default!r}"
            row.update(artifact_type=default, verdict=verdict, reason=reason)
        rows.append(row)
    return rows


# -- stored artifacts -----------------------------------------------------------------------------


def _explain_artifact(uri: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Who packed a stored artifact, whether that packager is here, and what loading gives."""
    from packagers import config, list_packagers

    artifact_type = manifest.get("artifact_type")
    packed_by = {
        "packager": manifest.get("packager"),
        "plugin": manifest.get("plugin"),
        "distribution": distribution_label(
            {
                "distribution": manifest.get("distribution"),
                "version": manifest.get("distribution_version"),
            }
        ),
    }
    data: dict[str, Any] = {
        "target": uri,
        "kind": "artifact",
        "key": manifest.get("key"),
        "artifact_type": artifact_type,
        "object_type": manifest.get("object_type"),
        "packed_by": packed_by,
        "state": "active",
        "unpackable": True,
        "unpacks_into": manifest.get("object_type"),
        "notes": [],
    }
    if artifact_type == "result":
        data["notes"].append("a result: loading gives its stored value, no packager is needed")
        return data
    if artifact_type == "bundle":
        bundle = manifest.get("bundle", {})
        data["unpacks_into"] = bundle.get("object_type") or bundle.get("collection")
        data["notes"].append(
            f"a bundle of {len(bundle.get('members', []))} members, each unpacked by its own "
            "packager and collected again"
        )
        return data
    records = list_packagers()
    here = next(
        (r for r in records if r.name == packed_by["packager"] and r.state == "active"), None
    )
    if here is None:
        data["state"], note = _why_missing(manifest, packed_by, records)
        data.update(unpackable=False, unpacks_into=None)
        data["notes"].append(note)
        return data
    if here.version != manifest.get("distribution_version"):
        data["notes"].append(
            f"packed with {packed_by['distribution']}, installed here: "
            f"{distribution_label(here.to_dict())}"
        )
    if artifact_type not in here.unpacking_artifact_types:
        data["unpackable"] = False
        data["unpacks_into"] = None
        data["notes"].append(
            f"{here.name} packs {artifact_type!r} but does not unpack it; "
            "`packagers artifacts get` copies the file out"
        )
    elif artifact_type == "object":
        policy = config.pickle.policy
        data["notes"].append(f"a pickle: loading it runs code, the pickle policy is {policy!r}")
        if policy == "deny":
            data.update(unpackable=False, unpacks_into=None)
    return data


def _why_missing(
    manifest: dict[str, Any], packed_by: dict[str, Any], records: list[PackagerRecord]
) -> tuple[str, str]:
    """The state of the packager that packed an artifact and is not active here, and the fix."""
    name, distribution = packed_by["packager"], manifest.get("distribution")
    same = [record for record in records if distribution and record.distribution == distribution]
    broken = next((record for record in same if record.state != "active"), None)
    if broken is not None:
        return broken.state, f"its plugin is {broken.state} here: {broken.error}"
    if same:
        return "missing", (
            f"{distribution_label(same[0].to_dict())} is installed but has no {name}; "
            f"install {packed_by['distribution']}"
        )
    if manifest.get("plugin") == "custom":
        return "missing", (
            f"{name} is a custom packager: register it with packagers.add_custom_packager"
        )
    wanted = packed_by["distribution"] or "the plugin that packed it"
    return "missing", f"not installed: pip install {wanted}"


# -- output ---------------------------------------------------------------------------------------


def _render(data: dict[str, Any]) -> None:
    kind = data["kind"]
    if kind == "artifact":
        packed_by = data["packed_by"]
        print_fields(
            {
                "artifact": data["target"],
                "artifact type": data["artifact_type"],
                "object type": data["object_type"],
                "packed by": packed_by["packager"],
                "plugin": _plugin_label(packed_by),
                "here": data["state"],
                "unpacks into": data["unpacks_into"] or "nothing here",
            }
        )
        for note in data["notes"]:
            print(f"note: {note}")
        return
    if kind == "file":
        print(f"{data['target']} is a plain file (suffix {data['suffix'] or 'none'}).")
        for note in data["notes"]:
            print(f"note: {note}")
        print()
        columns = ["packager", "type", "artifact_type", "verdict", "reason"]
    else:
        chosen = data["chosen"]
        wanted = f" as {data['artifact_type']!r}" if data["artifact_type"] else ""
        if chosen is None:
            print(f"no packager packs {data['type']}{wanted}.")
        else:
            default = "" if data["artifact_type"] else " (its default)"
            print(f"{data['type']} -> {chosen['packager']} as {chosen['artifact_type']!r}{default}")
            print(
                f"  plugin {_plugin_label(chosen)}, priority {chosen['priority']}; "
                f"plain files unpack as {chosen['default_unpacking_artifact_type']!r}"
            )
            if data.get("if_declined"):
                print(f"  objects it declines go to {data['if_declined']}")
        print()
        columns = ["packager", "plugin", "priority", "type", "verdict", "reason"]
    print_table(
        [column.replace("_", " ") for column in columns],
        [[row.get(column) for column in columns] for row in data["candidates"]],
        empty="no packagers collected",
    )


def _plugin_label(source: dict[str, Any]) -> str:
    """``pandas (packagers-pandas==0.1.0)``."""
    distribution = source.get("distribution")
    return f"{source['plugin']} ({distribution})" if distribution else str(source["plugin"])
