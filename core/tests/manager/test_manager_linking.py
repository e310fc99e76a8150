"""Linking outputs to models: in any order, missing links dropped, metrics only from results."""

from __future__ import annotations

import pytest

from packagers import LogHint, PackagersWarning

from .manager_samples import Model


@pytest.mark.parametrize("model_first", [True, False])
def test_linking_resolves_in_any_order(manager, model_first):
    hints = [
        LogHint("model", metrics={"accuracy": ...}, extra_data={"threshold": ..., "notes": "x"}),
        "accuracy",
        "threshold : file",
    ]
    values = [Model(0.5), 0.93, 7]
    if not model_first:
        hints, values = hints[::-1], values[::-1]
    packages = manager.pack_outputs(tuple(values), hints)
    manager.link(packages, reference=lambda p: f"store://{p.key}")
    model = next(p for p in packages if p.key == "model")
    assert model.manifest["metrics"] == {"accuracy": 0.93}
    assert model.manifest["extra_data"] == {"notes": "x", "threshold": "store://threshold"}


def test_a_missing_link_is_dropped_with_a_warning_and_the_hint_is_untouched(manager):
    hint = LogHint("model", extra_data={"nowhere": ...})
    packages = manager.pack_outputs(Model(1.0), [hint])
    with pytest.warns(PackagersWarning, match="links to 'nowhere'"):
        manager.link(packages)
    assert "nowhere" not in packages[0].manifest["extra_data"]
    assert hint.extra_data == {"nowhere": ...}


def test_metrics_link_only_results_to_models(manager):
    hints = [
        LogHint("n", artifact_type="file", metrics={"m": ...}),
        LogHint("model", metrics={"f": ...}),
        "m",
        "f : file",
    ]
    packages = manager.pack_outputs((1, Model(1.0), 2, 3), hints)
    with pytest.warns(PackagersWarning) as caught:
        manager.link(packages)
    messages = " ".join(str(w.message) for w in caught)
    assert "'n': metrics link only results" in messages
    assert "'model': metrics link only results to model artifacts; 'f'" in messages
