"""``packagers explain TARGET``: why a type, an object, a file or an artifact goes where it goes.

Dispatch is decided by the manager (:mod:`packagers.manager.dispatch`): this module prints its
verdicts, packager by packager, so a user sees why the chosen packager won and why every other
one did not. Longer than 400 lines because it holds one command's four targets (type, object,
file with or without ``--as``, stored artifact) and their rendering; splitting it by target is
for the CLI pass, not this refactor.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packagers.artifacts import ArtifactType
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
from packagers.manager.dispatch import NO_OBJECT, decides_per_object
from packagers.plugins.records import PackagerState
from packagers.store.uri import SCHEME

if TYPE_CHECKING:
    from packagers.data_item import DataItem
    from packagers.manager import PackagersManager
    from packagers.packager import Packager
    from packagers.plugins.records import PackagerRecord

__all__ = ["register"]

#: How explain shows the manager's accepted verdicts (a declined one shows its own code).
CHOSEN, LOWER, ACCEPTS, IF_DECLINED, IF_IT_FAILS = (
    "chosen",
    "lower priority",
    "accepts",
    "if declined",
    "if it fails",
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
    parser.add_argument(
        "--as",
        dest="type_hint",
        metavar="HINT",
        default=None,
        help="for a file or store URI: the steps unpacking it for this type hint goes through "
        "(a type name, or names joined by '|')",
    )
    add_store_option(parser)
    parser.set_defaults(handler=explain_command)


def explain_command(args: argparse.Namespace) -> int:
    from packagers import PackagersManager

    target: str = args.target
    with PackagersManager() as manager:
        if args.type_hint is not None and (target.startswith(SCHEME) or os.path.exists(target)):
            from packagers import DataItem

            item = (
                open_store(args).resolve(target) if target.startswith(SCHEME) else DataItem(target)
            )
            data = _explain_unpacking(target, item, _parse_type_hint(args.type_hint), manager)
            ok = data["chosen"] is not None
        elif target.startswith(SCHEME):
            data = _explain_artifact(target, open_store(args).resolve(target), manager)
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


_NO_OBJECT = NO_OBJECT


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
            "priority": self.record.priority if self.record.state == PackagerState.ACTIVE else None,
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
    """The manager's verdict of each packager, in priority order; packing takes the first.

    With an object, each packager is asked about the object itself (``is_packable`` may look
    inside it); with only a type, about the type and the artifact types it declares. A chosen
    packager with its own ``is_packable`` may decline some objects of the type: the next one
    that fits is then named as what packs those (``if declined``).
    """
    from packagers import list_packagers
    from packagers.type_hints import type_name

    name = type_name(tp)
    verdicts = {v.packager: v for v in manager.pack_verdicts(tp, artifact_type, obj)}
    candidates: list[_Candidate] = []
    chosen: tuple[Packager, PackagerRecord, str] | None = None
    fallback: str | None = None
    per_object = False  # the chosen packager picks the artifact type of each object
    for record in list_packagers():
        verdict = verdicts.get(record.name) if record.state == PackagerState.ACTIVE else None
        packager = manager.packager(record.name) if verdict is not None else None
        if verdict is None or packager is None:
            why = f"{record.error}; {_NOT_LOADED}" if record.error else _NOT_LOADED
            candidates.append(_Candidate(record, record.state, why))
            continue
        if not verdict.accepted:
            candidates.append(_Candidate(record, verdict.code, verdict.reason))
            continue
        if chosen is None:
            chosen = packager, record, verdict.artifact_type or ""
            per_object = obj is _NO_OBJECT and not artifact_type and decides_per_object(packager)[1]
            anything = " (the fallback for any type)" if record.packable_type == "any" else ""
            reason = f"the first in priority order that packs {name}{anything}"
            if verdict.reason:  # what it decides per object (only a type was given)
                reason += f"; {verdict.reason}"
            candidates.append(_Candidate(record, CHOSEN, reason))
            continue
        winner, winner_record, _ = chosen
        if fallback is None and obj is _NO_OBJECT and decides_per_object(winner)[0]:
            fallback = record.name
            reason = f"packs what {winner.qualified_name()} declines"
            candidates.append(_Candidate(record, IF_DECLINED, reason))
            continue
        order = ", earlier in order" if winner_record.priority == record.priority else ""
        reason = f"{winner.qualified_name()} comes first (priority {winner_record.priority}{order})"
        candidates.append(_Candidate(record, LOWER, reason))
    return {
        "target": target,
        "kind": "type" if obj is _NO_OBJECT else "object",
        "type": name,
        "artifact_type": artifact_type,
        "notes": _unknown_type_notes(artifact_type) + _family_notes(tp, name, chosen is not None),
        "chosen": None if chosen is None else {**_chosen(*chosen), "per_object": per_object},
        "if_declined": fallback,
        "candidates": [candidate.to_dict() for candidate in candidates],
    }


def _unknown_type_notes(artifact_type: str | None) -> list[str]:
    """An artifact type no collected packager packs at all: likely a typo, said as a run says."""
    from packagers._suggest import did_you_mean
    from packagers.plugins.collection import collect

    known = sorted(collect().packing_artifact_types)
    if artifact_type is None or artifact_type in known:
        return []
    return [
        f"no installed packager packs the artifact type {artifact_type!r}"
        + did_you_mean(artifact_type, known)
        + f" (known types: {', '.join(known)})"
    ]


def _family_notes(tp: type, name: str, packed: bool) -> list[str]:
    """What to install when ``tp`` is of a family whose plugin is not here (as packing warns)."""
    from packagers.plugins.families import missing_family

    family = missing_family(tp)
    if family is None:
        return []
    if packed:
        return [
            f"{name} is pickled because its plugin is not installed; pip install {family} to "
            "store it in its own formats"
        ]
    return [f"its plugin is not installed: pip install {family} to pack {name} in its own formats"]


def _chosen(packager: Packager, record: PackagerRecord, artifact_type: str) -> dict[str, Any]:
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
    import importlib.util

    from packagers.plugins.families import FAMILIES

    declared = [r.name for r in list_packagers() if r.packable_type == target]
    hint = f"; declared by {', '.join(declared)}" if declared else ""
    library = target.partition(".")[0]
    if library in FAMILIES and importlib.util.find_spec(library) is None:
        raise CommandError(
            f"{target!r} cannot be imported: {library} is not installed; pip install "
            f"{FAMILIES[library]} to get it and its packagers"
        )
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
    from packagers.formats import is_pickle

    item = DataItem(path)
    if is_pickle(item.suffix) and config.pickle.policy != "deny":
        from packagers import _pickle

        obj = _pickle.load(path, {}, what=path)
        return _explain_packing(path, type(obj), manager, artifact_type, obj)
    notes = ["without a type hint a run passes the file as a DataItem"]
    if is_pickle(item.suffix):
        notes.append("the pickle was not loaded: the pickle policy is 'deny'")
    return {
        "target": path,
        "kind": "file",
        "suffix": item.suffix or None,
        "notes": notes,
        "candidates": _unpack_candidates(item, manager),
    }


def _unpack_candidates(item: DataItem, manager: PackagersManager) -> list[dict[str, Any]]:
    """For each packager: the manager's verdict on this file for a hint of the packager's type."""
    from packagers import list_packagers
    from packagers.type_hints import import_type

    rows = []
    for record in list_packagers():
        packager = manager.packager(record.name) if record.state == PackagerState.ACTIVE else None
        row = _Candidate(record, record.state, record.error or _NOT_LOADED).to_dict()
        if packager is not None:
            declared = packager.PACKABLE_OBJECT_TYPE
            tp = import_type(declared) if isinstance(declared, str) else packager.packable_type()
            if tp is None:
                row.update(verdict="declined", reason=f"{declared} cannot be imported here")
                rows.append(row)
                continue
            steps = manager.unpack_steps(item, tp)
            # A hint some step answers without any packager (str, Path) never reaches this one.
            step = next((s for s in steps if s.verdict.packager == record.name), steps[0])
            verdict = step.verdict
            if verdict.accepted and verdict.packager == record.name:
                reason = f"for a {row['type']} hint, as {verdict.artifact_type!r}"
                row.update(verdict=ACCEPTS, reason=reason)
            elif verdict.accepted:
                row.update(
                    verdict="not asked", reason=f"for a {row['type']} hint: {verdict.reason}"
                )
            else:
                row.update(verdict="declined", reason=verdict.reason)
            row["artifact_type"] = verdict.artifact_type
        rows.append(row)
    return rows


def _explain_unpacking(
    target: str, item: DataItem, type_hint: Any, manager: PackagersManager
) -> dict[str, Any]:
    """The steps unpacking ``item`` for ``type_hint`` goes through, as the manager takes them."""
    from packagers.manager.dispatch import hint_name

    rows = []
    chosen = None
    for step in manager.unpack_steps(item, type_hint):
        verdict = step.verdict
        if not verdict.accepted:
            shown = verdict.code if verdict.packager else "declined"
        elif chosen is None:
            shown, chosen = CHOSEN, verdict.packager or step.route
        else:
            shown = IF_IT_FAILS
        rows.append(
            {
                "hint": "" if step.member is None else hint_name(step.member),
                "packager": verdict.packager or None,
                "route": step.route,
                "artifact_type": verdict.artifact_type,
                "verdict": shown,
                "reason": verdict.reason,
            }
        )
    return {
        "target": target,
        "kind": "unpacking",
        "type_hint": hint_name(type_hint),
        "chosen": chosen,
        "candidates": rows,
    }


def _parse_type_hint(text: str) -> Any:
    """A ``--as`` hint: type names joined by ``|`` (``pandas.DataFrame | None``)."""
    import functools
    import operator

    members = [part.strip() for part in text.split("|")]
    types = [type(None) if member == "None" else _import(member) for member in members]
    return functools.reduce(operator.or_, types)


# -- stored artifacts -----------------------------------------------------------------------------


def _explain_artifact(uri: str, item: DataItem, manager: PackagersManager) -> dict[str, Any]:
    """Who packed a stored artifact, whether that packager is here, and what loading gives.

    Whether it can be unpacked here is the manager's verdict on unpacking it without a hint.
    """
    from packagers import config, list_packagers
    from packagers.manager._unpack import inactive_record
    from packagers.manifest import BUNDLE
    from packagers.type_hints import type_name

    manifest = item.manifest
    assert manifest is not None  # the store resolved it from its manifest
    (step,) = manager.unpack_steps(item)  # without a hint: the manifest's packager, or why not
    verdict = step.verdict
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
        "state": PackagerState.ACTIVE,
        "unpackable": verdict.accepted,
        "unpacks_into": manifest.get("object_type") if verdict.accepted else None,
        "notes": [] if verdict.accepted else [verdict.reason],
    }
    records = list_packagers()
    if artifact_type == ArtifactType.RESULT:
        rebuilt = any(
            r.name == packed_by["packager"]
            and r.state == PackagerState.ACTIVE
            and ArtifactType.RESULT in r.unpacking_artifact_types
            for r in records
        )
        if rebuilt:
            data["notes"].append(
                "a result: its packager rebuilds it from the stored JSON value (a hint whose "
                "class holds that value, such as list for a tuple, gets the value as is)"
            )
        else:
            data["unpacks_into"] = type_name(type(manifest.get("value")))
            data["notes"].append("a result: loading gives its stored JSON value as it is")
        return data
    if artifact_type == BUNDLE:
        bundle = manifest.get("bundle", {})
        kind = bundle.get("collection")  # the container's kind (see manifest.Bundle)
        if verdict.accepted:
            data["unpacks_into"] = bundle.get("object_type") or kind
        data["notes"].append(
            f"a bundle of {len(bundle.get('members', []))} members, each unpacked by its own "
            "packager and put back into its container"
        )
        return data
    here = next(
        (r for r in records if r.name == packed_by["packager"] and r.state == PackagerState.ACTIVE),
        None,
    )
    if here is None:
        inactive = inactive_record(manifest)
        data["state"] = "missing" if inactive is None else inactive.state
        return data
    if here.version != manifest.get("distribution_version"):
        data["notes"].append(
            f"packed with {packed_by['distribution']}, installed here: "
            f"{distribution_label(here.to_dict())}"
        )
    if verdict.accepted and artifact_type == ArtifactType.OBJECT:
        policy = config.pickle.policy
        data["notes"].append(f"a pickle: loading it runs code, the pickle policy is {policy!r}")
        if policy == "deny":
            data.update(unpackable=False, unpacks_into=None)
    return data


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
    if kind == "unpacking":
        chosen = data["chosen"] or "nothing here"
        print(f"{data['target']} as {data['type_hint']} -> {chosen}")
        print()
        columns = ["hint", "packager", "route", "artifact_type", "verdict", "reason"]
        print_table(
            [column.replace("_", " ") for column in columns],
            [[row.get(column) for column in columns] for row in data["candidates"]],
            empty="nothing to try",
        )
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
            if chosen.get("per_object"):
                default = " (its default; it picks the artifact type per object)"
            print(f"{data['type']} -> {chosen['packager']} as {chosen['artifact_type']!r}{default}")
            print(
                f"  plugin {_plugin_label(chosen)}, priority {chosen['priority']}; "
                f"plain files unpack as {chosen['default_unpacking_artifact_type']!r}"
            )
            if data.get("if_declined"):
                print(f"  objects it declines go to {data['if_declined']}")
        for note in data["notes"]:
            print(f"note: {note}")
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
