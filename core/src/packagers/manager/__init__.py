"""The engine: which packager packs or unpacks what, and everything around a single pack call.

``PackagersManager`` is what the runner, the API and the plugin tests use; its modules each do
one job (see docs/concepts.md, "Where things live: the manager").
"""

from __future__ import annotations

from packagers.manager._hints import parse_hint
from packagers.manager._manager import PackagersManager
from packagers.manager._unpack import Step
from packagers.manager.dispatch import PICKLE_SUFFIXES, Verdict
from packagers.manager.linking import iter_packages

__all__ = ["PICKLE_SUFFIXES", "PackagersManager", "Step", "Verdict", "iter_packages", "parse_hint"]
