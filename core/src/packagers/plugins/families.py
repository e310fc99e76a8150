"""The type families the project publishes a plugin for, so a missing one can be named.

A value of such a family with its plugin absent is still logged (pickled, as the policy allows),
but the user should learn which distribution would store it in its proper format; the same name
completes errors about artifact types only that plugin provides.
"""

from __future__ import annotations

__all__ = ["FAMILIES", "missing_family"]

#: Top-level module of a type -> the distribution whose plugin packs that family.
FAMILIES = {
    "numpy": "packagers-numpy",
    "pandas": "packagers-pandas",
    "pyarrow": "packagers-pandas",
    "PIL": "packagers-pil",
}


def missing_family(tp: type) -> str | None:
    """The distribution to install for values of ``tp``, when it is known and not active here."""
    distribution = FAMILIES.get(getattr(tp, "__module__", "").partition(".")[0])
    if distribution is None:
        return None
    from packagers.plugins.collection import collect

    return None if distribution in collect().distributions else distribution
