"""Previews end to end: a run's artifacts get their family's preview, read with no data library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

import packagers
from packagers.store import Store

READ = """
import json, sys
from packagers.store import Store
store = Store(sys.argv[1])
kinds = {ref.key: store.read_preview(ref)["kind"] for ref in store.list_artifacts()}
heavy = [m for m in ("numpy", "pandas", "pyarrow", "PIL") if m in sys.modules]
print(json.dumps({"kinds": kinds, "heavy": heavy}))
"""


def outputs() -> tuple[object, ...]:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    return frame, np.linspace(0, 1, 500), Image.new("RGB", (300, 300)), {"k": list(range(9999))}


def test_a_run_stores_previews_that_read_without_data_libraries(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "store"))
    record = packagers.run(outputs, returns=["frame", "array", "image", "mapping"], store=store)
    assert record.state == "completed", record.error
    result = subprocess.run([sys.executable, "-c", READ, store.url], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["kinds"] == {
        "frame": "table",
        "array": "array",
        "image": "image",
        "mapping": "json",
    }
    assert found["heavy"] == []
