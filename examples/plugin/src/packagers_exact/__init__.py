"""Exact numbers for packagers: ``Fraction`` and ``Decimal`` never pass through a float."""

from __future__ import annotations

from packagers_exact._packagers import DecimalPackager, FractionPackager

__all__ = ["DecimalPackager", "FractionPackager"]
