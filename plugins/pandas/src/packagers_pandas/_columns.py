"""``Columns``: the ``Annotated`` extra that asks for some columns of a table, not all of them."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packagers import UnpackingError

if TYPE_CHECKING:
    from packagers import DataItem

__all__ = ["Columns", "requested_columns"]


@dataclass(frozen=True, init=False)
class Columns:
    """Read only these columns: ``data: Annotated[pd.DataFrame, Columns("a", "b")]``.

    Columnar formats (parquet, feather, orc) read nothing else from the file, which is the point
    for wide tables; other formats read the file and keep these columns. The columns come in the
    order given; the index always comes along.
    """

    names: tuple[Hashable, ...]

    def __init__(self, *names: Hashable) -> None:
        if not names:
            raise TypeError("Columns() needs at least one column label")
        object.__setattr__(self, "names", names)

    def __repr__(self) -> str:
        return f"Columns({', '.join(map(repr, self.names))})"


def requested_columns(data_item: DataItem) -> tuple[Hashable, ...] | None:
    """The labels the type hint asks for (its ``Columns`` extra), or None for every column.

    The manager hands the packager the item as the hint sees it: ``data_item.hint_metadata`` are
    that hint's ``Annotated`` extras.
    """
    found = [extra for extra in data_item.hint_metadata if isinstance(extra, Columns)]
    if len(found) > 1:
        raise UnpackingError(
            f"the type hint for {data_item.key!r} has {len(found)} Columns extras; give one "
            f"with every label ({', '.join(map(repr, found))})"
        )
    return found[0].names if found else None
