"""``python -m packagers.cli``: the ``packagers`` command, also where its script is not on PATH."""

from __future__ import annotations

import sys

from packagers.cli import main

sys.exit(main())
