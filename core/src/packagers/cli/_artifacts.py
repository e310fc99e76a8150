"""``packagers artifacts ls|show|get|tag|untag|rm``: browse, copy out, tag and delete artifacts."""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, TYPE_CHECKING, Any

from packagers.cli._options import (
    add_confirm_options,
    add_project_option,
    add_store_option,
    confirm,
    open_store,
)
from packagers.cli._output import (
    EXIT_OK,
    EXIT_PROBLEM,
    CommandError,
    emit,
    format_size,
    print_fields,
    print_table,
    transfer_bars,
)
from packagers.data_item import DataItem
from packagers.manifest import BUNDLE

if TYPE_CHECKING:
    from collections.abc import Callable

    from packagers.store import StoreDataItem

__all__ = ["register"]

_CHUNK = 1 << 20


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "artifacts",
        parents=[flags],
        help="list, show, copy out, tag and delete stored artifacts",
        description="Browse the artifacts of the store.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = actions.add_parser(
        "ls",
        parents=[flags],
        help="list the latest version of each key, or every version of --key (newest first)",
    )
    add_project_option(ls, "the project (default: the project setting)")
    ls.add_argument("--key", metavar="KEY", default=None, help="only the versions of this key")
    add_store_option(ls)
    ls.set_defaults(handler=ls_command)

    show = actions.add_parser("show", parents=[flags], help="print an artifact's manifest")
    show.add_argument("uri", metavar="URI", help="store://[project/]key[:tag][@version]")
    add_store_option(show)
    show.set_defaults(handler=show_command)

    get = actions.add_parser(
        "get",
        parents=[flags],
        help="copy an artifact's file out (digest verified), or print a result",
        description="Copy an artifact's file out of the store, checking it against the digest "
        "its manifest recorded (a copy that differs is deleted, exit 3); a result's value is "
        "printed instead.",
    )
    get.add_argument("uri", metavar="URI", help="store://[project/]key[:tag][@version]")
    get.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        default=None,
        help="where to write: a file, a directory (DIR/ is created), or - for stdout (default: "
        "KEY.FORMAT in the current directory)",
    )
    add_store_option(get)
    get.set_defaults(handler=get_command)

    tag = actions.add_parser("tag", parents=[flags], help="point a tag at an artifact version")
    tag.add_argument("uri", metavar="URI", help="store://[project/]key[:tag][@version]")
    tag.add_argument("tag", metavar="TAG", help="the tag; store://project/key:TAG then loads it")
    add_store_option(tag)
    tag.set_defaults(handler=tag_command)

    untag = actions.add_parser("untag", parents=[flags], help="remove a tag (the version stays)")
    untag.add_argument("uri", metavar="URI", help="store://[project/]key")
    untag.add_argument("tag", metavar="TAG", help="the tag to remove")
    add_confirm_options(untag)
    add_store_option(untag)
    untag.set_defaults(handler=untag_command)

    rm = actions.add_parser(
        "rm",
        parents=[flags],
        help="delete an artifact version (or every version of a key); `store gc` then frees "
        "the space",
        description="Delete the version URI names, with the tags pointing at it. Refused while "
        "another artifact (a bundle) names it, unless --force. The blobs stay until `packagers "
        "store gc`.",
    )
    rm.add_argument("uri", metavar="URI", help="store://[project/]key[:tag][@version]")
    rm.add_argument(
        "--all-versions", action="store_true", help="delete every version of the key URI names"
    )
    rm.add_argument(
        "--force", action="store_true", help="delete even what another artifact still names"
    )
    add_confirm_options(rm)
    add_store_option(rm)
    rm.set_defaults(handler=rm_command)


def ls_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    refs = store.list_artifacts(project=args.project, key=args.key)
    emit(args, [{**ref.to_dict(), "tags": store.tags_of(ref)} for ref in refs], _render_ls)
    return EXIT_OK


def _render_ls(refs: list[dict[str, Any]]) -> None:
    print_table(
        ["uri", "tags", "type", "object type", "size"],
        [
            [
                ref["uri"],
                ref["tags"],
                ref["manifest"].get("artifact_type"),
                ref["manifest"].get("object_type"),
                format_size(ref["manifest"].get("size")),
            ]
            for ref in refs
        ],
        empty="no artifacts",
        keep="uri",
    )


def show_command(args: argparse.Namespace) -> int:
    from packagers.store import ArtifactRef

    store = open_store(args)
    manifest = store.manifest(args.uri)
    tags = store.tags_of(ArtifactRef.from_manifest(manifest))
    emit(args, {**manifest, "tags": tags}, _render_show)
    return EXIT_OK


def _render_show(data: dict[str, Any]) -> None:
    """The manifest, with the tags pointing at the version now instead of the logging hint's."""
    shown = {name: value for name, value in data.items() if name != "tag"}
    print_fields(shown)


def untag_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    tagged = store.untag(args.uri, args.tag, dry_run=True)  # refuses before asking
    if not confirm(args, f"remove the tag {args.tag!r} from {tagged.uri}"):
        print("nothing removed")
        return EXIT_PROBLEM
    ref = store.untag(args.uri, args.tag)
    emit(
        args,
        {**ref.to_dict(), "untagged": args.tag},
        lambda data: print(f"removed the tag {args.tag!r} from {data['uri']}"),
    )
    return EXIT_OK


def rm_command(args: argparse.Namespace) -> int:
    store = open_store(args)
    options = {"all_versions": args.all_versions, "force": args.force}
    plan = store.delete_artifact(args.uri, dry_run=True, **options)  # refuses before asking
    if not confirm(args, f"delete {len(plan.uris)} version(s): {', '.join(plan.uris)}"):
        print("nothing deleted")
        return EXIT_PROBLEM
    deletion = store.delete_artifact(args.uri, **options)
    data = {
        "deleted": deletion.uris,
        "tags": deletion.tags,
        "referenced_by": deletion.referenced_by,
    }
    emit(args, data, _render_rm)
    return EXIT_OK


def _render_rm(data: dict[str, Any]) -> None:
    for uri in data["deleted"]:
        tags = data["tags"].get(uri)
        print(f"deleted {uri}" + (f" (and its tags {', '.join(tags)})" if tags else ""))
        for user in data["referenced_by"].get(uri, []):
            print(f"  warning: {user} still names it")
    print("`packagers store gc` frees the space of data no version needs any more")


def tag_command(args: argparse.Namespace) -> int:
    from packagers.store.uri import StoreUri

    ref = open_store(args).tag(args.uri, args.tag)
    emit(
        args,
        ref.to_dict(),
        lambda data: print(
            f"tagged {data['uri']} as {args.tag!r}: "
            f"{StoreUri(data['project'], data['key'], args.tag)}"
        ),
    )
    return EXIT_OK


def get_command(args: argparse.Namespace) -> int:
    from packagers.artifacts import ArtifactType

    item = open_store(args).resolve(args.uri)
    manifest = item.manifest or {}
    artifact_type = manifest.get("artifact_type")
    if artifact_type == ArtifactType.RESULT:
        value = manifest.get("value")
        emit(args, {"uri": item.uri, "value": value}, lambda _: _print_value(value))
        return EXIT_OK
    if artifact_type == BUNDLE:
        members = [entry["uri"] for entry in manifest.get("bundle", {}).get("members", [])]
        raise CommandError(
            f"{item.uri} is a bundle with no file of its own; get its members: {', '.join(members)}"
        )
    size, expected = manifest.get("size"), manifest.get("digest")
    if args.output == "-":
        with transfer_bars(args) as progress, _open_blob(item) as source:
            actual = _copy(source, sys.stdout.buffer, item.key, size, progress)
        sys.stdout.buffer.flush()
        _check(item.uri, expected, actual, "the output is corrupt")
        return EXIT_OK
    path = _destination(args.output, item.key + item.suffix)
    partial = f"{path}.part"
    try:
        with (
            transfer_bars(args) as progress,
            _open_blob(item) as source,
            _open_output(partial, path) as target,
        ):
            actual = _copy(source, target, item.key, size, progress)
        _check(item.uri, expected, actual, "nothing was written")
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    data = {
        "uri": item.uri,
        "path": path,
        "size": size,
        "digest": actual,
        "verified": expected is not None,
    }
    emit(args, data, _render_get)
    return EXIT_OK


def _render_get(data: dict[str, Any]) -> None:
    check = "digest verified" if data["verified"] else "no digest recorded, not verified"
    print(f"{data['uri']} -> {data['path']} ({format_size(data['size'])}, {check})")


def _print_value(value: Any) -> None:
    import json

    print(value if isinstance(value, str) else json.dumps(value, default=str))


def _destination(output: str | None, name: str) -> str:
    """``-o`` as given, or ``name`` inside it when it is a directory (``DIR/`` is created);
    by default ``name`` here."""
    if output is None:
        return name
    if output.endswith(("/", os.sep)) and not os.path.isdir(output):
        try:
            os.makedirs(output)
        except OSError as error:
            raise CommandError(f"cannot create the directory {output}: {error.strerror}") from None
    return os.path.join(output, name) if os.path.isdir(output) else output


def _open_blob(item: StoreDataItem) -> IO[bytes]:
    """The stored bytes as a stream, unchecked: ``_copy`` hashes them in the one pass it makes.

    (A ``StoreDataItem`` would check them first, which for a remote store means a full
    download before the copy starts and before any progress can be shown.)
    """
    from packagers.store import StoreError

    try:
        return DataItem(item.url, storage_options=item.storage_options).open("rb")
    except FileNotFoundError:
        raise StoreError(f"{item.uri}: its data {item.url} is missing from the store") from None


def _open_output(partial: str, path: str) -> IO[bytes]:
    """The file the copy streams into (``partial``, renamed to ``path`` once verified); an
    error names ``path``, the one the user asked for."""
    try:
        return open(partial, "wb")  # the caller's with-block closes it
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None


def _check(uri: str, expected: str | None, actual: str, outcome: str) -> None:
    from packagers.store import CorruptArtifactError

    if expected is not None and actual != expected:
        raise CorruptArtifactError(
            f"{uri}: the stored data is corrupt: the manifest records {expected} but the copy "
            f"hashes to {actual}; {outcome} (`packagers store verify` lists every damaged blob)"
        )


def _copy(
    source: IO[bytes],
    target: IO[bytes],
    key: str,
    size: int | None,
    progress: Callable[[str, int, int], None] | None,
) -> str:
    """Stream in chunks, hashing as it goes with the store's own digest (``packagers._digest``).

    The digest is the one the manifest recorded, in the same ``<algorithm>:<hex>`` form, so a
    change of algorithm there cannot make every intact copy look corrupt here.
    """
    from packagers._digest import new_hasher, text

    hasher = new_hasher()
    done = 0
    while chunk := source.read(_CHUNK):
        target.write(chunk)
        hasher.update(chunk)
        done += len(chunk)
        if progress is not None and size:
            progress(key, done, size)
    return text(hasher)
