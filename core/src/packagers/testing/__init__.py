"""Tools for plugin authors: the conformance suite every packager should pass."""

from __future__ import annotations

from packagers.testing.conformance import PackagerConformance, round_trip

__all__ = ["PackagerConformance", "round_trip"]
