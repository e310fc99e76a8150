"""``PackagersManager``: one run's packagers, and the entry points that pack and unpack with them.

The work is done by one-job modules: :mod:`.dispatch` (which packager, and why not the others),
:mod:`._plan` (outputs matched to hints, itemized outputs split), :mod:`._pack` (one object into
a package and its manifest), :mod:`.linking` and :mod:`._unpack`. One instance serves one run:
it holds the packager instances (and so their temporary files) and is a context manager that
clears them when the run ends, also when it failed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from packagers.data_item import DataItem
from packagers.manager import linking
from packagers.manager._hints import parse_hint
from packagers.manager._pack import Packer
from packagers.manager._plan import check_keys, match_outputs, plan
from packagers.manager._unpack import Step, Unpacker
from packagers.manager.dispatch import NO_OBJECT, Dispatch, Verdict

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.package import Package
    from packagers.packager import Packager
    from packagers.plugins.records import PackagerRecord

__all__ = ["PackagersManager"]


class PackagersManager:
    """Packs objects under log hints and unpacks data items for type hints.

    >>> with PackagersManager() as manager:
    ...     packages = manager.pack_outputs((0.9, frame), ["accuracy", "data : dataset"])
    ...     manager.link(packages)

    Without arguments it uses the collected packagers (plugins and custom packagers, see
    :func:`packagers.list_packagers`); tests may pass packager classes directly.
    """

    def __init__(self, packagers: Iterable[type[Packager] | PackagerRecord] | None = None) -> None:
        self._dispatch = Dispatch(packagers)
        self._packer = Packer(self._dispatch)
        self._unpacker = Unpacker(self._dispatch)

    # -- context --------------------------------------------------------------------------------

    def __enter__(self) -> PackagersManager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.clear()

    def clear(self) -> None:
        """Delete every temporary path the packagers registered and every downloaded input copy."""
        self._dispatch.clear()
        self._unpacker.clear()

    # -- lookup ---------------------------------------------------------------------------------

    @property
    def packagers(self) -> tuple[Packager, ...]:
        """The packager instances in priority order."""
        return self._dispatch.packagers

    def packagers_for(self, tp: type) -> tuple[Packager, ...]:
        """The packagers that handle objects of ``tp``, best first (computed once per type)."""
        return self._dispatch.packagers_for(tp)

    def packager(self, name: str) -> Packager | None:
        """The packager with this qualified name, when it is collected."""
        return self._dispatch.packager(name)

    def choose_packager(self, obj: Any, artifact_type: str | None = None) -> tuple[Packager, str]:
        """The packager and artifact type ``obj`` would be packed with, or a ``PackingError``."""
        return self._dispatch.choose_packer(obj, artifact_type)

    def pack_verdicts(
        self, tp: type, artifact_type: str | None = None, obj: Any = NO_OBJECT
    ) -> list[Verdict]:
        """Every packager's verdict on packing ``obj`` (or any ``tp``), in priority order.

        Packing takes the first accepted one; ``packagers explain`` prints them all.
        """
        return list(self._dispatch.pack_verdicts(tp, artifact_type, obj, every=True))

    def unpack_steps(self, item: DataItem, type_hint: Any = None) -> list[Step]:
        """What may answer ``type_hint`` for ``item``, with each verdict, in the order tried."""
        return list(self._unpacker.steps(item, type_hint))

    # -- packing --------------------------------------------------------------------------------

    def pack(
        self, obj: Any, hint: str | dict[str, Any] | LogHint, *, digest: bool = True
    ) -> Package:
        """Pack one object; an itemized hint gives a bundle package whose members are the items.

        ``digest=False`` leaves the file digest to the caller (the store hashes while uploading).
        """
        parsed = parse_hint(hint)
        if not parsed.itemized:  # one key, one leaf: nothing to plan or check
            return self._packer.pack_leaf(obj, parsed, digest)
        node = plan(self._dispatch, obj, parsed)
        check_keys([node])
        return self._packer.pack_node(node, digest)

    def pack_outputs(
        self,
        returned: Any,
        hints: Iterable[str | dict[str, Any] | LogHint],
        *,
        digest: bool = True,
        auto_key_prefix: str = "",
    ) -> list[Package]:
        """Match a function's return value to its log hints and pack every output.

        Every key is checked before anything is packed, so a bad itemization writes nothing.
        """
        pairs = match_outputs(returned, [parse_hint(hint) for hint in hints], auto_key_prefix)
        nodes = []
        for value, hint in pairs:
            node = plan(self._dispatch, value, hint)
            if node.container is not None and not node.children:
                continue  # an empty itemized container: nothing to log, nothing wrong
            nodes.append(node)
        check_keys(nodes)
        return [self._packer.pack_node(node, digest) for node in nodes]

    #: Fill every ``...`` in the hints' ``extra_data``/``metrics`` (see :mod:`.linking`).
    link = staticmethod(linking.link)
    #: Stamp, link and store packages (see :func:`.linking.log_linked` for the order).
    log = staticmethod(linking.log_linked)

    # -- unpacking ------------------------------------------------------------------------------

    def unpack(self, item: DataItem | str | os.PathLike[str], type_hint: Any = None) -> Any:
        """The object ``item`` holds, as ``type_hint`` asks.

        A packed item goes to the packager recorded in its manifest when the hint agrees (or there
        is none); a plain file or URL goes to the packagers of the hint, in the order Union members
        are written. ``DataItem``, ``Path`` and ``str`` hints get the handle or a local path.
        """
        data_item = item if isinstance(item, DataItem) else DataItem(item)
        return self._unpacker.unpack(data_item, type_hint)
