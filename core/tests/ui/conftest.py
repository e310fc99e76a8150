"""UI fixtures: one store filled by real runs (plus hand-made previews and a sweep's records),
one live server per test module, and a headless Chromium for the browser tests.

Screenshots of every page a browser test opens go to ``$PACKAGERS_UI_SCREENSHOTS`` (default
``.pytest-screenshots/`` at the repository root); see docs/ui.md.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(os.environ.get("PACKAGERS_UI_SCREENSHOTS") or _ROOT / ".pytest-screenshots")


@dataclass
class Filled:
    """The store the UI tests read, and the ids and URIs they look for."""

    url: str
    runs: dict[str, str]
    uris: dict[str, str]
    sweep: str
    children: list[str]
    hostile: str


def _samples() -> ModuleType:
    sys.path.insert(0, str(_HERE))
    try:
        import ui_samples
    finally:
        sys.path.remove(str(_HERE))
    return ui_samples


def _fill(root: str) -> Filled:
    from packagers import LogHint, config, run
    from packagers.runner import RunRecord
    from packagers.store import Store

    samples = _samples()
    options: dict[str, Any] = {"store": root, "project": "demo"}
    raw = run(samples.make_raw, params={"rows": 4}, returns=["raw : file"], **options)
    cleaned = run(
        samples.clean,
        inputs={"raw": "store://demo/raw"},
        returns=["row_count : result", "cleaned : file"],
        **options,
    )
    cleaned_uri = cleaned.artifacts["cleaned"].uri
    trains = [
        run(
            samples.train,
            inputs={"data": cleaned_uri},
            params={"lr": lr, "note": samples.HOSTILE if lr == 0.1 else "plain"},
            returns=["accuracy : result", "weights : file"],
            **options,
        )
        for lr in (0.001, 0.01, 0.1)
    ]
    plotted = run(samples.plot, inputs={"data": cleaned_uri}, returns=["picture : file"], **options)
    model = LogHint(
        "model", artifact_type="model", metrics={"score": ...}, extra_data={"curve": ...}
    )
    with config.override(pickle__policy="allow"):  # the model is a pickle; the UI never loads it
        fitted = run(
            samples.fit,
            inputs={"data": cleaned_uri},
            returns=[model, "score : result", "curve : file"],
            **options,
        )
    failed = run(samples.fail, inputs={"data": cleaned_uri}, returns=["n : result"], **options)
    for record in (raw, cleaned, *trains, plotted, fitted):
        assert record.ok, record.error
    samples.write_preview(root, raw.artifacts["raw"].uri, samples.table_preview(4))
    samples.write_preview(root, cleaned_uri, samples.table_preview(4))
    samples.write_preview(root, plotted.artifacts["picture"].uri, samples.image_preview())
    for record in trains:
        preview = samples.array_preview(record.params["lr"])
        samples.write_preview(root, record.artifacts["weights"].uri, preview)

    store = Store(root)
    sweep = RunRecord(id="20200101T000000000000Z-5eeb0000", name="sweep", project="demo")
    sweep.state, sweep.started, sweep.function = "completed", "2020-01-01T00:00:00+00:00", "t:sweep"
    store.save_run(sweep.to_dict())
    children = []
    for number in range(5):
        child = RunRecord(
            id=f"20200101T00000{number}000000Z-c41d000{number}", name="sweep_step", project="demo"
        )
        child.state = "error" if number == 4 else "completed"
        child.started = f"2020-01-01T00:00:0{number}+00:00"
        child.params = {"k": number}
        child.results = {"score": number / 10}
        store.save_run({**child.to_dict(), "parent": sweep.id})
        children.append(child.id)
    return Filled(
        url=root,
        runs={
            "raw": raw.id,
            "clean": cleaned.id,
            "plot": plotted.id,
            "fit": fitted.id,
            "fail": failed.id,
            **{f"train{i}": record.id for i, record in enumerate(trains)},
        },
        uris={
            "raw": raw.artifacts["raw"].uri,
            "cleaned": cleaned_uri,
            "picture": plotted.artifacts["picture"].uri,
            "model": fitted.artifacts["model"].uri,
            "curve": fitted.artifacts["curve"].uri,
            **{f"weights{i}": record.artifacts["weights"].uri for i, record in enumerate(trains)},
        },
        sweep=sweep.id,
        children=children,
        hostile=samples.HOSTILE,
    )


@pytest.fixture(scope="session")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return _fill(str(tmp_path_factory.mktemp("ui") / "store"))


@dataclass
class Server:
    url: str
    port: int


@pytest.fixture(scope="module")
def server(filled: Filled) -> Iterator[Server]:
    """``packagers ui`` on a free port, in a thread, for the whole test module."""
    import uvicorn

    from packagers.store import Store
    from packagers.ui.app import create_app
    from packagers.ui.server import bind, url_of

    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(create_app(Store(filled.url)), log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert instance.started, "the UI server did not start"
    yield Server(url_of(sock).rstrip("/"), sock.getsockname()[1])
    instance.should_exit = True
    thread.join(timeout=10)


def chromium_or_skip() -> str:
    """The Debian chromium binary; without it skip, except in CI, where the tests must run."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=executable,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], None]:
    """``shoot(page, name)``: keep what a person sees, to look at after the run (docs/ui.md)."""

    def screenshot(page: Any, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return screenshot
