"""``packagers plugins``: every collected packager, in the order packing tries them."""

from __future__ import annotations

import argparse
from typing import Any

from packagers.cli._output import EXIT_OK, EXIT_PROBLEM, emit, print_fields, print_table

__all__ = ["distribution_label", "register"]

_SETTINGS = ("plugins.autoload", "plugins.mandatory", "plugins.blocked")


def register(commands: Any, flags: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "plugins",
        parents=[flags],
        help="list the packagers and plugins, in priority order",
        description="List every collected packager in the order packing tries them, with its "
        "plugin, distribution, priority, type and artifact types; blocked and failed plugins "
        "are listed with the reason. Exits 1 when a plugin failed to load.",
    )
    parser.set_defaults(handler=plugins_command)


def distribution_label(record: dict[str, Any]) -> str | None:
    """``packagers-pandas==0.1.0`` (the form ``pip install`` takes), None for no distribution."""
    distribution, version = record.get("distribution"), record.get("version")
    if distribution and version:
        return f"{distribution}=={version}"
    return distribution


def plugins_command(args: argparse.Namespace) -> int:
    from packagers import list_packagers
    from packagers.plugins.records import PackagerState

    records = [record.to_dict() for record in list_packagers()]
    emit(args, records, _render)
    return (
        EXIT_PROBLEM
        if any(record["state"] == PackagerState.FAILED for record in records)
        else EXIT_OK
    )


def _render(records: list[dict[str, Any]]) -> None:
    from packagers import config
    from packagers.plugins.records import PackagerState

    print_table(
        [
            "name",
            "plugin",
            "distribution",
            "priority",
            "type",
            "packs",
            "unpacks",
            "state",
            "error",
        ],
        [
            [
                record["name"],
                record["plugin"],
                distribution_label(record),
                record["priority"] if record["state"] == PackagerState.ACTIVE else None,
                record["packable_type"],
                record["packing_artifact_types"],
                record["unpacking_artifact_types"],
                record["state"],
                record["error"],
            ]
            for record in records
        ],
        empty="no packagers collected",
    )
    values, sources = config.as_dict()["plugins"], config.sources()
    print()
    print_fields(
        {path: f"{_setting(values[path.split('.')[1]])}  ({sources[path]})" for path in _SETTINGS}
    )


def _setting(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return ", ".join(value) if value else "none"
