"""The quickstart: three steps, each consuming the previous step's outputs by store URI.

    python examples/quickstart/pipeline.py [--store PATH_OR_URL] [--executor local|process]

Everything lands in the embedded local store (`./.packagers` unless MLRUN_PACKAGERS__STORE__URL
or --store says otherwise); the script prints what was logged and where.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import packagers
from packagers import LogHint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store location (default: packagers.config.store.url)")
    parser.add_argument("--executor", default="local", choices=["local", "process"])
    args = parser.parse_args(argv)
    if args.store:
        packagers.config.store.url = args.store
    packagers.add_custom_packager("steps.LinearModelPackager", is_mandatory=True)
    run_options = {"project": "quickstart", "executor": args.executor}

    raw = packagers.run(
        "steps:make_raw", params={"rows": 500}, returns=["raw : dataset"], **run_options
    )
    _report(raw)
    cleaned = packagers.run(
        "steps:clean",
        inputs={"raw": raw.artifacts["raw"].uri},
        returns=["row_count", 'cleaned : dataset[format="parquet"]'],
        **run_options,
    )
    _report(cleaned)
    trained = packagers.run(
        "steps:train",
        inputs={"data": cleaned.artifacts["cleaned"].uri},
        params={"test_fraction": 0.25},
        returns=[
            LogHint(
                "model",
                artifact_type="model",
                metrics={"r2": ..., "mse": ...},
                extra_data={"fit_plot": ..., "test_set": ...},
            ),
            "r2",
            "mse",
            "fit_plot : plot",
            "test_set : dataset",
        ],
        **run_options,
    )
    _report(trained)
    if any(run.state != "completed" for run in (raw, cleaned, trained)):
        return 1
    model = packagers.load(trained.artifacts["model"].uri)
    print(f"\nloaded {trained.artifacts['model'].uri} back: {model}")
    print(
        f"store: {Path(packagers.config.store.url).resolve()}"
        if "://" not in packagers.config.store.url
        else f"store: {packagers.config.store.url}"
    )
    return 0


def _report(run: packagers.RunRecord) -> None:
    print(f"\n{run.name}  run {run.id}  {run.state}  ({run.duration * 1000:.0f} ms)")
    if run.error:
        print(f"  error: {run.error['message']}")
    for key, value in run.results.items():
        print(f"  result   {key:10} = {value}")
    for key, ref in run.artifacts.items():
        manifest = ref.manifest
        size = manifest.get("size")
        detail = (
            f"{manifest.get('format') or manifest['artifact_type']}, {size} bytes"
            if size
            else manifest["artifact_type"]
        )
        print(f"  artifact {key:10} -> {ref.uri}  ({detail})")


if __name__ == "__main__":
    sys.exit(main())
