"""``packagers store verify|gc|reindex``: check the blobs against the manifests, tidy, reindex."""

from __future__ import annotations

import argparse
from typing import Any

from packagers.cli._options import add_store_option, open_store
from packagers.cli._output import EXIT_OK, EXIT_PROBLEM, emit
from packagers.store.artifacts_index import ARTIFACTS_DIR
from packagers.store.blobs import BLOB_DIR

__all__ = ["register"]

#: The problems ``Store.verify`` reports, with what each means for a user.
_PROBLEMS = {
    "missing_blobs": ("missing", "a manifest points at a blob that is gone"),
    "corrupt_blobs": ("corrupt", "the blob's content no longer matches its digest"),
    "orphaned_blobs": (
        "orphaned",
        "no manifest points at the blob; `packagers store gc` removes it",
    ),
}


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "store",
        parents=[flags],
        help="verify and garbage-collect the store",
        description="Maintain the artifact store.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    verify = actions.add_parser(
        "verify",
        parents=[flags],
        help="hash every blob, match blobs to manifests, check every manifest, tag and run "
        "record (exit 1 on missing, corrupt or damaged data)",
    )
    add_store_option(verify)
    verify.set_defaults(handler=verify_command)

    gc = actions.add_parser(
        "gc",
        parents=[flags],
        help="delete orphaned blobs and previews, and dead writers' temporary files",
    )
    gc.add_argument(
        "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
    )
    add_store_option(gc)
    gc.set_defaults(handler=gc_command)

    reindex = actions.add_parser(
        "reindex",
        parents=[flags],
        help="rebuild the index that `runs ls` and `packagers ui` list from",
    )
    add_store_option(reindex)
    reindex.set_defaults(handler=reindex_command)


def verify_command(args: argparse.Namespace) -> int:
    report = open_store(args).verify()
    data: dict[str, Any] = {"ok": report.ok}
    data.update({name: [str(item) for item in getattr(report, name)] for name in _PROBLEMS})
    data["damaged_files"] = report.damaged_files
    emit(args, data, _render_verify)
    return EXIT_OK if report.ok else EXIT_PROBLEM


def _render_verify(data: dict[str, Any]) -> None:
    for name, (label, meaning) in _PROBLEMS.items():
        if data[name]:
            print(f"{len(data[name])} {label}: {meaning}")
            for item in data[name]:
                print(f"  {item}")
    damaged = data["damaged_files"]
    if damaged:
        print(f"{len(damaged)} damaged: a manifest, tag or run record changed from outside")
        for path, problem in damaged.items():
            print(f"  {path} {problem}")
    if data["ok"]:
        print("ok: every manifest's blob is present and intact")
    else:
        print("not ok: data is missing or damaged")


def gc_command(args: argparse.Namespace) -> int:
    removed = open_store(args).gc(dry_run=args.dry_run)
    data = {"dry_run": args.dry_run, "removed": removed}
    emit(args, data, _render_gc)
    return EXIT_OK


def _render_gc(data: dict[str, Any]) -> None:
    for path in data["removed"]:
        print(path)
    blobs = sum(path.startswith(f"{BLOB_DIR}/") for path in data["removed"])
    previews = sum(path.startswith(f"{ARTIFACTS_DIR}/") for path in data["removed"])
    temporary = len(data["removed"]) - blobs - previews  # dead writers' leftovers under tmp/
    verb = "would remove" if data["dry_run"] else "removed"
    print(
        f"{verb} {blobs} orphaned blob(s), {previews} orphaned preview(s) "
        f"and {temporary} temporary file(s)"
    )


def reindex_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    counts = store.reindex()
    emit(args, {"index": store.index.path, **counts}, _render_reindex)
    return EXIT_OK


def _render_reindex(data: dict[str, Any]) -> None:
    print(
        f"indexed {data['runs']} run(s) and {data['artifact_versions']} artifact version(s) "
        f"in {data['index']}"
    )
