"""Inputs: store URIs, local paths and fsspec URLs become the objects the hints ask for."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from packagers._digest import file_digest
from packagers.data_item import DataItem, is_url
from packagers.store.uri import SCHEME

if TYPE_CHECKING:
    from packagers.manager import PackagersManager
    from packagers.runner.functions import FunctionInfo
    from packagers.store import Store

__all__ = ["InputValue", "input_url", "load_inputs", "open_input"]

InputValue = str | os.PathLike[str] | DataItem


def input_url(value: InputValue) -> str:
    """The URL or path an input value stands for (what the run record keeps).

    A data item from the store stands for its exact version's URI, not for its blob's path; a
    local path is made absolute, so the record still names the file from another directory.
    """
    if isinstance(value, DataItem):
        return getattr(value, "uri", None) or value.url
    url = os.fspath(value)
    return url if is_url(url) else os.path.abspath(url)


def open_input(value: InputValue, store: Store) -> DataItem:
    """A data item for one input; a store URI's carries its manifest, so it unpacks as packed."""
    if isinstance(value, DataItem):
        return value
    url = os.fspath(value)
    if url.startswith(SCHEME):
        return store.resolve(url)
    return DataItem(url)


def load_inputs(
    inputs: dict[str, InputValue],
    info: FunctionInfo,
    store: Store,
    manager: PackagersManager | None,
    opened: list[DataItem],
    described: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The keyword arguments for the inputs.

    Each input is unpacked by its parameter's type hint; an un-hinted one stays a ``DataItem``,
    or, with ``auto_unpack_inputs``, is unpacked as its manifest says. Without a ``manager``
    (packagers disabled) every input stays a ``DataItem``. Every opened item is appended to
    ``opened`` so the caller can delete downloaded copies even when a later input fails. Each
    entry of ``described`` (the run record's inputs) gets the stored digest and, when the URI
    named a tag or the latest version, the exact version it resolved to.
    """
    from packagers._config import config

    hints = info.hints if manager is not None else {}
    auto = config.auto_unpack_inputs
    arguments: dict[str, Any] = {}
    for name, value in inputs.items():
        item = open_input(value, store)
        opened.append(item)
        manifest = item.manifest
        entry = described[name]
        if manifest is not None:
            if manifest.get("uri") and manifest["uri"] != entry["uri"]:
                entry["resolved"] = manifest["uri"]
            if manifest.get("digest"):
                entry["digest"] = manifest["digest"]
        elif os.path.isfile(item.url):  # a plain local file: what exactly the run read
            entry["digest"] = file_digest(item.url)[0]
        hint = hints.get(name)
        if manager is None or (hint is None and not (auto and manifest is not None)):
            arguments[name] = item
        else:
            arguments[name] = manager.unpack(item, hint)
    return arguments
