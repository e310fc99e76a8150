"""The PIL plugin tests' directory goes on ``sys.path`` so that they import their helper module
(``image_samples``) by name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
