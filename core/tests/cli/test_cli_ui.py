"""``packagers ui``: it prints the URL it serves, on the loopback interface, and serves it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from packagers.runner import RunRecord
from packagers.store import Store


def test_ui_serves_the_url_it_prints(store_url: str) -> None:
    record = RunRecord(id="20250101T000000000000Z-00000001", name="step", project="default")
    record.state = "completed"
    Store(store_url).save_run(record.to_dict())
    script = "import sys; from packagers.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", script, "ui", "--store", store_url, "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + (server.stderr.read() if server.poll() is not None else "")
        with urllib.request.urlopen(match.group(0) + "api/runs", timeout=10) as response:
            runs = json.load(response)["runs"]
        assert [run["id"] for run in runs] == [record.id]
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert Path(store_url, "index.sqlite").exists()


def test_ui_help_names_its_options(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ui", "--help")
    assert result.code == 0
    for option in ("--host", "--port", "--allow-host", "--store"):
        assert option in result.out
